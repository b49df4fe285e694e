//! `Window`: the last 15 minutes of samples, one bounded ring per series.
//! The server keeps one for everyone; a browser keeps its own copy, seeded
//! with the server's and then fed the same samples.

use super::{MigrationProgress, Ring, Sample, group_of};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How much history the dashboard keeps and charts.
pub const WINDOW_SECS: u64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Point {
    pub at_ms: i64,
    pub value: f64,
}

/// One series' points, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub points: Ring<Point>,
}

impl Series {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|p| p.value)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    pub interval_secs: u64,
    /// Points each series keeps: 15 minutes of intervals.
    pub capacity: usize,
    /// The newest sample's `seq` and time; 0 before the first.
    pub last_seq: u64,
    pub last_at_ms: i64,
    pub series: BTreeMap<String, Series>,
    /// Group → why its source could not be read, as of the newest sample.
    pub unavailable: BTreeMap<String, String>,
    pub migration: Option<Result<MigrationProgress, String>>,
}

impl Window {
    pub fn new(interval_secs: u64) -> Self {
        let interval_secs = interval_secs.max(1);
        Self {
            interval_secs,
            capacity: usize::try_from(WINDOW_SECS / interval_secs).map_or(1, |n| n + 1),
            last_seq: 0,
            last_at_ms: 0,
            series: BTreeMap::new(),
            unavailable: BTreeMap::new(),
            migration: None,
        }
    }

    /// Adds `sample`; false (and no change) when it is not newer than the
    /// last one, so a sample delivered twice counts once. Points older than
    /// the window and series left empty are dropped, so memory stays bounded
    /// however long the server runs and whichever series come and go.
    pub fn push(&mut self, sample: &Sample) -> bool {
        if sample.seq <= self.last_seq {
            return false;
        }
        for (key, value) in &sample.values {
            let capacity = self.capacity;
            self.series
                .entry(key.clone())
                .or_insert_with(|| Series {
                    points: Ring::new(capacity),
                })
                .points
                .push(Point {
                    at_ms: sample.at_ms,
                    value: *value,
                });
        }
        let oldest = sample.at_ms - i64::try_from(WINDOW_SECS * 1_000).unwrap_or(i64::MAX);
        for series in self.series.values_mut() {
            series.points.drop_while(|p| p.at_ms < oldest);
        }
        self.series.retain(|_, series| !series.points.is_empty());
        self.unavailable = sample.unavailable.clone();
        self.migration = Some(sample.migration.clone());
        self.last_seq = sample.seq;
        self.last_at_ms = sample.at_ms;
        true
    }

    /// The newest value of `key`, if it has one in the window.
    pub fn latest(&self, key: &str) -> Option<f64> {
        self.series.get(key).and_then(Series::latest)
    }

    /// The series of `group`, by key.
    pub fn group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = (&'a String, &'a Series)> {
        self.series
            .iter()
            .filter(move |(key, _)| group_of(key) == group)
    }

    /// Why `group`'s source could not be read at the newest sample.
    pub fn unavailable(&self, group: &str) -> Option<&str> {
        self.unavailable.get(group).map(String::as_str)
    }

    /// Points held across all series.
    pub fn point_count(&self) -> usize {
        self.series.values().map(|s| s.points.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seq: u64, values: &[(&str, f64)]) -> Sample {
        Sample {
            seq,
            at_ms: i64::try_from(seq).expect("small") * 2_000,
            values: values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            unavailable: BTreeMap::new(),
            migration: Err("not read".to_owned()),
        }
    }

    #[test]
    fn each_series_stays_within_fifteen_minutes_after_many_samples() {
        let mut window = Window::new(2);
        assert_eq!(window.capacity, 451);
        for seq in 1..=5_000 {
            assert!(window.push(&sample(seq, &[("ops/insert", 1.0), ("ops/query", 2.0)])));
        }
        for series in window.series.values() {
            assert!(series.points.len() <= window.capacity);
        }
        assert_eq!(window.point_count(), 2 * 451);
        assert_eq!(window.last_seq, 5_000);
    }

    #[test]
    fn a_repeated_or_older_sample_is_ignored() {
        let mut window = Window::new(2);
        assert!(window.push(&sample(5, &[("ops/insert", 1.0)])));
        assert!(!window.push(&sample(5, &[("ops/insert", 9.0)])));
        assert!(!window.push(&sample(4, &[("ops/insert", 9.0)])));
        assert_eq!(window.latest("ops/insert"), Some(1.0));
    }

    #[test]
    fn a_series_that_stops_reporting_leaves_after_the_window() {
        let mut window = Window::new(2);
        window.push(&sample(1, &[("commands/find", 3.0), ("ops/insert", 1.0)]));
        for seq in 2..=460 {
            window.push(&sample(seq, &[("ops/insert", 1.0)]));
        }
        assert_eq!(window.latest("commands/find"), None);
        assert_eq!(window.group("ops").count(), 1);
    }
}
