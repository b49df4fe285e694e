//! What the Forest API page shows: the probes of the Forest API and the
//! per-minute counts of the Forest server's logs.

use serde::{Deserialize, Serialize};

/// One request to the Forest API and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// RFC 3339.
    pub at: String,
    pub method: String,
    pub url: String,
    pub expected_status: u16,
    /// `None` when no answer came (refused, timed out, ...).
    pub status: Option<u16>,
    pub latency_ms: u64,
    pub passed: bool,
    /// Why it passed or failed, in words a person can act on.
    pub reason: String,
    /// The start of the body, for the record.
    pub body_excerpt: String,
}

/// The probe settings in force and the latest results, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeOverview {
    /// `METHOD url → status` of each request a round sends.
    pub targets: Vec<String>,
    pub interval_secs: u64,
    pub deployment_in_progress: bool,
    pub results: Vec<ProbeResult>,
}

/// Where the log watcher stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    /// Neither a checkout nor an absolute folder is configured.
    NotConfigured,
    /// The configured folder does not exist (yet).
    FolderMissing,
    /// The folder is there and its newest files are followed.
    Watching,
}

/// The counts of one minute.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinuteCounts {
    /// Start of the minute, RFC 3339.
    pub minute: String,
    /// The same, in milliseconds since the epoch (for a chart's time axis).
    pub at_ms: i64,
    pub lines: u64,
    pub errors: u64,
    pub warnings: u64,
    /// "Tasks synced" lines.
    pub synced_events: u64,
    /// The tasks those lines report, where they carry a count.
    pub synced_tasks: u64,
    pub conflicts: u64,
}

/// One error line of the Forest server's logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLine {
    /// The line's own time (RFC 3339), or when it was read.
    pub at: String,
    pub file: String,
    pub text: String,
}

/// Errors counted since a moment, by the minute (the whole minute of
/// `since` included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorsSince {
    pub since: String,
    pub errors: u64,
}

/// What the log watcher has seen: the last hour by the minute, oldest
/// first, the latest error lines, newest first, and its own warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogSnapshot {
    pub status: LogStatus,
    /// The configured folder, when there is one.
    pub folder: Option<String>,
    /// The files being followed.
    pub files: Vec<String>,
    pub minutes: Vec<MinuteCounts>,
    pub recent_errors: Vec<ErrorLine>,
    /// Skipped lines, binary files, truncations, unreadable files.
    pub warnings: Vec<String>,
    /// Errors since the latest migrate run started (checklist item 4).
    pub since_migration: Option<ErrorsSince>,
    /// The Forest API's requests to the watched routes (`route_pattern`)
    /// over the same minutes, busiest first.
    pub routes: Vec<RouteStats>,
}

impl LogSnapshot {
    /// Conflict lines and synced tasks over the snapshot's minutes: the
    /// conflict rate's numerator and denominator.
    pub fn conflicts_per_synced_task(&self) -> (u64, u64) {
        self.minutes.iter().fold((0, 0), |(conflicts, tasks), m| {
            (
                conflicts.saturating_add(m.conflicts),
                tasks.saturating_add(m.synced_tasks),
            )
        })
    }
}

/// One route's requests, as the Forest API's request logs tell them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteStats {
    /// `METHOD /path`, ids shown as `:id`.
    pub route: String,
    pub requests: u64,
    /// Requests answered with status 500 or more.
    pub errors: u64,
    /// Response-time percentiles in microseconds, over the requests whose
    /// line carries a time (none when no line did).
    pub p50_micros: Option<u64>,
    pub p95_micros: Option<u64>,
    pub p99_micros: Option<u64>,
}
