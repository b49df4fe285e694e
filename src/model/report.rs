//! The deployment report: everything that happened in one deployment, in
//! time order, with links to the evidence, and the Monitor's history over
//! it. The Report page, its downloads and `forest-runbook report` show
//! the same value.

use super::{Action, ChangeResult, MonitorHistory, Outcome};
use serde::{Deserialize, Serialize};

/// Events one report holds at most; a longer deployment says how many
/// more there were rather than growing without bound.
pub const MAX_EVENTS: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentReport {
    pub migration: String,
    pub database: String,
    /// RFC 3339: when the report was made.
    pub generated_at: String,
    /// RFC 3339: where this deployment starts, the end of the rollback
    /// before it; `None` when there was none (it starts with the records).
    pub since: Option<String>,
    /// The events, oldest first.
    pub events: Vec<ReportEvent>,
    /// Events after the first `MAX_EVENTS`, not listed.
    pub left_out: u64,
    pub tally: ReportTally,
    /// The migration's changes as this deployment's newest migrate run
    /// left them (with their outcome and timing), or pending before one.
    pub plan: Vec<ChangeResult>,
    /// The Monitor's kept minutes over the deployment.
    pub history: MonitorHistory,
}

/// Where an event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// Something a person (or the CLI) did, from the audit log.
    Action,
    /// One change of a run (an index built or dropped, a collection
    /// created), from the changelog.
    Change,
    /// A request to the Forest API that started or stopped failing.
    Probe,
    /// A Monitor threshold newly breached.
    Alert,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::Change => "change",
            Self::Probe => "probe",
            Self::Alert => "alert",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportEvent {
    /// RFC 3339.
    pub at: String,
    pub source: EventSource,
    /// The audited action, for events from the audit log whose name this
    /// version knows.
    pub action: Option<Action>,
    /// A username, `cli:<os user>`, or the app itself.
    pub actor: String,
    /// What happened, e.g. `step.migrate`, `migrate: tasks_clientId_key`,
    /// `GET /api/health`.
    pub what: String,
    pub outcome: Outcome,
    /// The note, the error or the summary that came with it.
    pub detail: Option<String>,
    /// How long it took, when known.
    pub duration_ms: Option<u64>,
    /// The page that holds its evidence (a path of this app).
    pub link: String,
}

/// A step's or a change's time as people read it: milliseconds under a
/// second (a tenth of a second would round them to nothing), tenths above.
pub fn duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else {
        format!("{}.{} s", ms / 1_000, (ms % 1_000) / 100)
    }
}

/// The deployment in numbers, for the report's first lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportTally {
    pub backups: u64,
    pub steps: u64,
    pub changes: u64,
    pub ticks: u64,
    pub acknowledgements: u64,
    pub approvals: u64,
    pub rollbacks: u64,
    pub failures: u64,
    pub probe_failures: u64,
    pub alerts: u64,
}

impl ReportTally {
    /// The numbers as one sentence.
    pub fn sentence(&self) -> String {
        let parts = [
            (self.backups, "backup", "backups"),
            (self.steps, "step", "steps"),
            (self.changes, "change applied", "changes applied"),
            (self.ticks, "tick", "ticks"),
            (self.acknowledgements, "acknowledgement", "acknowledgements"),
            (self.approvals, "approval", "approvals"),
            (self.rollbacks, "rollback", "rollbacks"),
            (self.failures, "failure", "failures"),
            (self.probe_failures, "probe failure", "probe failures"),
            (self.alerts, "alert", "alerts"),
        ];
        let words: Vec<String> = parts
            .iter()
            .map(|&(count, one, many)| format!("{count} {}", if count == 1 { one } else { many }))
            .collect();
        words.join(", ") + "."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_steps_read_in_milliseconds_and_long_ones_in_tenths_of_seconds() {
        assert_eq!(duration(0), "0 ms");
        assert_eq!(duration(87), "87 ms");
        assert_eq!(duration(999), "999 ms");
        assert_eq!(duration(1_000), "1.0 s");
        assert_eq!(duration(12_345), "12.3 s");
    }

    #[test]
    fn numbers_read_as_words() {
        let tally = ReportTally {
            backups: 1,
            ticks: 6,
            ..ReportTally::default()
        };
        let line = tally.sentence();
        assert!(line.starts_with("1 backup, 0 steps,"), "{line}");
        assert!(line.ends_with("6 ticks, 0 acknowledgements, 0 approvals, 0 rollbacks, 0 failures, 0 probe failures, 0 alerts."), "{line}");
    }
}
