//! A small SVG bar chart that reads without JavaScript, in the Monitor's
//! visual language: the count's scale on the left (its top, middle and
//! zero, with a dashed line at the middle), one bar per label, every
//! `LABEL_EVERY`th label under its bar (the last one always), each bar's
//! label and count in its tooltip.

use super::chart_frame::{ChartFrame, Tick};
use super::monitor::chart::{HEIGHT, WIDTH};
use crate::model::LabelledCount;
use leptos::prelude::*;

/// A label under every seventh bar: one a week for daily bars.
const LABEL_EVERY: usize = 7;

#[component]
pub fn BarChart(title: String, bars: Vec<LabelledCount>) -> impl IntoView {
    let top = even_ceiling(bars.iter().map(|b| b.count).max().unwrap_or(0));
    let count = bars.len().max(1);
    let slot = WIDTH / count as f64;
    let rects = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let height = HEIGHT * (bar.count as f64 / top as f64).min(1.0);
            view! {
                <rect
                    x=format!("{:.1}", i as f64 * slot + 1.0)
                    y=format!("{:.1}", HEIGHT - height)
                    width=format!("{:.1}", (slot - 2.0).max(1.0))
                    height=format!("{height:.1}")
                >
                    <title>{format!("{}: {}", bar.label, bar.count)}</title>
                </rect>
            }
        })
        .collect_view();
    let ticks: Vec<Tick> = bars
        .iter()
        .enumerate()
        .filter(|(i, _)| (bars.len() - 1 - i).is_multiple_of(LABEL_EVERY))
        .map(|(i, bar)| (bar.label.clone(), (i as f64 + 0.5) * 100.0 / count as f64))
        .collect();
    let scale = vec![top.to_string(), (top / 2).to_string(), "0".to_owned()];
    view! {
        <figure class="bar-chart">
            <ChartFrame name=title.clone() scale ticks>
                {rects}
            </ChartFrame>
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// The smallest of 2, 4 or 10 times a power of ten at or above `value`: a
/// scale whose middle is a whole number too.
fn even_ceiling(value: u64) -> u64 {
    let mut power = 1_u64;
    loop {
        if let Some(top) = [2, 4, 10]
            .into_iter()
            .map(|step| step * power)
            .find(|top| *top >= value)
        {
            return top;
        }
        match power.checked_mul(10) {
            Some(next) if next <= u64::MAX / 10 => power = next,
            _ => return value,
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_scale_has_whole_ticks_above_the_highest_bar() {
        let tops: Vec<u64> = [0, 1, 2, 3, 5, 11, 25, 41, 400, 401]
            .into_iter()
            .map(even_ceiling)
            .collect();
        assert_eq!(tops, [2, 2, 2, 4, 10, 20, 40, 100, 400, 1_000]);
        assert_eq!(even_ceiling(u64::MAX), u64::MAX);
    }

    #[test]
    fn the_axes_show_the_scale_and_a_date_a_week() {
        let bars: Vec<LabelledCount> = (1..=30_u64)
            .map(|day| LabelledCount {
                label: format!("2026-11-{day:02}"),
                count: day % 4,
            })
            .collect();
        let html = view! { <BarChart title="New per day".to_owned() bars /> }
            .to_html()
            .replace("<!>", "");
        for shown in [
            "<span>4</span><span>2</span><span>0</span>",
            ">2026-11-30<",
            ">2026-11-23<",
            ">2026-11-02<",
            "2026-11-01: 1",
        ] {
            assert!(html.contains(shown), "{shown} in {html}");
        }
        assert!(!html.contains(">2026-11-01<"), "not every date is labelled");
        let empty = view! { <BarChart title="None".to_owned() bars=Vec::new() /> }
            .to_html()
            .replace("<!>", "");
        assert!(empty.contains("<span>2</span>"), "{empty}");
    }
}
