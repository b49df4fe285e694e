//! `revert` (rollback option 1): drops exactly what the migration's runs
//! recorded as applied, newest first, and marks those runs `rolled_back`,
//! keeping their history. Never drops what the migration did not create;
//! a collection it created that holds documents is exported into a backup
//! first.

use super::declaration::{Change, Migration};
use super::lease::{self, Lease};
use super::run::{latest, pending, record};
use super::started;
use crate::db::Database;
use crate::model::Action;
use crate::model::{ChangeOutcome, ChangeResult, RunKind, RunRecord, RunState};
use crate::ops::audit::{self, Actor};
use crate::ops::backup::{self, BackupStore};
use crate::ops::four_eyes;
use crate::ops::{OpsError, confirm_database};

/// `confirmation` must be the database's name, typed by the person.
pub async fn revert(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    confirmation: &str,
    backups: &BackupStore,
) -> Result<RunRecord, OpsError> {
    audit::audited(db, actor, Action::StepRevert, migration.name, async {
        confirm_database(db, confirmation)?;
        let mut plan = Vec::new();
        for change in created_by_runs(db, migration).await? {
            let mut line = undo_description(&change, None);
            // The approver sees what a drop would take with it.
            if let Change::CreateCollection { collection } = change {
                line += &match db.count(collection).await? {
                    0 => " (empty)".to_owned(),
                    n => format!(" ({n} documents, exported into a new backup first)"),
                };
            }
            plan.push(line);
        }
        four_eyes::authorize(
            db,
            actor,
            Action::RollbackRevert,
            migration.name,
            &plan.join("; "),
        )
        .await?;
        let lease = lease::take(db, actor).await?;
        let reverted = undo(db, &lease, actor, migration, backups).await;
        let released = lease.release().await;
        let run = reverted?;
        released?;
        Ok(run)
    })
    .await
}

/// The declared changes that a migrate run, not yet rolled back, applied,
/// matched by key. Runs recorded before changes had keys are matched by
/// their description, which was then the only name a change had.
async fn created_by_runs(db: &Database, migration: &Migration) -> Result<Vec<Change>, OpsError> {
    let applied: Vec<ChangeResult> = db
        .runs(migration.name, 1_000)
        .await?
        .into_iter()
        .filter(|run| run.kind == RunKind::Migrate && run.state != RunState::RolledBack)
        .flat_map(|run| run.changes)
        .filter(|change| change.outcome == ChangeOutcome::Applied)
        .collect();
    let was_applied = |change: &Change| {
        let key = change.key();
        applied.iter().any(|done| match done.key.as_str() {
            "" => done.description == change.describe(),
            recorded => recorded == key,
        })
    };
    Ok(migration
        .changes
        .iter()
        .filter(|change| was_applied(change))
        .rev()
        .copied()
        .collect())
}

fn undo_description(change: &Change, exported_to: Option<&str>) -> String {
    match change {
        Change::CreateCollection { collection } => match exported_to {
            Some(backup) => format!(
                "drop collection {} (its documents exported into backup {backup})",
                collection.name()
            ),
            None => format!("drop collection {}", collection.name()),
        },
        Change::CreateIndex(spec) => {
            format!("drop index {} on {}", spec.name, spec.collection.name())
        }
    }
}

async fn undo(
    db: &Database,
    lease: &Lease,
    actor: &Actor,
    migration: &Migration,
    backups: &BackupStore,
) -> Result<RunRecord, OpsError> {
    db.mark_interrupted(migration.name).await?;
    let created = created_by_runs(db, migration).await?;
    let mut holding_data = Vec::new();
    for change in &created {
        if let Change::CreateCollection { collection } = change
            && db.count(*collection).await? > 0
        {
            holding_data.push(collection.name().to_owned());
        }
    }
    // Nothing is lost: collections that hold documents go into a backup first.
    let exported_to = if holding_data.is_empty() {
        None
    } else {
        Some(backup::export_collections(db, backups, actor, &holding_data).await?)
    };
    let describe = |change: &Change| {
        let exported = match change {
            Change::CreateCollection { collection }
                if holding_data.iter().any(|n| n == collection.name()) =>
            {
                exported_to.as_deref()
            }
            _ => None,
        };
        undo_description(change, exported)
    };
    let run = started::start_run(
        db,
        migration.name,
        RunKind::Revert,
        &migration.checksum(),
        &actor.name(),
        &pending(
            created
                .iter()
                .map(|change| (change.key(), describe(change))),
        ),
    )
    .await?;
    for (index, change) in created.iter().enumerate() {
        record(db, lease, &run, index, describe(change), async {
            match change {
                Change::CreateCollection { collection } => db.drop_collection(*collection).await?,
                Change::CreateIndex(spec) => db.drop_index(spec.collection, spec.name).await?,
            }
            Ok(ChangeOutcome::Applied)
        })
        .await?;
    }
    db.mark_rolled_back(migration.name).await?;
    db.finish_run(&run, RunState::Succeeded, None).await?;
    latest(db, migration.name, &run).await
}
