//! Folds the sampler's samples into minutes: per series the sum, count and
//! highest of the values sampled within the minute. Pure; the sampler
//! stores each minute once, when the first sample of the next arrives.

use crate::db::{MinuteTally, MonitorMinute};
use crate::model::Sample;
use std::collections::BTreeMap;

pub const MINUTE_MS: i64 = 60_000;

/// The start of the minute holding `at_ms`.
pub fn minute_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// The minute being filled.
#[derive(Debug, Default)]
pub struct Minutes {
    current: Option<(i64, BTreeMap<String, MinuteTally>)>,
}

impl Minutes {
    /// Adds `sample`; returns the minute it closed, when it is the first
    /// sample of a later minute. A sample older than the minute being
    /// filled (the clock went back) is left out rather than reopening one.
    pub fn add(&mut self, sample: &Sample) -> Option<MonitorMinute> {
        let minute = minute_of(sample.at_ms);
        let closed = match &self.current {
            Some((current, _)) if minute < *current => return None,
            Some((current, _)) if minute == *current => None,
            _ => self.take(),
        };
        let (_, tallies) = self
            .current
            .get_or_insert_with(|| (minute, BTreeMap::new()));
        for (key, value) in &sample.values {
            if !value.is_finite() {
                continue;
            }
            tallies
                .entry(key.clone())
                .and_modify(|t| {
                    t.sum += value;
                    t.count = t.count.saturating_add(1);
                    t.max = t.max.max(*value);
                })
                .or_insert(MinuteTally {
                    sum: *value,
                    count: 1,
                    max: *value,
                });
        }
        closed
    }

    /// The minute being filled, unfinished (the sampler stops); none when
    /// it holds no value.
    pub fn take(&mut self) -> Option<MonitorMinute> {
        let (minute_ms, tallies) = self.current.take()?;
        (!tallies.is_empty()).then(|| MonitorMinute {
            minute_ms,
            series: tallies.into_iter().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seq: u64, at_ms: i64, values: &[(&str, f64)]) -> Sample {
        Sample {
            seq,
            at_ms,
            values: values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            unavailable: BTreeMap::new(),
            migration: Err(String::new()),
        }
    }

    #[test]
    fn thirty_samples_make_one_minute_per_series_with_their_sum_and_peak() {
        let mut minutes = Minutes::default();
        // Every 2 s from 12:00:00 to 12:00:58, then 12:01:00 closes it.
        for n in 0_u32..30 {
            let value = f64::from(n);
            let closed = minutes.add(&sample(
                u64::from(n) + 1,
                720 * MINUTE_MS + i64::from(n) * 2_000,
                &[("ops/insert", value), ("connections/current", 4.0)],
            ));
            assert_eq!(closed, None);
        }
        let closed = minutes
            .add(&sample(31, 721 * MINUTE_MS, &[("ops/insert", 100.0)]))
            .expect("the first minute closes");
        assert_eq!(closed.minute_ms, 720 * MINUTE_MS);
        // 0 + 1 + ... + 29 = 435, computed here by hand.
        assert_eq!(
            closed.series,
            vec![
                (
                    "connections/current".to_owned(),
                    MinuteTally {
                        sum: 120.0,
                        count: 30,
                        max: 4.0
                    }
                ),
                (
                    "ops/insert".to_owned(),
                    MinuteTally {
                        sum: 435.0,
                        count: 30,
                        max: 29.0
                    }
                ),
            ]
        );
        let rest = minutes.take().expect("the second minute, unfinished");
        assert_eq!(rest.minute_ms, 721 * MINUTE_MS);
        assert_eq!(rest.series.len(), 1);
        assert_eq!(minutes.take(), None);
    }

    #[test]
    fn a_sample_from_an_earlier_minute_is_left_out_and_nan_never_counts() {
        let mut minutes = Minutes::default();
        minutes.add(&sample(1, 5 * MINUTE_MS, &[("ops/insert", 1.0)]));
        assert_eq!(
            minutes.add(&sample(2, 4 * MINUTE_MS, &[("ops/insert", 9.0)])),
            None
        );
        minutes.add(&sample(3, 5 * MINUTE_MS + 1, &[("ops/insert", f64::NAN)]));
        let minute = minutes.take().expect("a minute");
        assert_eq!(
            minute.series[0].1,
            MinuteTally {
                sum: 1.0,
                count: 1,
                max: 1.0
            }
        );
        assert_eq!(minute_of(-1), -MINUTE_MS);
    }
}
