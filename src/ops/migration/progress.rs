//! Where a migration stands for the monitor: its state and, while a run
//! is going, the change being applied and how many are done.

use super::declaration::Migration;
use super::plan;
use crate::db::Database;
use crate::model::{ChangeOutcome, MigrationProgress, MigrationState};
use crate::ops::OpsError;

pub async fn progress(db: &Database, migration: &Migration) -> Result<MigrationProgress, OpsError> {
    let locked = db.lock_holder().await?.is_some();
    let state = plan::state(db, migration, locked).await?;
    let latest = db.runs(migration.name, 1).await?.into_iter().next();
    let changes = latest.map(|run| run.changes).unwrap_or_default();
    let running_step = (state == MigrationState::Running)
        .then(|| {
            changes
                .iter()
                .find(|c| c.outcome == ChangeOutcome::Pending)
                .map(|c| c.description.clone())
        })
        .flatten();
    Ok(MigrationProgress {
        migration: migration.name.to_owned(),
        state,
        running_step,
        done: changes
            .iter()
            .filter(|c| c.outcome != ChangeOutcome::Pending)
            .count(),
        total: changes.len(),
    })
}
