//! A small SVG bar chart that reads without JavaScript: one bar per label,
//! its value in a tooltip and in a visually hidden table for screen readers.

use crate::model::LabelledCount;
use leptos::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 120.0;

#[component]
pub fn BarChart(title: String, bars: Vec<LabelledCount>) -> impl IntoView {
    let top = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / bars.len().max(1) as f64;
    let first = bars.first().map(|b| b.label.clone()).unwrap_or_default();
    let last = bars.last().map(|b| b.label.clone()).unwrap_or_default();
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {}", HEIGHT + 16.0)
                role="img"
                aria-label=title.clone()
            >
                {bars
                    .iter()
                    .enumerate()
                    .map(|(i, bar)| {
                        let height = HEIGHT * bar.count as f64 / top;
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
                    .collect_view()}
                <text x="0" y=HEIGHT + 14.0>
                    {first}
                </text>
                <text x=WIDTH y=HEIGHT + 14.0 text-anchor="end">
                    {last}
                </text>
            </svg>
            <figcaption>{title}</figcaption>
        </figure>
    }
}
