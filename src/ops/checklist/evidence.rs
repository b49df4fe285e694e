//! Where the checklist finds its evidence, and what counts: a verified
//! backup taken in this deployment (after the last rollback), the index
//! rows of the latest verification, the newest probe round of every target
//! since the migration started, and the error lines counted since then.

use super::Watched;
use crate::db::Database;
use crate::model::{
    Evidence, LogStatus, Manifest, ProbeResult, Rehearsal, RehearsalState, RehearsalStep,
    StepRecord,
};
use crate::ops::OpsError;
use crate::ops::backup::latest_verified;
use crate::ops::migration::{Migration, deployment};
use crate::ops::rehearsal;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::OnceCell;

/// Where the app finds evidence for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Proof {
    /// The newest complete, verified backup taken in this deployment.
    Backup,
    /// The index rows of the latest stored verification.
    Verification,
    /// The newest probe round of the Forest API since the latest migrate
    /// run started.
    ApiProbe,
    /// The error lines the log watcher counted since the latest migrate
    /// run started.
    ErrorLogs,
    /// The newest ended rehearsal of this declaration, newer than the
    /// newest backup: its migrate and verify, or its revert.
    Rehearsal(Rehearsed),
}

/// Which half of a rehearsal an item rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rehearsed {
    /// "Test migration in staging environment".
    Migration,
    /// "Test rollback procedure in staging".
    Rollback,
}

fn parse(at: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(at, &Rfc3339).ok()
}

/// Where evidence is read from.
pub(super) struct Sources<'a> {
    db: &'a Database,
    migration: &'a Migration,
    watched: Watched<'a>,
    /// When the latest migrate run started.
    migrated_since: Option<OffsetDateTime>,
    /// When the latest rollback (revert or restore) started: a backup from
    /// before it belongs to an earlier deployment.
    deployment_since: Option<OffsetDateTime>,
    /// The newest ended rehearsal and the newest verified backup, read
    /// once for the two items a rehearsal proves.
    rehearsed: OnceCell<(Option<Rehearsal>, Option<Manifest>)>,
}

impl<'a> Sources<'a> {
    pub(super) async fn read(
        db: &'a Database,
        migration: &'a Migration,
        watched: Watched<'a>,
    ) -> Result<Self, OpsError> {
        let (migrated_since, deployment_since) = tokio::try_join!(
            crate::ops::forest_api::migration_started(db, migration),
            deployment::since(db, migration),
        )?;
        Ok(Self {
            db,
            migration,
            watched,
            migrated_since,
            deployment_since,
            rehearsed: OnceCell::new(),
        })
    }

    pub(super) async fn evidence(&self, proof: Proof) -> Result<Option<Evidence>, OpsError> {
        match proof {
            Proof::Backup => self.backup().await,
            Proof::Verification => self.verification().await,
            Proof::ApiProbe => self.api_probe().await,
            Proof::ErrorLogs => self.error_logs().await,
            Proof::Rehearsal(part) => self.rehearsal(part).await,
        }
    }

    /// What a tick of the backup item without a backup of this deployment says.
    pub(super) fn no_backup(&self, ticked_on: Option<String>) -> Evidence {
        let since = self.deployment_since.map_or_else(String::new, |at| {
            format!(
                " (since the rollback at {})",
                at.format(&Rfc3339).unwrap_or_default()
            )
        });
        Evidence {
            passed: false,
            summary: format!(
                "ticked, but no verified backup was taken in this deployment{since}: take and verify one"
            ),
            href: ticked_on.unwrap_or_else(|| "/backups".to_owned()),
            at: String::new(),
        }
    }

    async fn backup(&self) -> Result<Option<Evidence>, OpsError> {
        let backup = deployment::backup(self.db, self.migration, self.watched.backups).await?;
        Ok(backup.map(|backup| Evidence {
            passed: true,
            summary: format!(
                "backup {}: {} documents in {} collections, verified at {}",
                backup.name,
                backup.documents(),
                backup.collections.len(),
                backup.verified_at.as_deref().unwrap_or("?")
            ),
            href: format!("/backups#backup-{}", backup.name),
            at: backup.started_at,
        }))
    }

    /// The latest verification's rows of the declared changes: counts,
    /// query plans and health rows prove other things.
    async fn verification(&self) -> Result<Option<Evidence>, OpsError> {
        let Some(verification) = self.db.latest_verification(self.migration.name).await? else {
            return Ok(None);
        };
        let declared: Vec<String> = self
            .migration
            .changes
            .iter()
            .map(|c| c.describe())
            .collect();
        let rows: Vec<_> = verification
            .checks
            .iter()
            .filter(|check| declared.contains(&check.name))
            .collect();
        let failed = rows.iter().filter(|check| !check.passed).count();
        Ok(Some(Evidence {
            passed: failed == 0 && !rows.is_empty(),
            summary: if failed == 0 {
                format!(
                    "the latest verification found all {} changes in place",
                    rows.len()
                )
            } else {
                format!(
                    "the latest verification found {failed} of {} changes missing or different",
                    rows.len()
                )
            },
            href: "/runbook#latest-verification".to_owned(),
            at: verification.at,
        }))
    }

