//! Applying a cleanup: under the migration lock and a `dedupe` run in the
//! changelog, key by key and round by round: read the duplicated groups,
//! export the prior state of every document the round will change, then
//! write the groups in bounded batches, each in a transaction that leaves
//! a group the Forest app changed meanwhile for the next round. A round
//! starts again while duplicates remain (new ones written meanwhile), up
//! to `ROUNDS`.

use super::Options;
use super::choose::{GroupChoice, choose};
use super::export::Export;
use crate::db::dedupe::{Cleanup, Exported};
use crate::db::{Collection, Database};
use crate::model::Action;
use crate::model::{ChangeOutcome, DedupeAction, DedupeOutcome, RunKind, RunState};
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::backup::BackupStore;
use crate::ops::migration::Migration;
use crate::ops::migration::lease::Lease;
use crate::ops::migration::run::{pending, record};
use crate::ops::migration::started;

/// Documents written per transaction.
const BATCH_DOCUMENTS: usize = 500;
/// Rounds per key before the cleanup says duplicates remain.
const ROUNDS: u32 = 5;

/// Where a cleanup reports its progress as it goes (a line each batch).
pub type Progress<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// Applies the cleanup; `confirmation` must be the database's name.
pub async fn apply(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    options: Options,
    confirmation: &str,
    backups: &BackupStore,
    progress: Progress<'_>,
) -> Result<DedupeOutcome, OpsError> {
    let work =
        async |lease: &Lease| clean(db, lease, actor, migration, options, backups, progress).await;
    super::confirmed_and_locked(
        db,
        actor,
        Action::DedupeApply,
        db.name(),
        confirmation,
        work,
    )
    .await
}

async fn clean(
    db: &Database,
    lease: &Lease,
    actor: &Actor,
    migration: &Migration,
    options: Options,
    backups: &BackupStore,
    progress: Progress<'_>,
) -> Result<DedupeOutcome, OpsError> {
    db.mark_interrupted(migration.name).await?;
    let keys = migration.unique_keys();
    // Each key's change: its stable key (`collection.field`) and its words.
    let describe = |(collection, field): &(Collection, &str)| {
        let words = format!(
            "clean {}.{field}: keep the {}{}",
            collection.name(),
            options.keep.as_str(),
            if options.drop_identical {
                ", delete identical copies"
            } else {
                ""
            }
        );
        (format!("{}.{field}", collection.name()), words)
    };
    let run = started::start_run(
        db,
        migration.name,
        RunKind::Dedupe,
        &migration.checksum(),
        &actor.name(),
        &pending(keys.iter().map(describe)),
    )
    .await?;
    let mut export = Export::create(backups, &run)?;
    let mut outcome = DedupeOutcome {
        run: run.clone(),
        export: Export::name(&run),
        ..DedupeOutcome::default()
    };
    for (index, key) in keys.iter().enumerate() {
        let mut cleaner = KeyCleaner {
            db,
            run: &run,
            index,
            collection: key.0,
            field: key.1,
            options,
            progress,
        };
        let outcome = &mut outcome;
        let export = &mut export;
        record(db, lease, &run, index, describe(key).1, async move {
            let changed = cleaner.rounds(export, outcome).await?;
            Ok(if changed {
                ChangeOutcome::Applied
            } else {
                ChangeOutcome::Skipped
            })
        })
        .await?;
    }
    db.finish_run(&run, RunState::Succeeded, None).await?;
    Ok(outcome)
}

/// Cleans one key.
struct KeyCleaner<'a> {
    db: &'a Database,
    run: &'a str,
    index: usize,
    collection: Collection,
    field: &'static str,
    options: Options,
    progress: Progress<'a>,
}

impl KeyCleaner<'_> {
    /// Rounds until no duplicate is left; true when anything was written.
    async fn rounds(
        &mut self,
        export: &mut Export,
        outcome: &mut DedupeOutcome,
    ) -> Result<bool, OpsError> {
        let key = format!("{}.{}", self.collection.name(), self.field);
        let (before_unset, before_deleted) = (outcome.unset, outcome.deleted);
        let mut values = self
            .db
            .duplicated_values(self.collection, self.field)
            .await?;
        for round in 1..=ROUNDS {
            if values.is_empty() {
                break;
            }
            outcome.rounds = outcome.rounds.max(round);
            let held = self
                .db
                .holders(self.collection, self.field, &values)
                .await?;
            let choices: Vec<GroupChoice<'_>> = held
                .iter()
                .map(|h| choose(h, self.options.keep, self.options.drop_identical))
                .collect();
            // Nothing changes before its prior state is on disk.
            export.append(&self.exported(&choices))?;
            let total: usize = choices.iter().map(|c| c.others.len()).sum();
            let mut done = 0;
            for batch in batches(&choices) {
                let cleanups: Vec<Cleanup<'_>> = batch.iter().map(cleanup_of).collect();
                let written = self
                    .db
                    .clean_batch(self.collection, self.field, &cleanups)
                    .await?;
                outcome.unset += written.unset;
                outcome.deleted += written.deleted;
                outcome.replanned += written.changed.len() as u64;
                done += batch.iter().map(|c| c.others.len()).sum::<usize>();
                let line = format!(
                    "{key}: round {round}, {done} of {total} documents; {} unset, {} deleted, {} groups changed meanwhile",
                    outcome.unset - before_unset,
                    outcome.deleted - before_deleted,
                    written.changed.len(),
                );
                (self.progress)(&line);
                if let Err(error) = self.db.record_progress(self.run, self.index, &line).await {
                    tracing::warn!(%error, "could not record a cleanup's progress");
                }
            }
            // New duplicates written meanwhile, and groups left for later.
            values = self
                .db
                .duplicated_values(self.collection, self.field)
                .await?;
        }
        if !values.is_empty() {
            outcome.remaining.push(key);
        }
        Ok(outcome.unset > before_unset || outcome.deleted > before_deleted)
    }

    fn exported(&self, choices: &[GroupChoice<'_>]) -> Vec<Exported> {
        choices
            .iter()
            .flat_map(|choice| {
                choice.others.iter().filter_map(|(id, action)| {
                    let holder = choice.held.holders.iter().find(|h| h.id() == *id)?;
                    Some(Exported {
                        collection: self.collection,
                        field: self.field.to_owned(),
                        action: *action,
                        document: holder.clone(),
                    })
                })
            })
            .collect()
    }
}

/// Groups in runs of about `BATCH_DOCUMENTS` documents; a group is never split.
fn batches<'c, 'a>(choices: &'c [GroupChoice<'a>]) -> Vec<&'c [GroupChoice<'a>]> {
    let mut batches = Vec::new();
    let (mut start, mut documents) = (0, 0);
    for (i, choice) in choices.iter().enumerate() {
        documents += choice.others.len();
        if documents >= BATCH_DOCUMENTS {
            batches.push(&choices[start..=i]);
            (start, documents) = (i + 1, 0);
        }
    }
    if start < choices.len() {
        batches.push(&choices[start..]);
    }
    batches
}

fn cleanup_of<'a>(choice: &GroupChoice<'a>) -> Cleanup<'a> {
    let with = |wanted: DedupeAction| {
        choice
            .others
            .iter()
            .filter(|(_, action)| *action == wanted)
            .map(|(id, _)| *id)
            .collect()
    };
    Cleanup {
        planned: choice.held,
        unset: with(DedupeAction::Unset),
        delete: with(DedupeAction::Delete),
    }
}
