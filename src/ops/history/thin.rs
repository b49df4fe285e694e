//! Downsampling on read: the stored minutes of a span folded into at most
//! a chart's width of points per series. Pure. A point's value is the mean
//! of every value sampled in it, except for counts per interval (checkout
//! failures), whose value is per minute; its peak is the highest sample.

use super::minute::MINUTE_MS;
use crate::db::MinuteTally;
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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    sum: f64,
    count: u64,
    max: f64,
    minutes: u32,
    last_minute: i64,
}

/// Folds minutes into points `step_ms` wide from the span's start.
#[derive(Debug)]
pub struct Thinner {
    span: Span,
    step_ms: i64,
    series: BTreeMap<String, BTreeMap<i64, Bucket>>,
}

impl Thinner {
    /// Points of whole minutes, as few minutes each as keeps every series
    /// within `max_points` over `span`.
    pub fn new(span: Span, max_points: usize) -> Self {
        let length = span.to_ms.saturating_sub(span.from_ms).max(MINUTE_MS);
        let minutes = ceiling(length, MINUTE_MS);
        let points = i64::try_from(max_points.max(1)).unwrap_or(i64::MAX);
        Self {
            span,
            step_ms: ceiling(minutes, points).max(1) * MINUTE_MS,
            series: BTreeMap::new(),
        }
    }

    pub fn step_ms(&self) -> i64 {
        self.step_ms
    }

    /// Adds one stored tally; minutes outside the span are left out.
    pub fn add(&mut self, minute_ms: i64, series: &str, tally: MinuteTally) {
        if minute_ms < self.span.from_ms || minute_ms >= self.span.to_ms || tally.count == 0 {
            return;
        }
        let index = (minute_ms - self.span.from_ms) / self.step_ms;
        // Looked up first, so that a known series costs no allocation.
        let buckets = match self.series.get_mut(series) {
            Some(buckets) => buckets,
            None => self.series.entry(series.to_owned()).or_default(),
        };
        buckets
            .entry(index)
            .and_modify(|b| {
                b.sum += tally.sum;
                b.count += u64::from(tally.count);
                b.max = b.max.max(tally.max);
                // Two entries of one minute (two writers) are one minute.
                if b.last_minute != minute_ms {
                    b.minutes += 1;
                    b.last_minute = minute_ms;
                }
            })
            .or_insert(Bucket {
                sum: tally.sum,
                count: u64::from(tally.count),
                max: tally.max,
                minutes: 1,
                last_minute: minute_ms,
            });
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
                            b.sum / f64::from(b.minutes)
                        } else {
                            b.sum / b.count as f64
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

    fn tally(sum: f64, count: u32, max: f64) -> MinuteTally {
        MinuteTally { sum, count, max }
    }

    const DAY_MS: i64 = 86_400_000;

    #[test]
    fn seven_days_of_minutes_fold_into_at_most_three_hundred_points() {
        let span = Span {
            from_ms: 0,
            to_ms: 7 * DAY_MS,
        };
        let mut thinner = Thinner::new(span, 300);
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
        let mut thinner = Thinner::new(span, 1);
        // Minute 0: 30 samples summing 30; minute 1: 10 samples summing 50.
        thinner.add(0, "ops/insert", tally(30.0, 30, 2.0));
        thinner.add(MINUTE_MS, "ops/insert", tally(50.0, 10, 9.0));
        // Failures: 4 in minute 0, written by two writers (1 + 3), 2 in minute 5.
        thinner.add(0, "pool/a/checkout_failures", tally(1.0, 10, 1.0));
        thinner.add(0, "pool/a/checkout_failures", tally(3.0, 20, 2.0));
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
        // (1 + 3 + 2) failures over 2 minutes with data = 3 a minute.
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
        let thinner = Thinner::new(
            Span {
                from_ms: 5,
                to_ms: 5,
            },
            300,
        );
        assert_eq!(thinner.step_ms(), MINUTE_MS);
        assert!(thinner.finish().is_empty());
        assert!(is_count("pool/127.0.0.1:27017/checkout_failures"));
        assert!(!is_count("pool/127.0.0.1:27017/in_use"));
    }
}
