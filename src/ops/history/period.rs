//! Folds the sampler's samples into minutes, and minutes into ten
//! minutes: per series the sum, count and highest of the values sampled
//! within the period, and the minutes they span. Pure; the sampler stores
//! each period once, when the first item of the next one arrives.

use crate::db::{MonitorPeriod, Tally};
use crate::model::Sample;
use std::collections::BTreeMap;

pub const MINUTE_MS: i64 = 60_000;
pub const TEN_MINUTES_MS: i64 = 10 * MINUTE_MS;

/// The start of the minute holding `at_ms`.
pub fn minute_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// A sample's values as tallies of one sample each; values that are not
/// finite never count.
pub fn tallies_of(sample: &Sample) -> impl Iterator<Item = (&str, Tally)> {
    sample
        .values
        .iter()
        .filter(|(_, value)| value.is_finite())
        .map(|(key, value)| {
            let tally = Tally {
                sum: *value,
                count: 1,
                max: *value,
                minutes: 0,
            };
            (key.as_str(), tally)
        })
}

/// The period being filled.
#[derive(Debug)]
pub struct Periods {
    width_ms: i64,
    current: Option<(i64, BTreeMap<String, Tally>)>,
}

impl Periods {
    pub fn new(width_ms: i64) -> Self {
        Self {
            width_ms: width_ms.max(1),
            current: None,
        }
    }

    /// Adds the tallies of `at_ms`; returns the period they closed, when
    /// they belong to a later one. Tallies older than the period being
    /// filled (the clock went back) are left out rather than reopening one.
    pub fn add<'a>(
        &mut self,
        at_ms: i64,
        tallies: impl IntoIterator<Item = (&'a str, Tally)>,
    ) -> Option<MonitorPeriod> {
        let start = at_ms.div_euclid(self.width_ms) * self.width_ms;
        let closed = match &self.current {
            Some((current, _)) if start < *current => return None,
            Some((current, _)) if start == *current => None,
            _ => self.take(),
        };
        let (_, kept) = self.current.get_or_insert_with(|| (start, BTreeMap::new()));
        for (key, tally) in tallies {
            match kept.get_mut(key) {
                Some(known) => known.merge(tally),
                None => {
                    kept.insert(key.to_owned(), tally);
                }
            }
        }
        closed
    }

    /// The period being filled, unfinished (the sampler stops); none when
    /// it holds no value. A minute's tallies span one minute.
    pub fn take(&mut self) -> Option<MonitorPeriod> {
        let (start_ms, tallies) = self.current.take()?;
        let whole_minute = self.width_ms == MINUTE_MS;
        (!tallies.is_empty()).then(|| MonitorPeriod {
            width_ms: self.width_ms,
            start_ms,
            series: tallies
                .into_iter()
                .map(|(key, mut tally)| {
                    if whole_minute {
                        tally.minutes = 1;
                    }
                    (key, tally)
                })
                .collect(),
        })
    }
}

/// The sampler's minutes and ten minutes: what each sample closes.
#[derive(Debug)]
pub struct Minutes {
    minutes: Periods,
    tens: Periods,
}

impl Default for Minutes {
    fn default() -> Self {
        Self {
            minutes: Periods::new(MINUTE_MS),
            tens: Periods::new(TEN_MINUTES_MS),
        }
    }
}

impl Minutes {
    /// Adds `sample`; returns the periods it closed: a minute, and the ten
    /// minutes that minute closed.
    pub fn add(&mut self, sample: &Sample) -> Vec<MonitorPeriod> {
        let closed = self.minutes.add(sample.at_ms, tallies_of(sample));
        self.fold(closed)
    }

    /// Every unfinished period (the sampler stops).
    pub fn take(&mut self) -> Vec<MonitorPeriod> {
        let minute = self.minutes.take();
        let mut periods = self.fold(minute);
        periods.extend(self.tens.take());
        periods
    }

    fn fold(&mut self, minute: Option<MonitorPeriod>) -> Vec<MonitorPeriod> {
        let Some(minute) = minute else {
            return Vec::new();
        };
        let tallies = minute.series.iter().map(|(k, t)| (k.as_str(), *t));
        let ten = self.tens.add(minute.start_ms, tallies);
        std::iter::once(minute).chain(ten).collect()
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

    fn tally(sum: f64, count: u32, max: f64, minutes: u32) -> Tally {
        Tally {
            sum,
            count,
            max,
            minutes,
        }
    }

    #[test]
    fn thirty_samples_make_one_minute_per_series_with_their_sum_and_peak() {
        let mut minutes = Minutes::default();
        // Every 2 s from 12:00:00 to 12:00:58, then 12:01:00 closes it.
        for n in 0_u32..30 {
            let closed = minutes.add(&sample(
                u64::from(n) + 1,
                720 * MINUTE_MS + i64::from(n) * 2_000,
                &[("ops/insert", f64::from(n)), ("connections/current", 4.0)],
            ));
            assert!(closed.is_empty());
        }
        let closed = minutes.add(&sample(31, 721 * MINUTE_MS, &[("ops/insert", 100.0)]));
        assert_eq!(closed.len(), 1, "a minute, and no ten minutes yet");
        assert_eq!(closed[0].start_ms, 720 * MINUTE_MS);
        // 0 + 1 + ... + 29 = 435, computed here by hand.
        assert_eq!(
            closed[0].series,
            vec![
                ("connections/current".to_owned(), tally(120.0, 30, 4.0, 1)),
                ("ops/insert".to_owned(), tally(435.0, 30, 29.0, 1)),
            ]
        );
        let rest = minutes.take();
        assert_eq!(rest.len(), 2, "the unfinished minute and ten minutes");
        assert_eq!(rest[1].width_ms, TEN_MINUTES_MS);
        assert_eq!(
            rest[1].series[1],
            ("ops/insert".to_owned(), tally(535.0, 31, 100.0, 2))
        );
        assert!(minutes.take().is_empty());
    }

    #[test]
    fn ten_minutes_close_when_the_eleventh_minute_closes() {
        let mut minutes = Minutes::default();
        let mut closed = Vec::new();
        // One sample a minute for twelve minutes, from 12:00.
        for m in 0..12 {
            closed.extend(minutes.add(&sample(
                m + 1,
                (720 + i64::try_from(m).expect("small")) * MINUTE_MS,
                &[("ops/insert", 2.0)],
            )));
        }
        let tens: Vec<&MonitorPeriod> = closed
            .iter()
            .filter(|p| p.width_ms == TEN_MINUTES_MS)
            .collect();
        assert_eq!(closed.len(), 12, "eleven minutes and one ten minutes");
        assert_eq!(tens.len(), 1);
        assert_eq!(tens[0].start_ms, 720 * MINUTE_MS);
        assert_eq!(tens[0].series[0].1, tally(20.0, 10, 2.0, 10));
    }

    #[test]
    fn a_sample_from_an_earlier_minute_is_left_out_and_nan_never_counts() {
        let mut minutes = Minutes::default();
        minutes.add(&sample(1, 5 * MINUTE_MS, &[("ops/insert", 1.0)]));
        assert!(
            minutes
                .add(&sample(2, 4 * MINUTE_MS, &[("ops/insert", 9.0)]))
                .is_empty()
        );
        minutes.add(&sample(3, 5 * MINUTE_MS + 1, &[("ops/insert", f64::NAN)]));
        let minute = &minutes.take()[0];
        assert_eq!(minute.series[0].1, tally(1.0, 1, 1.0, 1));
        assert_eq!(minute_of(-1), -MINUTE_MS);
    }
}
