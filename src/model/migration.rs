//! The migration as the Runbook page and the CLI report it: the plan, the
//! runs with their per-change results, and the verification checks.

use super::{DuplicateReport, MigrationState, Role};
use serde::{Deserialize, Serialize};

/// Where one declared change stands against the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Already present with the declared options: skipped.
    Present,
    /// Absent: the migration will make it.
    Absent,
    /// Present with other options or under another name: the run stops.
    Conflict { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedChange {
    pub description: String,
    pub status: ChangeStatus,
    /// The exact command that would be sent, as Extended JSON.
    pub command: String,
}

/// Who holds the migration lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LockHolder {
    pub owner: String,
    /// RFC 3339.
    pub since: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub migration: String,
    pub description: String,
    pub checksum: String,
    pub state: MigrationState,
    pub server_version: String,
    /// `standalone`, `replica set <name>` or `sharded`.
    pub topology: String,
    pub changes: Vec<PlannedChange>,
    pub duplicates: Vec<DuplicateReport>,
    /// When `duplicates` were counted (RFC 3339): pages many people read
    /// show a count kept for a while rather than scan every task each time.
    #[serde(default)]
    pub duplicates_counted_at: String,
    pub lock: Option<LockHolder>,
    /// The newest verified backup younger than `backup_window_hours`
    /// (name and time), if any.
    pub recent_backup: Option<String>,
    pub backup_window_hours: u64,
    /// "Prisma schema agrees": would a later `prisma db push` keep the
    /// migration's indexes? Not a blocker: the migration is sound either
    /// way; the Forest schema must change before the next push.
    #[serde(default)]
    pub prisma: Option<VerifyCheck>,
    /// Why `migrate` would refuse to start; empty when it would run.
    pub blockers: Vec<Blocker>,
}

/// One reason `migrate` refuses to start. Its sentence is its `Display`,
/// written here once for the pages, the command line and the refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Blocker {
    /// A declared change meets something else under its name or key.
    Conflict { change: String, reason: String },
    /// A new unique key's values are held by more than one document.
    Duplicated {
        key: String,
        values: u64,
        first: Vec<String>,
    },
    /// Counting a key's duplicates ran out of time, so it is not known
    /// whether the unique index can be built.
    CountUnfinished { key: String, max_time_ms: u64 },
    /// Another run holds the migration lock.
    LockHeld { owner: String, since: String },
    /// No verified backup was taken in this deployment.
    NoBackup,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Conflict { change, reason } => write!(f, "{change}: {reason}"),
            Self::Duplicated { key, values, first } => write!(
                f,
                "{key} has {values} duplicated values (first: {}); see the Duplicates page",
                first.join(", ")
            ),
            Self::CountUnfinished { key, max_time_ms } => write!(
                f,
                "counting duplicates of {key} did not finish within {max_time_ms} ms; see the Duplicates page"
            ),
            Self::LockHeld { owner, since } => {
                write!(f, "the migration lock is held by {owner} since {since}")
            }
            Self::NoBackup => f.write_str(
                "no verified backup was taken in this deployment: take and verify one, \
                 or have an admin migrate without one and give the reason",
            ),
        }
    }
}

/// How one change ended within a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeOutcome {
    #[default]
    Pending,
    /// Started and not finished: under way, or cut short by a dead process.
    Running,
    Applied,
    Skipped,
    Failed,
}

impl ChangeOutcome {
    /// The word stored in the changelog and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Applied => "applied",
            Self::Skipped => "skipped",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored word; an unknown one reads as pending.
    pub fn parse(word: &str) -> Self {
        [Self::Running, Self::Applied, Self::Skipped, Self::Failed]
            .into_iter()
            .find(|outcome| outcome.as_str() == word)
            .unwrap_or(Self::Pending)
    }
}

/// How a run stands. A run's own word, not the migration's: a revert that
/// worked has succeeded, it has not "applied". Stored as its word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Under way (or its process died and nobody has noticed yet).
    Running,
    /// Every change it set out to make is made.
    Succeeded,
    /// It stopped on an error, a lost lease or a person's stop.
    Failed,
    /// Its process died while it ran.
    Interrupted,
    /// A migrate run a rollback has undone, or a cleanup put back.
    RolledBack,
}

impl RunState {
    /// The word stored in the changelog and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
            Self::RolledBack => "rolled_back",
        }
    }

    /// Parses a stored word. `applied` is how runs recorded before runs
    /// had states of their own said `succeeded`.
    pub fn parse(word: &str) -> Option<Self> {
        if word == "applied" {
            return Some(Self::Succeeded);
        }
        [
            Self::Running,
            Self::Succeeded,
            Self::Failed,
            Self::Interrupted,
            Self::RolledBack,
        ]
        .into_iter()
        .find(|state| state.as_str() == word)
    }

    /// Where the migration stands when this is its latest migrate run.
    pub fn of_migration(self) -> MigrationState {
        match self {
            Self::Running => MigrationState::Running,
            Self::Succeeded => MigrationState::Applied,
            Self::Failed => MigrationState::Failed,
            Self::Interrupted => MigrationState::Interrupted,
            Self::RolledBack => MigrationState::RolledBack,
        }
    }
}

