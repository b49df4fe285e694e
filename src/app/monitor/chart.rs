//! A small SVG line chart of a few series over a span, readable without
//! JavaScript: a time axis with labels, the scale with its unit, one line
//! per series (broken where samples are missing); hydrated, a readout of
//! the values at the pointer or, by keyboard, at the chosen point.

use super::readout::{Cursor, Readout, nearest};
use super::time::{clock, tick_label};
use crate::app::chart_frame::{ChartFrame, Tick};
use crate::model::Point;
use leptos::prelude::*;

pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 140.0;
/// Spaces between the time labels under a chart (three labels: they fit
/// a panel's width whatever their format).
const TICKS: i64 = 2;

/// One line: its series key, label and points, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub key: String,
    pub label: String,
    pub points: Vec<Point>,
}

/// The span a chart shows, and the longest step between two points that
/// is still drawn as one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub from_ms: i64,
    pub to_ms: i64,
    pub gap_ms: i64,
}

#[component]
pub fn Chart(
    /// Says what the chart shows and over which span: its accessible name.
    name: String,
    lines: Vec<Line>,
    frame: Frame,
    unit: &'static str,
    /// The time whose values the readout shows; kept by the panel, so that
    /// it survives the chart being drawn again with a new sample.
    cursor: Cursor,
) -> impl IntoView {
    let top = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.value))
        .fold(0.0_f64, f64::max);
    let scale = nice_ceiling(top);
    let paths = lines
        .iter()
        .enumerate()
        .flat_map(|(n, line)| {
            segments(&line.points, frame.gap_ms)
                .into_iter()
                .map(move |segment| {
                    view! {
                        <polyline
                            class=format!("line line-{}", n % 6)
                            points=polyline(segment, frame.from_ms, frame.to_ms, scale)
                        />
                    }
                })
        })
        .collect_view();
    let ticks: Vec<Tick> = (0..=TICKS)
        .map(|n| {
            let at_ms = frame.from_ms + (frame.to_ms - frame.from_ms) * n / TICKS;
            let label = tick_label(at_ms, frame.to_ms - frame.from_ms, n == TICKS);
            (label, (n * 100 / TICKS) as f64)
        })
        .collect();
    let cursor_x = move || {
        cursor.at.get().map(|at_ms| {
            let x = x_of(at_ms, frame.from_ms, frame.to_ms);
            view! { <line class="cursor" x1=x.clone() y1="0" x2=x y2=HEIGHT /> }
        })
    };
    let lines = StoredValue::new(lines);
    let scale = vec![format!("{}{unit}", number(scale)), format!("0{unit}")];
    let readout = view! { <Readout name=name.clone() lines frame cursor /> }.into_any();
    view! {
        <ChartFrame name scale ticks over=readout>
            {paths}
            {cursor_x}
        </ChartFrame>
        <p class="readout-text" aria-live="polite">
            {move || {
                cursor
                    .at
                    .get()
                    .map(|at_ms| {
                        let values = lines
                            .with_value(|lines| {
                                lines
                                    .iter()
                                    .map(|line| {
                                        let value = nearest(&line.points, at_ms, frame.gap_ms)
                                            .map_or_else(
                                                || "–".to_owned(),
                                                |v| format!("{}{unit}", number(v)),
                                            );
                                        format!("{} {value}", line.label)
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            });
                        format!("At {}: {values}", clock(at_ms))
                    })
            }}
        </p>
    }
}

/// Where a time falls across the chart's width.
pub fn x_of(at_ms: i64, from_ms: i64, to_ms: i64) -> String {
    format!("{:.1}", x_at(at_ms, from_ms, to_ms))
}

/// Where a time falls across the chart's width, in the chart's units.
pub fn x_at(at_ms: i64, from_ms: i64, to_ms: i64) -> f64 {
    let span = to_ms.saturating_sub(from_ms).max(1) as f64;
    (at_ms.saturating_sub(from_ms)) as f64 / span * WIDTH
}

/// `points` cut where two neighbours are more than `gap_ms` apart, so that
/// a stretch without samples is not drawn as a line.
pub fn segments(points: &[Point], gap_ms: i64) -> Vec<&[Point]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..points.len() {
        if points[i].at_ms - points[i - 1].at_ms > gap_ms {
            out.push(&points[start..i]);
            start = i;
        }
    }
    if start < points.len() {
        out.push(&points[start..]);
    }
    out
}

/// The SVG `points` of `points` between `from_ms` and `to_ms`, values
/// from 0 (bottom) to `scale` (top). A lone point is drawn as a short dash,
/// so that it shows.
pub fn polyline(points: &[Point], from_ms: i64, to_ms: i64, scale: f64) -> String {
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let y = |p: &Point| HEIGHT - (p.value / scale).clamp(0.0, 1.0) * HEIGHT;
    if let [only] = points {
        let x = x_at(only.at_ms, from_ms, to_ms);
        let (left, right) = ((x - 2.0).max(0.0), (x + 2.0).min(WIDTH));
        return format!("{left:.1},{y:.1} {right:.1},{y:.1}", y = y(only));
    }
    points
        .iter()
        .map(|p| format!("{},{:.1}", x_of(p.at_ms, from_ms, to_ms), y(p)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The smallest of 1, 2 or 5 times a power of ten at or above `value`.
pub fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let power = 10_f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|step| step * power)
        .find(|candidate| *candidate >= value)
        .unwrap_or(10.0 * power)
}

/// A value as people read it: whole numbers plainly, others with two decimals.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(at_ms: i64, value: f64) -> Point {
        Point { at_ms, value }
    }

    #[test]
    fn points_span_the_width_and_clamp_to_the_height() {
        let points = [at(1_000, 0.0), at(2_000, 5.0), at(3_000, 50.0)];
        assert_eq!(
            polyline(&points, 1_000, 3_000, 10.0),
            "0.0,140.0 300.0,70.0 600.0,0.0"
        );
        assert_eq!(
            polyline(&points[2..], 1_000, 3_000, 100.0),
            "598.0,70.0 600.0,70.0"
        );
    }

    #[test]
    fn a_stretch_without_samples_breaks_the_line() {
        let points = [at(0, 1.0), at(60, 1.0), at(500, 1.0), at(560, 1.0)];
        let parts = segments(&points, 120);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], &points[2..]);
        assert_eq!(segments(&points, 1_000).len(), 1);
        assert!(segments(&[], 10).is_empty());
    }

    #[test]
    fn scales_and_numbers_read_well() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(130.0), 200.0);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.345), "2.35");
    }
}
