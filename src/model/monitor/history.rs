//! The Monitor's history: which range a person asks for, and what the
//! server answers, downsampled to at most a chart's width of points per
//! series (and, for the comparison, one summary per series and side).

use super::Point;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the Monitor page charts: the live window, or a range of the
/// minutes kept in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryRange {
    /// The last 15 minutes, as they are sampled.
    Live,
    /// Since the deployment's first migrate run (after the last rollback).
    Deployment,
    /// The last 24 hours.
    Day,
    /// The hour before the latest migrate run against the hour after it.
    Compare,
}

impl HistoryRange {
    pub const ALL: [Self; 4] = [Self::Live, Self::Deployment, Self::Day, Self::Compare];

    /// The word in the page's address: `/monitor?range=24h`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Deployment => "deployment",
            Self::Day => "24h",
            Self::Compare => "compare",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == word)
    }

    /// How the page names the range.
    pub fn label(self) -> &'static str {
        match self {
            Self::Live => "Live: the last 15 minutes",
            Self::Deployment => "Since the deployment started",
            Self::Day => "The last 24 hours",
            Self::Compare => "Before and after the migration",
        }
    }
}

/// A stretch of time, in milliseconds since the epoch, `to_ms` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Span {
    pub from_ms: i64,
    pub to_ms: i64,
}

/// One series over a span: its value (the mean, or per minute for counts)
/// and the highest value sampled in it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub value: f64,
    pub peak: f64,
}

/// One series on both sides of the migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    pub series: String,
    pub before: Option<Summary>,
    pub after: Option<Summary>,
}

/// The hour before the migration's start against the hour after its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub before: Span,
    pub after: Span,
    /// False while the run has not finished: `after` then starts at its
    /// start and ends now.
    pub finished: bool,
    pub rows: Vec<Compared>,
}

/// A range of the kept minutes, as the Monitor page charts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorHistory {
    pub range: HistoryRange,
    pub span: Span,
    /// Width of one charted point in seconds: 60 or more, so that no
    /// series has more than `MAX_POINTS` points.
    pub step_secs: u64,
    pub series: BTreeMap<String, Vec<Point>>,
    pub comparison: Option<Comparison>,
    /// Why the range is empty or shorter than asked, in words.
    pub note: Option<String>,
    /// Days of minutes the database keeps.
    pub keep_days: u32,
}

/// Points a history chart holds per series, at most: about one per pixel
/// column of a panel's chart.
pub const MAX_POINTS: usize = 300;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_through_their_words() {
        for range in HistoryRange::ALL {
            assert_eq!(HistoryRange::parse(range.as_str()), Some(range));
        }
        assert_eq!(HistoryRange::parse("24h"), Some(HistoryRange::Day));
        assert_eq!(HistoryRange::parse("7d"), None);
        assert_eq!(HistoryRange::parse(""), None);
    }
}
