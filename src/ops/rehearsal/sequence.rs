//! The steps of one rehearsal on its copy, each recorded as it starts and
//! ends. A failed step skips the rest, but the copy is always dropped and
//! the scratch exports removed. A heartbeat tells the other app instances
//! it still runs.

use super::{Progress, Rehearsing};
use crate::db::{Database, Fingerprint, now_rfc3339};
use crate::model::{ChangeOutcome, Rehearsal, RehearsalState, RehearsalStep, StepState};
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::backup::{BackupStore, restore_copy};
use crate::ops::dedupe::{self, Options};
use crate::ops::migration::{Migration, migrate, revert, verify};
use std::time::{Duration, Instant};

const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

pub(super) struct Sequence {
    ctx: Rehearsing,
    actor: Actor,
    migration: &'static Migration,
    record: Rehearsal,
    copy: Database,
    progress: Progress,
    /// The copy before migrate, for the comparison after revert.
    before: Vec<Fingerprint>,
}

impl Sequence {
    pub(super) fn new(
        ctx: Rehearsing,
        actor: Actor,
        migration: &'static Migration,
        record: Rehearsal,
        copy: Database,
        progress: Progress,
    ) -> Self {
        Self {
            ctx,
            actor,
            migration,
            record,
            copy,
            progress,
            before: Vec::new(),
        }
    }

    pub(super) fn record(&self) -> &Rehearsal {
        &self.record
    }

    /// Runs every step; the record says how it ended.
    pub(super) async fn run(mut self) -> Result<Rehearsal, OpsError> {
        let heartbeat = {
            let (db, id) = (self.ctx.db.clone(), self.record.id.clone());
            tokio::spawn(async move {
                let mut every = tokio::time::interval(HEARTBEAT_EVERY);
                loop {
                    every.tick().await;
                    if let Err(error) = db.rehearsal_heartbeat(&id).await {
                        tracing::warn!(%error, "could not record the rehearsal's heartbeat");
                    }
                }
            })
        };
        let ran = self.steps().await;
        heartbeat.abort();
        ran?;
        Ok(self.record)
    }

    async fn steps(&mut self) -> Result<(), OpsError> {
        let folder = self
            .ctx
            .backups
            .exports_folder("rehearsal")?
            .join(&self.record.id);
        let exports = BackupStore::new(&folder, 0, self.ctx.backups.fresh_for());
        let mut failed = false;
        for step in RehearsalStep::ALL {
            if failed && step != RehearsalStep::Drop {
                self.set(step, StepState::Skipped, 0, String::new()).await?;
                continue;
            }
            self.set(step, StepState::Running, 0, String::new()).await?;
            let started = Instant::now();
            let done = self.step(step, &exports).await;
            let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match done {
                Ok(detail) => self.set(step, StepState::Passed, elapsed, detail).await?,
                Err(error) => {
                    failed = true;
                    let said = format!("{} failed: {error}", step.title());
                    self.record.message = Some(match self.record.message.take() {
                        Some(first) => format!("{first}; {said}"),
                        None => said,
                    });
                    self.set(step, StepState::Failed, elapsed, error.to_string())
                        .await?;
                }
            }
        }
        if let Err(error) = std::fs::remove_dir_all(&folder)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%error, folder = %folder.display(), "could not remove a rehearsal's exports");
        }
        self.ctx.staging.close(&self.copy).await;
        self.record.state = if failed {
            RehearsalState::Failed
        } else {
            RehearsalState::Passed
        };
        self.record.finished_at = Some(now_rfc3339());
        self.save().await
    }

    async fn save(&self) -> Result<(), OpsError> {
        self.ctx.db.save_rehearsal(&self.record).await?;
        (self.progress)(&self.record);
        Ok(())
    }

    async fn set(
        &mut self,
        step: RehearsalStep,
        state: StepState,
        duration_ms: u64,
        detail: String,
    ) -> Result<(), OpsError> {
        if let Some(record) = self.record.steps.iter_mut().find(|r| r.step == step) {
            record.state = state;
            record.duration_ms = duration_ms;
            record.detail = detail;
        }
        self.save().await
    }

    /// Runs `step` on the copy; what it found, in words.
    async fn step(
        &mut self,
        step: RehearsalStep,
        exports: &BackupStore,
    ) -> Result<String, OpsError> {
        let (copy, actor, migration) = (&self.copy, &self.actor, self.migration);
        match step {
            RehearsalStep::Restore => {
                let report =
                    restore_copy(copy, &self.ctx.backups, actor, &self.record.backup).await?;
                let documents: u64 = report.restored.iter().map(|(_, n)| n).sum();
                let mut detail = format!(
                    "restored {} collections ({documents} documents) from backup {}",
                    report.restored.len(),
                    report.backup
                );
                for notice in &report.accepted_options {
                    detail += &format!("; the backup carries {notice}");
                }
                Ok(detail)
            }
            RehearsalStep::Dedupe => {
                let quiet = |_: &str| ();
                let outcome = dedupe::apply(
                    copy,
                    actor,
                    migration,
                    Options::default(),
                    copy.name(),
                    exports,
                    &quiet,
                )
                .await?;
                if !outcome.remaining.is_empty() {
                    return Err(OpsError::Conflict(format!(
                        "duplicates remain in {} after {} rounds",
                        outcome.remaining.join(", "),
                        outcome.rounds
                    )));
                }
                // The state revert must bring back.
                self.before = copy.fingerprints().await?;
                Ok(format!(
                    "kept the oldest of each duplicated value: {} documents lost their key, {} deleted",
                    outcome.unset, outcome.deleted
                ))
            }
            RehearsalStep::Migrate => {
                let run = migrate(copy, actor, migration).await?;
                Ok(format!(
                    "applied {} changes, {} already present",
                    count(&run.changes, ChangeOutcome::Applied),
                    count(&run.changes, ChangeOutcome::Skipped)
                ))
            }
            RehearsalStep::Verify => {
                let verification =
                    verify(copy, actor, migration, exports, &self.ctx.prisma).await?;
                let failing: Vec<String> = verification
                    .checks
                    .iter()
                    .filter(|check| !check.passed && !check.warning)
                    .map(|check| format!("{} ({})", check.name, check.evidence))
                    .collect();
                if !failing.is_empty() {
                    return Err(OpsError::Conflict(format!(
                        "verify failed: {}",
                        failing.join("; ")
                    )));
                }
                let warnings = verification.checks.iter().filter(|c| c.warning).count();
                Ok(format!(
                    "{} checks passed, {warnings} of them with a warning",
                    verification.checks.len()
                ))
            }
            RehearsalStep::Revert => {
                let run = revert(copy, actor, migration, copy.name(), exports).await?;
                Ok(format!(
                    "undid {} changes",
                    count(&run.changes, ChangeOutcome::Applied)
                ))
            }
            RehearsalStep::Compare => compare(&self.before, &copy.fingerprints().await?),
            RehearsalStep::Drop => {
                copy.drop_database().await?;
                Ok(format!("dropped {}", copy.name()))
            }
        }
    }
}