impl std::fmt::Display for RunState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a run did: the step it belongs to. Stored as its word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    Migrate,
    Revert,
    Restore,
    /// A cleanup of duplicated unique-key values.
    Dedupe,
    /// A cleanup put back.
    #[serde(rename = "dedupe-undo")]
    DedupeUndo,
}

impl RunKind {
    /// The word stored in the changelog and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Migrate => "migrate",
            Self::Revert => "revert",
            Self::Restore => "restore",
            Self::Dedupe => "dedupe",
            Self::DedupeUndo => "dedupe-undo",
        }
    }

    /// A rollback: what ends a deployment.
    pub fn is_rollback(self) -> bool {
        matches!(self, Self::Revert | Self::Restore)
    }

    /// The least role that may stop a running run of this kind: the role
    /// that starts one (an admin rolls back, a release manager does the rest).
    pub fn stopped_by(self) -> Role {
        if self.is_rollback() {
            Role::Admin
        } else {
            Role::ReleaseManager
        }
    }

    /// A duplicate cleanup or its undo.
    pub fn is_dedupe(self) -> bool {
        matches!(self, Self::Dedupe | Self::DedupeUndo)
    }

    pub fn parse(word: &str) -> Option<Self> {
        [
            Self::Migrate,
            Self::Revert,
            Self::Restore,
            Self::Dedupe,
            Self::DedupeUndo,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == word)
    }
}

impl std::fmt::Display for RunKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeResult {
    /// What the change acts on, stable whatever its description says: the
    /// index name, or `collection:<name>`. Revert matches runs on it.
    #[serde(default)]
    pub key: String,
    pub description: String,
    pub outcome: ChangeOutcome,
    /// RFC 3339, once started.
    #[serde(default)]
    pub started_at: Option<String>,
    /// RFC 3339, once finished.
    #[serde(default)]
    pub finished_at: Option<String>,
    pub duration_ms: u64,
    pub error_code: Option<i32>,
    pub error: Option<String>,
    /// The latest progress the server reported while the change ran.
    #[serde(default)]
    pub progress: Option<String>,
}

/// One run of migrate or revert, as recorded in the changelog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub id: String,
    pub migration: String,
    pub kind: RunKind,
    pub checksum: String,
    pub state: RunState,
    pub started_by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub changes: Vec<ChangeResult>,
    pub error: Option<String>,
    /// For a restore, the backup it restores.
    #[serde(default)]
    pub backup: Option<String>,
    /// For a restore, the backup of what it replaced: restoring it undoes
    /// the restore.
    #[serde(default)]
    pub pre_image_backup: Option<String>,
    /// Who asked a running run to stop at its next safe point.
    #[serde(default)]
    pub cancel_requested_by: Option<String>,
}

/// One verification check: passed, failed, or a warning, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyCheck {
    pub name: String,
    pub passed: bool,
    /// A check that did not pass but does not fail the verification.
    pub warning: bool,
    pub evidence: String,
    /// A page that says more, when there is one.
    #[serde(default)]
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Set once stored: its id and time, so that it can be linked.
    #[serde(default)]
    pub id: String,
    /// RFC 3339; empty until stored.
    #[serde(default)]
    pub at: String,
    pub migration: String,
    pub passed: bool,
    pub checks: Vec<VerifyCheck>,
}

/// What the Runbook page shows before anyone presses a button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunbookOverview {
    pub migration: String,
    pub description: String,
    pub state: MigrationState,
    pub database: String,
    pub runs: Vec<RunRecord>,
    /// The newest stored verification: the checklist links to it.
    pub latest_verification: Option<Verification>,
    /// The newest dry run, whoever ran it, from the page or the command line.
    pub latest_plan: Option<PlanRecord>,
}

/// A dry run as it is kept: its plan, who ran it and when (RFC 3339), so
/// that a reload, or a form posted without JavaScript, shows its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRecord {
    pub at: String,
    pub by: String,
    pub plan: Plan,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_state_reads_back_its_word_and_runs_recorded_as_applied_succeeded() {
        for state in [
            RunState::Running,
            RunState::Succeeded,
            RunState::Failed,
            RunState::Interrupted,
            RunState::RolledBack,
        ] {
            assert_eq!(RunState::parse(state.as_str()), Some(state));
        }
        assert_eq!(RunState::parse("applied"), Some(RunState::Succeeded));
        assert_eq!(RunState::parse("dirty"), None);
    }

    #[test]
    fn a_succeeded_migrate_run_means_the_migration_is_applied() {
        assert_eq!(RunState::Succeeded.of_migration(), MigrationState::Applied);
        assert_eq!(
            RunState::RolledBack.of_migration(),
            MigrationState::RolledBack
        );
        assert_eq!(RunState::Running.of_migration(), MigrationState::Running);
    }
}
