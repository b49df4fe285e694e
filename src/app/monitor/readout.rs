//! The chart's readout once hydrated: the pointer over a chart, or the
//! arrow keys once it has focus, choose a time; the chart marks it and
//! says each line's value there. Without JavaScript the region does
//! nothing and takes no focus.

use super::chart::{Frame, Line};
use super::time::clock;
use crate::model::Point;
use leptos::prelude::*;
use leptos::web_sys::HtmlElement;

/// The value of the point nearest `at_ms`, if one lies within `gap_ms`.
pub fn nearest(points: &[Point], at_ms: i64, gap_ms: i64) -> Option<f64> {
    let after = points.partition_point(|p| p.at_ms < at_ms);
    let candidates = [after.checked_sub(1), Some(after)];
    candidates
        .into_iter()
        .flatten()
        .filter_map(|i| points.get(i))
        .min_by_key(|p| (p.at_ms - at_ms).abs())
        .filter(|p| (p.at_ms - at_ms).abs() <= gap_ms)
        .map(|p| p.value)
}

/// The time a key moves the cursor to, among `times` (ascending).
pub fn step(times: &[i64], from: Option<i64>, key: &str) -> Option<Option<i64>> {
    let (first, last) = (times.first().copied(), times.last().copied());
    Some(match (key, from) {
        ("Escape", _) => None,
        ("Home", _) => first,
        ("End", _) => last,
        ("ArrowRight" | "ArrowUp", None) => first,
        ("ArrowLeft" | "ArrowDown", None) => last,
        ("ArrowRight" | "ArrowUp", Some(at)) => times.iter().copied().find(|t| *t > at).or(last),
        ("ArrowLeft" | "ArrowDown", Some(at)) => {
            times.iter().rev().copied().find(|t| *t < at).or(first)
        }
        _ => return None,
    })
}

/// The point times of the line with the most points: where the cursor stops.
fn stops(lines: &[Line]) -> Vec<i64> {
    lines
        .iter()
        .max_by_key(|l| l.points.len())
        .map(|l| l.points.iter().map(|p| p.at_ms).collect())
        .unwrap_or_default()
}

/// Where a chart's readout stands, kept by its panel so that it survives
/// the chart being drawn again with each new sample: the chosen time, and
/// whether the page is live. The second is the panel's too: were each
/// drawing to start inert again, the region would drop its `tabindex`
/// for a moment at every sample, and with it the keyboard's focus.
#[derive(Clone, Copy)]
pub struct Cursor {
    pub at: RwSignal<Option<i64>>,
    hydrated: RwSignal<bool>,
}

impl Cursor {
    pub fn new() -> Self {
        Self {
            at: RwSignal::new(None),
            hydrated: RwSignal::new(false),
        }
    }
}

/// The stop nearest `at_ms`.
fn snap(times: &[i64], at_ms: i64) -> Option<i64> {
    times.iter().copied().min_by_key(|t| (t - at_ms).abs())
}

#[component]
pub fn Readout(
    name: String,
    lines: StoredValue<Vec<Line>>,
    frame: Frame,
    cursor: Cursor,
) -> impl IntoView {
    // Effects run only in the browser: until then the region is inert.
    let hydrated = cursor.hydrated;
    Effect::new(move |_| hydrated.set(true));
    // Each sample draws the chart again, which sets the region's
    // attributes afresh; the moment it has no `tabindex` it loses focus.
    // That is no one leaving: give the focus back and keep the time.
    let left = move |ev: leptos::ev::FocusEvent| {
        let region = event_target::<HtmlElement>(&ev);
        if region.get_attribute("tabindex").is_none() {
            request_animation_frame(move || {
                let _ = region.focus();
            });
        } else {
            cursor.at.set(None);
        }
    };
    let on = move |value: &'static str| move || hydrated.get().then_some(value);
    let point = move |ev: leptos::ev::PointerEvent| {
        let width = f64::from(event_target::<HtmlElement>(&ev).client_width());
        if width <= 0.0 {
            return;
        }
        let fraction = (f64::from(ev.offset_x()) / width).clamp(0.0, 1.0);
        let at_ms = frame.from_ms + ((frame.to_ms - frame.from_ms) as f64 * fraction) as i64;
        cursor.at.set(lines.with_value(|l| snap(&stops(l), at_ms)));
    };
    let key = move |ev: leptos::ev::KeyboardEvent| {
        let moved = lines.with_value(|l| step(&stops(l), cursor.at.get_untracked(), &ev.key()));
        if let Some(at) = moved {
            ev.prevent_default();
            cursor.at.set(at);
        }
    };
    view! {
        <div
            class="hit"
            tabindex=on("0")
            role=on("slider")
            aria-label=format!("{name}: values at a time (arrow keys)")
            aria-valuemin=frame.from_ms
            aria-valuemax=frame.to_ms
            aria-valuenow=move || cursor.at.get()
            aria-valuetext=move || cursor.at.get().map(clock)
            on:pointermove=point
            on:pointerleave=move |_| cursor.at.set(None)
            on:keydown=key
            on:blur=left
        ></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_point_within_the_gap_gives_the_value() {
        let points = [
            Point {
                at_ms: 0,
                value: 1.0,
            },
            Point {
                at_ms: 100,
                value: 2.0,
            },
            Point {
                at_ms: 1_000,
                value: 3.0,
            },
        ];
        assert_eq!(nearest(&points, 40, 50), Some(1.0));
        assert_eq!(nearest(&points, 60, 50), Some(2.0));
        assert_eq!(nearest(&points, 550, 200), None);
        assert_eq!(nearest(&points, 5_000, 10_000), Some(3.0));
        assert_eq!(nearest(&[], 0, 10), None);
    }

    #[test]
    fn keys_walk_the_points_and_escape_lets_go() {
        let times = [10, 20, 30];
        assert_eq!(step(&times, None, "ArrowRight"), Some(Some(10)));
        assert_eq!(step(&times, Some(10), "ArrowRight"), Some(Some(20)));
        assert_eq!(step(&times, Some(30), "ArrowRight"), Some(Some(30)));
        assert_eq!(step(&times, Some(20), "ArrowLeft"), Some(Some(10)));
        assert_eq!(step(&times, Some(20), "End"), Some(Some(30)));
        assert_eq!(step(&times, Some(20), "Escape"), Some(None));
        assert_eq!(step(&times, Some(20), "a"), None);
    }
}
