//! A rehearsal: the production sequence (restore the newest verified
//! backup, clean the duplicates, migrate, verify, revert) run on a scratch
//! copy, with each step's duration and what it would take in production.
//! A passing one of the current declaration, newer than the newest backup,
//! is the evidence for the checklist's two staging items.

use serde::{Deserialize, Serialize};

/// The steps of a rehearsal, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RehearsalStep {
    Restore,
    Dedupe,
    Migrate,
    Verify,
    Revert,
    /// The revert brought back the documents and index set as they were
    /// before migrate (a hash per collection).
    Compare,
    /// The scratch database dropped again.
    Drop,
}

impl RehearsalStep {
    pub const ALL: [Self; 7] = [
        Self::Restore,
        Self::Dedupe,
        Self::Migrate,
        Self::Verify,
        Self::Revert,
        Self::Compare,
        Self::Drop,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Restore => "restore the backup into the copy",
            Self::Dedupe => "clean the duplicates as planned",
            Self::Migrate => "migrate",
            Self::Verify => "verify",
            Self::Revert => "revert",
            Self::Compare => "compare with the state before migrate",
            Self::Drop => "drop the copy",
        }
    }
}

/// How a step of a rehearsal stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    #[default]
    Pending,
    Running,
    Passed,
    Failed,
    /// Not run, because an earlier step failed.
    Skipped,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// One step as it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    pub step: RehearsalStep,
    pub state: StepState,
    pub duration_ms: u64,
    /// What it found or did, in words.
    pub detail: String,
}

/// How a rehearsal ended, or that it still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RehearsalState {
    Running,
    Passed,
    Failed,
    /// The app stopped while it ran (its heartbeat went quiet).
    Interrupted,
}

impl RehearsalState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
        }
    }
}

/// One rehearsal, as recorded in the production database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rehearsal {
    pub id: String,
    pub migration: String,
    /// The declaration's checksum: a rehearsal of another one is stale.
    pub checksum: String,
    pub backup: String,
    /// The scratch database it ran in.
    pub database: String,
    /// "this server" or "the staging server".
    pub server: String,
    pub by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub state: RehearsalState,
    pub steps: Vec<StepRecord>,
    /// Why it failed, when it did.
    pub message: Option<String>,
    /// Documents in the backup it rehearsed on.
    pub documents: u64,
    /// Documents in the same collections of production when it started:
    /// step durations scale by the ratio.
    pub production_documents: u64,
}

impl Rehearsal {
    pub fn step(&self, step: RehearsalStep) -> Option<&StepRecord> {
        self.steps.iter().find(|record| record.step == step)
    }

    /// What `record` would take in production, scaled by the documents.
    pub fn expected_in_production_ms(&self, record: &StepRecord) -> u64 {
        scaled(
            record.duration_ms,
            self.production_documents,
            self.documents,
        )
    }

    /// The step that failed, if one did.
    pub fn failed_step(&self) -> Option<&StepRecord> {
        self.steps.iter().find(|r| r.state == StepState::Failed)
    }
}

/// `duration × production ÷ rehearsed`, saturating; unscaled when the copy
/// held no documents.
pub fn scaled(duration_ms: u64, production: u64, rehearsed: u64) -> u64 {
    if rehearsed == 0 {
        return duration_ms;
    }
    let product = u128::from(duration_ms) * u128::from(production) / u128::from(rehearsed);
    u64::try_from(product).unwrap_or(u64::MAX)
}

/// What a rehearsal would do now, before anyone starts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RehearsalPreview {
    pub backup: String,
    pub documents: u64,
    /// The backup's files; the copy needs at least this much room on the
    /// server (more when the files are compressed).
    pub bytes: u64,
    pub compressed: bool,
    pub server: String,
}

impl RehearsalPreview {
    /// The sentence said before a rehearsal starts.
    pub fn describe(&self) -> String {
        let room = if self.compressed {
            "more than the backup's compressed"
        } else {
            "about the backup's"
        };
        format!(
            "restores backup {} ({} documents) into a scratch database on {}: it needs {room} {} of room there",
            self.backup,
            self.documents,
            self.server,
            megabytes(self.bytes)
        )
    }
}

fn megabytes(bytes: u64) -> String {
    // Display only: f64 keeps any disk's size to the digit shown.
    let mb = bytes as f64 / 1_048_576.0;
    format!("{mb:.1} MB")
}

/// The Rehearse step as the Runbook shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RehearsalOverview {
    /// The newest rehearsal, running or ended.
    pub latest: Option<Rehearsal>,
    /// Why the latest no longer counts, when it is stale.
    pub stale: Option<String>,
    /// What a new one would do; `Err` says why none can start.
    pub preview: Result<RehearsalPreview, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_scale_by_the_documents_and_saturate() {
        assert_eq!(scaled(1_000, 1_000_000, 10_000), 100_000);
        assert_eq!(scaled(1_000, 5_000, 10_000), 500);
        assert_eq!(scaled(700, 123, 0), 700);
        assert_eq!(scaled(u64::MAX, u64::MAX, 1), u64::MAX);
    }

    #[test]
    fn the_preview_says_the_room_it_needs() {
        let preview = RehearsalPreview {
            backup: "b1".into(),
            documents: 12,
            bytes: 3 * 1_048_576,
            compressed: false,
            server: "this server".into(),
        };
        assert_eq!(
            preview.describe(),
            "restores backup b1 (12 documents) into a scratch database on this server: it needs about the backup's 3.0 MB of room there"
        );
    }
}
