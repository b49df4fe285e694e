//! The per-minute rates as a plain SVG line chart: one line per series on
//! a shared scale, oldest minute on the left. No script needed to draw it.

use crate::model::MinuteCounts;
use leptos::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 140.0;

/// A series: its name, its CSS class, and how to read it from a minute.
type Series = (&'static str, &'static str, fn(&MinuteCounts) -> u64);

const SERIES: [Series; 4] = [
    ("Errors", "series-errors", |m| m.errors),
    ("Warnings", "series-warnings", |m| m.warnings),
    ("Tasks synced", "series-synced", |m| m.synced_events),
    ("Conflicts", "series-conflicts", |m| m.conflicts),
];

#[component]
pub fn RatesChart(minutes: Vec<MinuteCounts>) -> impl IntoView {
    let peak = minutes
        .iter()
        .flat_map(|m| SERIES.iter().map(move |(_, _, read)| read(m)))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = WIDTH / (minutes.len().max(2) - 1) as f64;
    let first = minutes
        .first()
        .map(|m| m.minute.clone())
        .unwrap_or_default();
    let last = minutes.last().map(|m| m.minute.clone()).unwrap_or_default();
    let lines = SERIES
        .iter()
        .map(|(name, class, read)| {
            let points = minutes
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let y = HEIGHT - read(m) as f64 / peak as f64 * (HEIGHT - 4.0) - 2.0;
                    format!("{:.1},{y:.1}", i as f64 * step)
                })
                .collect::<Vec<_>>()
                .join(" ");
            view! {
                <polyline class=*class points=points fill="none">
                    <title>{*name}</title>
                </polyline>
            }
        })
        .collect_view();
    view! {
        <figure class="rates-chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=format!("Lines per minute from {first} to {last}; the highest is {peak}")
            >
                <line class="axis" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT />
                {lines}
            </svg>
            <figcaption>
                {SERIES
                    .iter()
                    .map(|(name, class, _)| view! { <span class=format!("key {class}")>{*name}</span> })
                    .collect_view()}
                <span class="detail">{format!(" · per minute, peak {peak} · last hour")}</span>
            </figcaption>
        </figure>
    }
}
