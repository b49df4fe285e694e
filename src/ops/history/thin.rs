//! Downsampling on read: the stored minutes of a span folded into at most
//! a chart's width of points per series. Pure. A point's value is the mean
//! of every value sampled in it, except for counts per interval (checkout
//! failures), whose value is per minute; its peak is the highest sample.

use super::period::MINUTE_MS;
use crate::db::Tally;
use crate::model::{Span, Summary};
use std::collections::BTreeMap;

/// True for a series that counts events per interval rather than a level
/// or a rate: its minutes add up, and a point shows the count per minute.
pub fn is_count(series: &str) -> bool {
    series.ends_with("/checkout_failures")
}

/// `n / d` rounded up, for positive `d` (`i64::div_ceil` is unstable).
fn ceiling(n: i64, d: i64) -> i64 {
    n / d + i64::from(n % d > 0)
}

/// Folds minutes into points `step_ms` wide from the span's start.
#[derive(Debug)]
pub struct Thinner {
    span: Span,
    step_ms: i64,
    series: BTreeMap<String, BTreeMap<i64, Tally>>,
}

impl Thinner {
    /// Points of whole periods `width_ms` wide, as few each as keeps every
    /// series within `max_points` over `span`.
    pub fn new(span: Span, max_points: usize, width_ms: i64) -> Self {
        let width_ms = width_ms.max(MINUTE_MS);
        let length = span.to_ms.saturating_sub(span.from_ms).max(width_ms);
        let periods = ceiling(length, width_ms);
        let points = i64::try_from(max_points.max(1)).unwrap_or(i64::MAX);
        Self {
            span,
            step_ms: ceiling(periods, points).max(1) * width_ms,
            series: BTreeMap::new(),
        }
    }

    pub fn step_ms(&self) -> i64 {
        self.step_ms
    }

    /// Adds one stored tally of the period starting at `start_ms`; periods
    /// outside the span are left out.
    pub fn add(&mut self, start_ms: i64, series: &str, tally: Tally) {
        if start_ms < self.span.from_ms || start_ms >= self.span.to_ms || tally.count == 0 {
            return;
        }
        let index = (start_ms - self.span.from_ms) / self.step_ms;
        // Looked up first, so that a known series costs no allocation.
        let buckets = match self.series.get_mut(series) {
            Some(buckets) => buckets,
            None => self.series.entry(series.to_owned()).or_default(),
        };
        buckets
            .entry(index)
            .and_modify(|b| b.merge(tally))
            .or_insert(tally);
    }

    /// Each series' points, oldest first, at the start of their step.
    pub fn finish(self) -> BTreeMap<String, Vec<(i64, Summary)>> {
        let (from_ms, step_ms) = (self.span.from_ms, self.step_ms);
        self.series
            .into_iter()
            .map(|(key, buckets)| {
                let count = is_count(&key);
                let points = buckets
                    .into_iter()
                    .map(|(index, b)| {
                        let value = if count {
                            b.sum / f64::from(b.minutes.max(1))
                        } else {
                            b.sum / f64::from(b.count)
                        };
                        let summary = Summary { value, peak: b.max };
                        (from_ms + index * step_ms, summary)
                    })
                    .collect();
                (key, points)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(sum: f64, count: u32, max: f64) -> Tally {
        Tally {
            sum,
            count,
            max,
            minutes: 1,
        }
    }

    const DAY_MS: i64 = 86_400_000;

    #[test]
    fn seven_days_of_minutes_fold_into_at_most_three_hundred_points() {
        let span = Span {
            from_ms: 0,
            to_ms: 7 * DAY_MS,
        };
        let mut thinner = Thinner::new(span, 300, MINUTE_MS);
        // 10 080 minutes / 300 points = 33.6, so 34 minutes a point.
        assert_eq!(thinner.step_ms(), 34 * MINUTE_MS);
        for minute in 0..7 * 1_440 {
            thinner.add(
                minute * MINUTE_MS,
                "connections/current",
                tally(60.0, 30, 3.0),
            );
        }
        let points = &thinner.finish()["connections/current"];
        assert_eq!(points.len(), 297); // ceil(10 080 / 34)
        assert!(points.iter().all(|(_, s)| s.value == 2.0 && s.peak == 3.0));
        assert_eq!(points[1].0, 34 * MINUTE_MS);
    }

    #[test]
    fn means_weigh_every_sample_and_counts_are_per_minute() {
        let span = Span {
            from_ms: 0,
            to_ms: 10 * MINUTE_MS,
        };
        let mut thinner = Thinner::new(span, 1, MINUTE_MS);
        // Minute 0: 30 samples summing 30; minute 1: 10 samples summing 50.
        thinner.add(0, "ops/insert", tally(30.0, 30, 2.0));
        thinner.add(MINUTE_MS, "ops/insert", tally(50.0, 10, 9.0));
        // Failures: 4 in minute 0, 2 in minute 5.
        thinner.add(0, "pool/a/checkout_failures", tally(4.0, 30, 2.0));
        thinner.add(
            5 * MINUTE_MS,
            "pool/a/checkout_failures",
            tally(2.0, 30, 1.0),
        );
        // Outside the span: left out.
        thinner.add(10 * MINUTE_MS, "ops/insert", tally(1e9, 1, 1e9));
        let all = thinner.finish();
        // (30 + 50) / (30 + 10) = 2, the mean of all 40 samples (not of the
        // two minutes' means, 1 and 5).
        assert_eq!(
            all["ops/insert"],
            vec![(
                0,
                Summary {
                    value: 2.0,
                    peak: 9.0
                }
            )]
        );
        // (4 + 2) failures over 2 minutes with data = 3 a minute.
        assert_eq!(
            all["pool/a/checkout_failures"],
            vec![(
                0,
                Summary {
                    value: 3.0,
                    peak: 2.0
                }
            )]
        );
    }

    #[test]
    fn a_short_or_empty_span_keeps_minutes_whole() {
        let empty = Span {
            from_ms: 5,
            to_ms: 5,
        };
        let thinner = Thinner::new(empty, 300, MINUTE_MS);
        assert_eq!(thinner.step_ms(), MINUTE_MS);
        // Ten-minute periods over 7 days: 1 008 of them, 4 a point.
        let week = Span {
            from_ms: 0,
            to_ms: 7 * DAY_MS,
        };
        assert_eq!(
            Thinner::new(week, 300, 10 * MINUTE_MS).step_ms(),
            40 * MINUTE_MS
        );
        assert!(thinner.finish().is_empty());
        assert!(is_count("pool/127.0.0.1:27017/checkout_failures"));
        assert!(!is_count("pool/127.0.0.1:27017/in_use"));
    }
}
