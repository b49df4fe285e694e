//! `revert` (rollback option 1): drops exactly what the migration's runs
//! recorded as applied, newest first, and marks those runs `rolled_back`,
//! keeping their history. Never drops what the migration did not create.

use super::declaration::{Change, Migration};
use super::lease;
use super::run::{latest, pending, record};
use crate::db::Database;
use crate::model::{ChangeOutcome, MigrationState, RunRecord};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use crate::ops::four_eyes;

pub const ACTION: &str = "rollback.revert";

/// `confirmation` must be the database's name, typed by the person.
pub async fn revert(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    confirmation: &str,
) -> Result<RunRecord, OpsError> {
    audit::audited(db, actor, "step.revert", migration.name, async {
        if confirmation != db.name() {
            return Err(OpsError::InvalidInput {
                field: "confirmation",
                message: format!("type the database name, {}, to confirm", db.name()),
            });
        }
        four_eyes::authorize(db, actor, ACTION, migration.name).await?;
        let lease = lease::take(db, actor).await?;
        let reverted = undo(db, actor, migration).await;
        let released = lease.release().await;
        let run = reverted?;
        released?;
        Ok(run)
    })
    .await
}

/// The declared changes that a migrate run, not yet rolled back, applied.
async fn created_by_runs(db: &Database, migration: &Migration) -> Result<Vec<Change>, OpsError> {
    let applied: Vec<String> = db
        .runs(migration.name, 1_000)
        .await?
        .into_iter()
        .filter(|run| run.kind == "migrate" && run.state != MigrationState::RolledBack)
        .flat_map(|run| run.changes)
        .filter(|change| change.outcome == ChangeOutcome::Applied)
        .map(|change| change.description)
        .collect();
    Ok(migration
        .changes
        .iter()
        .filter(|change| applied.contains(&change.describe()))
        .rev()
        .copied()
        .collect())
}

fn undo_description(change: &Change) -> String {
    match change {
        Change::CreateCollection { collection } => format!("drop collection {}", collection.name()),
        Change::CreateIndex(spec) => {
            format!("drop index {} on {}", spec.name, spec.collection.name())
        }
    }
}

async fn undo(db: &Database, actor: &Actor, migration: &Migration) -> Result<RunRecord, OpsError> {
    db.mark_interrupted(migration.name).await?;
    let created = created_by_runs(db, migration).await?;
    for change in &created {
        if let Change::CreateCollection { collection } = change {
            let documents = db.count(*collection).await?;
            if documents > 0 {
                return Err(OpsError::Conflict(format!(
                    "{} holds {documents} documents; revert drops it only when it is empty, \
                     until backups can keep its data (restore from a backup instead)",
                    collection.name()
                )));
            }
        }
    }
    let run = db
        .start_run(
            migration.name,
            "revert",
            &migration.checksum(),
            &actor.name(),
            &pending(created.iter().map(undo_description)),
        )
        .await?;
    for (index, change) in created.iter().enumerate() {
        record(db, &run, index, undo_description(change), async {
            match change {
                Change::CreateCollection { collection } => db.drop_collection(*collection).await?,
                Change::CreateIndex(spec) => db.drop_index(spec.collection, spec.name).await?,
            }
            Ok(ChangeOutcome::Applied)
        })
        .await?;
    }
    db.mark_rolled_back(migration.name).await?;
    db.finish_run(&run, MigrationState::Applied, None).await?;
    latest(db, migration.name, &run).await
}