fn count(changes: &[crate::model::ChangeResult], outcome: ChangeOutcome) -> usize {
    changes.iter().filter(|c| c.outcome == outcome).count()
}

/// The same collections with the same documents and indexes, or what differs.
fn compare(before: &[Fingerprint], after: &[Fingerprint]) -> Result<String, OpsError> {
    let mut differences = Vec::new();
    for old in before {
        match after.iter().find(|new| new.collection == old.collection) {
            None => differences.push(format!("{} is gone", old.collection)),
            Some(new) => {
                if new.documents != old.documents || new.sha256 != old.sha256 {
                    differences.push(format!(
                        "{} holds other documents ({} before, {} after)",
                        old.collection, old.documents, new.documents
                    ));
                }
                if new.indexes != old.indexes {
                    differences.push(format!(
                        "{} has other indexes ({} before, {} after)",
                        old.collection,
                        old.indexes.len(),
                        new.indexes.len()
                    ));
                }
            }
        }
    }
    for new in after {
        if !before.iter().any(|old| old.collection == new.collection) {
            differences.push(format!("{} was left behind", new.collection));
        }
    }
    if differences.is_empty() {
        Ok(format!(
            "all {} collections hold the same documents (SHA-256 each) and indexes as before migrate",
            before.len()
        ))
    } else {
        Err(OpsError::Conflict(format!(
            "the revert did not bring back the state before migrate: {}",
            differences.join("; ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(collection: &str, byte: u8, indexes: &[&str]) -> Fingerprint {
        Fingerprint {
            collection: collection.to_owned(),
            documents: 2,
            sha256: [byte; 32],
            indexes: indexes.iter().map(|i| (*i).to_owned()).collect(),
        }
    }

    #[test]
    fn the_same_readings_compare_equal_and_every_difference_is_named() {
        let before = [
            reading("tasks", 1, &["_id_"]),
            reading("users", 2, &["_id_"]),
        ];
        assert!(compare(&before, &before).is_ok());
        let after = [
            reading("tasks", 9, &["_id_", "clientId_1"]),
            reading("devices", 3, &["_id_"]),
        ];
        let message = compare(&before, &after).expect_err("differs").to_string();
        assert!(message.contains("tasks holds other documents"), "{message}");
        assert!(
            message.contains("tasks has other indexes (1 before, 2 after)"),
            "{message}"
        );
        assert!(message.contains("users is gone"), "{message}");
        assert!(message.contains("devices was left behind"), "{message}");
    }
}
