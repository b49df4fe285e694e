//! A small SVG line chart of a few series over the window, and how values
//! and times are written beside it.

use crate::model::Point;
use leptos::prelude::*;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 140.0;

/// One line: its label and points, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub label: String,
    pub points: Vec<Point>,
}

#[component]
pub fn Chart(title: String, lines: Vec<Line>, from_ms: i64, to_ms: i64) -> impl IntoView {
    let top = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.value))
        .fold(0.0_f64, f64::max);
    let scale = nice_ceiling(top);
    let paths = lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            view! {
                <polyline
                    class=format!("line line-{}", n % 6)
                    points=polyline(&line.points, from_ms, to_ms, scale)
                />
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-label=format!("{title}: the last 15 minutes")
            preserveAspectRatio="none"
        >
            <line class="axis" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT />
            {paths}
        </svg>
        <p class="chart-scale">"15 minutes ago to now · scale 0 to " {number(scale)}</p>
    }
}

/// The SVG `points` of `points` between `from_ms` and `to_ms`, values
/// from 0 (bottom) to `scale` (top).
pub fn polyline(points: &[Point], from_ms: i64, to_ms: i64, scale: f64) -> String {
    let span = to_ms.saturating_sub(from_ms).max(1) as f64;
    let scale = if scale > 0.0 { scale } else { 1.0 };
    points
        .iter()
        .map(|p| {
            let x = (p.at_ms.saturating_sub(from_ms)) as f64 / span * WIDTH;
            let y = HEIGHT - (p.value / scale).clamp(0.0, 1.0) * HEIGHT;
            format!("{x:.1},{y:.1}")
        })
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

/// `HH:MM:SS` UTC of a time in milliseconds since the epoch.
pub fn clock(at_ms: i64) -> String {
    let secs = at_ms.div_euclid(1_000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_span_the_width_and_clamp_to_the_height() {
        let points = [
            Point {
                at_ms: 1_000,
                value: 0.0,
            },
            Point {
                at_ms: 2_000,
                value: 5.0,
            },
            Point {
                at_ms: 3_000,
                value: 50.0,
            },
        ];
        assert_eq!(
            polyline(&points, 1_000, 3_000, 10.0),
            "0.0,140.0 300.0,70.0 600.0,0.0"
        );
    }

    #[test]
    fn scales_and_numbers_read_well() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(130.0), 200.0);
        assert_eq!(nice_ceiling(0.3), 0.5);
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.345), "2.35");
        assert_eq!(clock(3_723_000), "01:02:03 UTC");
    }
}
