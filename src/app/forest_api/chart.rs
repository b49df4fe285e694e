//! The Forest API page's per-minute charts as plain SVG lines, drawn
//! without script: the scale on the left, the times under the plot and a
//! legend with each line's colour, in the Monitor's visual language (its
//! chart's geometry and time labels). A minute without a value breaks its
//! line.

use crate::app::chart_frame::{ChartFrame, Tick};
use crate::app::monitor::chart::{nice_ceiling, number, polyline, segments};
use crate::app::monitor::time::tick_label;
use crate::model::Point;
use leptos::prelude::*;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
/// Spaces between the time labels (three labels, as on the Monitor).
const TICKS: i64 = 2;

/// One line: its name in the legend, its class (its colour) and its
/// points, one per minute, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct MinuteLine {
    pub name: &'static str,
    pub class: &'static str,
    pub points: Vec<Point>,
}

#[component]
pub fn RatesChart(
    /// What the chart shows and over which span: its accessible name.
    name: String,
    lines: Vec<MinuteLine>,
    /// The first and last minute shown, in ms since the epoch.
    from_ms: i64,
    to_ms: i64,
    /// After the legend: what a value is and over which span.
    detail: String,
) -> impl IntoView {
    let top = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.value))
        .fold(0.0_f64, f64::max);
    let scale = nice_ceiling(top);
    let paths = lines
        .iter()
        .flat_map(|line| {
            segments(&line.points, MINUTE_MS)
                .into_iter()
                .map(move |segment| {
                    view! {
                        <polyline
                            class=line.class
                            points=polyline(segment, from_ms, to_ms, scale)
                            fill="none"
                        >
                            <title>{line.name}</title>
                        </polyline>
                    }
                })
        })
        .collect_view();
    let ticks: Vec<Tick> = (0..=TICKS)
        .map(|n| {
            let at_ms = from_ms + (to_ms - from_ms) * n / TICKS;
            // Whole minutes: read as over an hour, so without seconds.
            let span_ms = (to_ms - from_ms).max(HOUR_MS + 1);
            let label = tick_label(at_ms, span_ms, n == TICKS);
            (label, (n * 100 / TICKS) as f64)
        })
        .collect();
    view! {
        <figure class="rates-chart">
            <ChartFrame name scale=vec![number(scale), "0".to_owned()] ticks>
                {paths}
            </ChartFrame>
            <figcaption>
                {lines
                    .iter()
                    .map(|line| {
                        view! { <span class=format!("key {}", line.class)>{line.name}</span> }
                    })
                    .collect_view()} <span class="detail">{detail}</span>
            </figcaption>
        </figure>
    }
}

/// One point a minute from `minutes`, read by `value` (none: no point).
pub fn per_minute<T>(
    minutes: &[T],
    at_ms: fn(&T) -> i64,
    value: impl Fn(&T) -> Option<u64>,
) -> Vec<Point> {
    minutes
        .iter()
        .filter_map(|m| {
            value(m).map(|v| Point {
                at_ms: at_ms(m),
                value: v as f64,
            })
        })
        .collect()
}
