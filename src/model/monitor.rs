//! The monitoring dashboard's data, shared by the server and the browser:
//! one sample per interval, the 15-minute window kept as a bounded ring per
//! series, the longer history read from the database, and the thresholds an admin sets with the alerts they raise.

mod alerts;
mod history;
mod ring;
mod window;

pub use alerts::{Alert, Bound, Threshold, breaches};
pub use history::{Compared, Comparison, HistoryRange, MAX_POINTS, MonitorHistory, Span, Summary};
pub use ring::Ring;
pub use window::{Point, Series, WINDOW_SECS, Window};

use super::MigrationState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the migration stands as the sampler last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationProgress {
    pub migration: String,
    pub state: MigrationState,
    /// The change being applied, while a run is in progress.
    pub running_step: Option<String>,
    /// Changes of the latest run that are done, out of `total`.
    pub done: usize,
    pub total: usize,
}

/// What the sampler read in one interval. Series are named
/// `<group>/<name>`; a group whose source could not be read has no values
/// and says why in `unavailable`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    /// Counts up from 1 for the life of the server.
    pub seq: u64,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
    pub values: BTreeMap<String, f64>,
    /// Group → why its source could not be read.
    pub unavailable: BTreeMap<String, String>,
    pub migration: Result<MigrationProgress, String>,
}

/// What the Monitor page loads before live samples arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonitorOverview {
    pub window: Window,
    pub thresholds: Vec<Threshold>,
}

/// The group of a series key: `ops` of `ops/insert`.
pub fn group_of(series: &str) -> &str {
    series.split_once('/').map_or(series, |(group, _)| group)
}
