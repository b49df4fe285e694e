//! What the Runbook page opens with: the migration, its state, its runs, the
//! latest verification and the latest dry run.

use super::{Migration, state};
use crate::db::Database;
use crate::model::RunbookOverview;
use crate::ops::OpsError;

/// Runs listed, newest first.
const RUNS_SHOWN: i64 = 50;

pub async fn overview(db: &Database, migration: &Migration) -> Result<RunbookOverview, OpsError> {
    let locked = db.lock_holder().await?.is_some();
    Ok(RunbookOverview {
        migration: migration.name.to_owned(),
        description: migration.description.to_owned(),
        state: state(db, migration, locked).await?,
        database: db.name().to_owned(),
        runs: db.runs(migration.name, RUNS_SHOWN).await?,
        latest_verification: db.latest_verification(migration.name).await?,
        latest_plan: db.latest_plan(migration.name).await?,
    })
}