    /// The newest round, when it ran after the migration started: every
    /// target of it must pass.
    async fn api_probe(&self) -> Result<Option<Evidence>, OpsError> {
        let Some(since) = self.migrated_since else {
            return Ok(None);
        };
        let round = self.db.latest_probe_round().await?;
        let Some(first) = round.first() else {
            return Ok(None);
        };
        if parse(&first.at).is_none_or(|at| at < since) {
            return Ok(None);
        }
        let failed: Vec<&ProbeResult> = round.iter().filter(|probe| !probe.passed).collect();
        let describe = |probe: &ProbeResult| {
            format!(
                "{} {} answered {} in {} ms: {}",
                probe.method,
                probe.url,
                probe.status.map_or("nothing".to_owned(), |s| s.to_string()),
                probe.latency_ms,
                probe.reason
            )
        };
        let summary = if failed.is_empty() {
            format!(
                "the newest round passed on all {} targets; {}",
                round.len(),
                describe(first)
            )
        } else {
            format!(
                "the newest round failed on {} of {} targets; {}",
                failed.len(),
                round.len(),
                failed
                    .iter()
                    .map(|p| describe(p))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        };
        Ok(Some(Evidence {
            passed: failed.is_empty(),
            summary,
            href: "/forest-api".to_owned(),
            at: first.at.clone(),
        }))
    }

    async fn error_logs(&self) -> Result<Option<Evidence>, OpsError> {
        let snapshot =
            crate::ops::forest_api::logs(self.db, self.migration, self.watched.logs).await?;
        if snapshot.status != LogStatus::Watching {
            return Ok(None);
        }
        Ok(snapshot.since_migration.map(|errors| Evidence {
            passed: errors.errors == 0,
            summary: format!(
                "{} error lines in the Forest server's logs since the migration started",
                errors.errors
            ),
            href: "/forest-api".to_owned(),
            at: errors.since,
        }))
    }

    /// Rehearsals that ended, newest first: a running one proves nothing yet.
    async fn rehearsal(&self, part: Rehearsed) -> Result<Option<Evidence>, OpsError> {
        let (rehearsal, newest) = self
            .rehearsed
            .get_or_try_init(|| async {
                let ended = self
                    .db
                    .rehearsals(self.migration.name, 10)
                    .await?
                    .into_iter()
                    .find(|r| r.state != RehearsalState::Running);
                let newest = latest_verified(self.watched.backups, self.db.name(), None)?;
                Ok::<_, OpsError>((ended, newest))
            })
            .await?;
        let Some(rehearsal) = rehearsal.clone() else {
            return Ok(None);
        };
        let (passed, summary) = match rehearsal::stale(&rehearsal, self.migration, newest.as_ref())
        {
            Some(why) => (
                false,
                format!("the rehearsal of {} is stale: {why}", rehearsal.started_at),
            ),
            None if rehearsal.state == RehearsalState::Passed => {
                (true, rehearsed(&rehearsal, part))
            }
            None => (
                false,
                format!(
                    "the rehearsal of {} {}: {}",
                    rehearsal.started_at,
                    rehearsal.state.as_str(),
                    rehearsal.message.as_deref().unwrap_or("no reason recorded")
                ),
            ),
        };
        Ok(Some(Evidence {
            passed,
            summary,
            href: "/runbook#rehearsal".to_owned(),
            at: rehearsal.finished_at.unwrap_or(rehearsal.started_at),
        }))
    }
}

/// What a passing rehearsal shows for `part`: its steps' durations and
/// what they would take in production.
fn rehearsed(rehearsal: &Rehearsal, part: Rehearsed) -> String {
    let steps: &[RehearsalStep] = match part {
        Rehearsed::Migration => &[RehearsalStep::Migrate, RehearsalStep::Verify],
        Rehearsed::Rollback => &[RehearsalStep::Revert, RehearsalStep::Compare],
    };
    let timed = |record: &StepRecord| {
        format!(
            "{} took {} ms (about {} ms in production)",
            record.step.title(),
            record.duration_ms,
            rehearsal.expected_in_production_ms(record)
        )
    };
    let timings: Vec<String> = steps
        .iter()
        .filter_map(|step| rehearsal.step(*step))
        .map(timed)
        .collect();
    let proof = match part {
        Rehearsed::Migration => "the migration applied and verified",
        Rehearsed::Rollback => {
            "the revert brought back the same documents and indexes as before migrate"
        }
    };
    format!(
        "rehearsed on backup {} ({} documents) on {}: {proof}; {}",
        rehearsal.backup,
        rehearsal.documents,
        rehearsal.server,
        timings.join(", ")
    )
}
