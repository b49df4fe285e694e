//! Undoing a cleanup: under the migration lock and a `dedupe-undo` run,
//! every document of the cleanup's export that is still exactly what the
//! cleanup left of it gets its prior state back, byte for byte; one that
//! someone changed since is left as it is and named. The cleanup's run is
//! then marked rolled back, keeping its history.

use super::export::Export;
use crate::db::Database;
use crate::db::dedupe::Exported;
use crate::model::Action;
use crate::model::{ChangeOutcome, RunKind, RunState, UndoOutcome};
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::backup::BackupStore;
use crate::ops::migration::Migration;
use crate::ops::migration::lease::Lease;
use crate::ops::migration::run::{pending, record};
use crate::ops::migration::started;

/// Documents put back per transaction.
const BATCH_DOCUMENTS: usize = 500;

/// Undoes cleanup run `run`, or the newest one not yet undone; the
/// `confirmation` must be the database's name.
pub async fn undo(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    run: Option<&str>,
    confirmation: &str,
    backups: &BackupStore,
) -> Result<UndoOutcome, OpsError> {
    let target = run.unwrap_or(db.name());
    let work = async |lease: &Lease| put_back(db, lease, actor, migration, run, backups).await;
    super::confirmed_and_locked(db, actor, Action::DedupeUndo, target, confirmation, work).await
}

/// The cleanup run to undo: `run` when given, else the newest not undone.
async fn cleanup_run(
    db: &Database,
    migration: &Migration,
    run: Option<&str>,
) -> Result<String, OpsError> {
    let runs = db.runs(migration.name, 1_000).await?;
    let mut cleanups = runs.into_iter().filter(|r| r.kind == RunKind::Dedupe);
    let found = match run {
        Some(id) => cleanups.find(|r| r.id == id),
        None => cleanups.find(|r| r.state != RunState::RolledBack),
    };
    match found {
        Some(record) if record.state == RunState::RolledBack => Err(OpsError::Conflict(format!(
            "cleanup run {} is already undone",
            record.id
        ))),
        Some(record) => Ok(record.id),
        None => Err(OpsError::NotFound(match run {
            Some(id) => format!("a cleanup run {id}"),
            None => "a cleanup that is not undone yet".to_owned(),
        })),
    }
}

async fn put_back(
    db: &Database,
    lease: &Lease,
    actor: &Actor,
    migration: &Migration,
    run: Option<&str>,
    backups: &BackupStore,
) -> Result<UndoOutcome, OpsError> {
    db.mark_interrupted(migration.name).await?;
    let cleanup = cleanup_run(db, migration, run).await?;
    let entries = latest_of_each(Export::read(backups, &cleanup)?);
    let description = format!(
        "put back {} documents from {}",
        entries.len(),
        Export::name(&cleanup)
    );
    let undo_run = started::start_run(
        db,
        migration.name,
        RunKind::DedupeUndo,
        &migration.checksum(),
        &actor.name(),
        &pending([(format!("undo:{cleanup}"), description.clone())]),
    )
    .await?;
    let mut outcome = UndoOutcome {
        run: cleanup.clone(),
        ..UndoOutcome::default()
    };
    let tally = &mut outcome;
    record(db, lease, &undo_run, 0, description, async move {
        for batch in batches(&entries) {
            let restored = db.restore_batch(batch).await?;
            tally.restored += restored.restored;
            tally.unchanged += restored.unchanged;
            tally.left_alone.extend(restored.left_alone);
        }
        Ok(ChangeOutcome::Applied)
    })
    .await?;
    db.mark_run_rolled_back(&cleanup).await?;
    db.finish_run(&undo_run, RunState::Succeeded, None).await?;
    Ok(outcome)
}

/// The last entry of each document: a group that changed while the
/// cleanup ran was exported again in a later round, and only the state
/// exported last can have been written.
fn latest_of_each(entries: Vec<Exported>) -> Vec<Exported> {
    let mut seen = std::collections::HashSet::new();
    let mut latest: Vec<Exported> = entries
        .into_iter()
        .rev()
        .filter(|e| seen.insert((e.collection.name(), e.document.id().key())))
        .collect();
    latest.reverse();
    latest
}

/// Runs of at most `BATCH_DOCUMENTS` entries, each of one collection.
fn batches(entries: &[Exported]) -> Vec<&[Exported]> {
    let mut batches = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        let ends = i == entries.len()
            || i - start >= BATCH_DOCUMENTS
            || entries[i].collection != entries[start].collection;
        if ends {
            batches.push(&entries[start..i]);
            start = i;
        }
    }
    batches
}
