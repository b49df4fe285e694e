//! Thresholds an admin sets on a series, and the alerts they raise over
//! the window: a value past its threshold is coloured and listed.

use super::Window;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    Above,
    Below,
}

impl Bound {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Above => "above",
            Self::Below => "below",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::Above, Self::Below]
            .into_iter()
            .find(|b| b.as_str() == word)
    }
}

/// A series' value is in breach when it is above (or below) `limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub series: String,
    pub bound: Bound,
    pub limit: f64,
}

impl Threshold {
    pub fn breached_by(&self, value: f64) -> bool {
        match self.bound {
            Bound::Above => value > self.limit,
            Bound::Below => value < self.limit,
        }
    }

    /// `ops/insert above 100`.
    pub fn describe(&self) -> String {
        format!("{} {} {}", self.series, self.bound.as_str(), self.limit)
    }
}

/// A threshold breached at least once within the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub threshold: Threshold,
    /// When the first and the latest breaching value were sampled (ms).
    pub first_at_ms: i64,
    pub last_at_ms: i64,
    /// The latest breaching value.
    pub value: f64,
    /// True while the newest value is still in breach.
    pub active: bool,
}

/// The alerts `thresholds` raise over `window`: active ones first.
pub fn breaches(window: &Window, thresholds: &[Threshold]) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = thresholds
        .iter()
        .filter_map(|threshold| {
            let series = window.series.get(&threshold.series)?;
            let mut breaching = series
                .points
                .iter()
                .filter(|p| threshold.breached_by(p.value));
            let first = *breaching.next()?;
            let last = breaching.next_back().copied().unwrap_or(first);
            Some(Alert {
                threshold: threshold.clone(),
                first_at_ms: first.at_ms,
                last_at_ms: last.at_ms,
                value: last.value,
                active: series.latest().is_some_and(|v| threshold.breached_by(v)),
            })
        })
        .collect();
    alerts.sort_by_key(|alert| (!alert.active, -alert.last_at_ms));
    alerts
}

#[cfg(test)]
mod tests {
    use super::super::Sample;
    use super::*;
    use std::collections::BTreeMap;

    fn window_of(values: &[f64]) -> Window {
        let mut window = Window::new(2);
        for (seq, value) in (1..).zip(values) {
            window.push(&Sample {
                seq,
                at_ms: i64::try_from(seq).expect("small") * 1_000,
                values: BTreeMap::from([("ops/insert".to_owned(), *value)]),
                unavailable: BTreeMap::new(),
                migration: Err(String::new()),
            });
        }
        window
    }

    fn above(limit: f64) -> Threshold {
        Threshold {
            series: "ops/insert".into(),
            bound: Bound::Above,
            limit,
        }
    }

    #[test]
    fn a_past_breach_is_listed_but_not_active() {
        let alerts = breaches(&window_of(&[1.0, 50.0, 70.0, 2.0]), &[above(10.0)]);
        assert_eq!(alerts.len(), 1);
        assert_eq!(alerts[0].first_at_ms, 2_000);
        assert_eq!(alerts[0].last_at_ms, 3_000);
        assert!((alerts[0].value - 70.0).abs() < f64::EPSILON);
        assert!(!alerts[0].active);
    }

    #[test]
    fn a_current_breach_is_active_and_limits_are_exclusive() {
        let window = window_of(&[1.0, 10.0, 11.0]);
        let alerts = breaches(&window, &[above(10.0)]);
        assert!(alerts[0].active);
        assert_eq!(alerts[0].first_at_ms, 3_000);
        let below = Threshold {
            bound: Bound::Below,
            ..above(1.0)
        };
        assert!(breaches(&window, &[below]).is_empty());
        assert!(breaches(&window, &[above(100.0)]).is_empty());
    }

    #[test]
    fn bounds_round_trip_through_their_words() {
        for bound in [Bound::Above, Bound::Below] {
            assert_eq!(Bound::parse(bound.as_str()), Some(bound));
        }
        assert_eq!(Bound::parse("sideways"), None);
    }
}
