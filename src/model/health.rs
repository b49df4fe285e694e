//! The health report: what `GET /api/health` answers and the header shows.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the Phase 0 migration stands, as recorded in the changelog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationState {
    /// No run recorded yet.
    Pending,
    /// A run holds the lock and is applying changes.
    Running,
    /// Every change is in place.
    Applied,
    /// The last run stopped on an error; its record says what was applied.
    Failed,
    /// Reverted or restored from a backup; the history is kept.
    RolledBack,
    /// The process running it died; the next run continues it.
    Interrupted,
}

impl MigrationState {
    /// The word stored in the changelog and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Applied => "applied",
            Self::Failed => "failed",
            Self::RolledBack => "rolled_back",
            Self::Interrupted => "interrupted",
        }
    }

    /// Parses the stored word; `None` for a word this version does not know.
    pub fn parse(word: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Running,
            Self::Applied,
            Self::Failed,
            Self::RolledBack,
            Self::Interrupted,
        ]
        .into_iter()
        .find(|state| state.as_str() == word)
    }
}

impl fmt::Display for MigrationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Healthy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseHealth {
    pub reachable: bool,
    /// The server's version as `buildInfo` reports it.
    pub version: String,
    /// Round trip of one `ping`, in milliseconds.
    pub latency_ms: f64,
    /// The database the app works on.
    pub name: String,
    /// True when the app started its own embedded server.
    pub embedded: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationHealth {
    pub name: String,
    pub state: MigrationState,
}

/// A healthy answer of `GET /api/health` (`data` of the envelope).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    pub status: HealthStatus,
    pub database: DatabaseHealth,
    pub migration: MigrationHealth,
    pub uptime_seconds: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_round_trips_through_its_stored_word() {
        for state in [
            MigrationState::Pending,
            MigrationState::Running,
            MigrationState::Applied,
            MigrationState::Failed,
            MigrationState::RolledBack,
            MigrationState::Interrupted,
        ] {
            assert_eq!(MigrationState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).expect("serialises");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert_eq!(MigrationState::parse("dirty"), None);
    }
}
