//! This deployment: everything since the last rollback (revert or
//! restore). A backup taken before it belongs to an earlier deployment and
//! proves nothing about this one.

use super::declaration::Migration;
use crate::db::Database;
use crate::model::{Manifest, RunKind, RunRecord};
use crate::ops::OpsError;
use crate::ops::backup::{BackupStore, latest_verified};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// This deployment's runs of one migration.
#[derive(Debug, Clone)]
pub struct ThisDeployment {
    /// When the latest rollback started, if there was one.
    pub since: Option<OffsetDateTime>,
    /// The migrate runs since then, newest first.
    pub migrate_runs: Vec<RunRecord>,
}

/// The runs of `migration` since its latest rollback (revert or restore).
pub async fn this_deployment(
    db: &Database,
    migration: &Migration,
) -> Result<ThisDeployment, OpsError> {
    let runs = db.runs(migration.name, 1_000).await?;
    let rollback = runs.iter().position(|run| run.kind.is_rollback());
    let since = rollback.and_then(|at| OffsetDateTime::parse(&runs[at].started_at, &Rfc3339).ok());
    let migrate_runs = runs
        .into_iter()
        .take(rollback.unwrap_or(usize::MAX))
        .filter(|run| run.kind == RunKind::Migrate)
        .collect();
    Ok(ThisDeployment {
        since,
        migrate_runs,
    })
}

/// When the latest rollback of `migration` started, if there was one.
pub async fn since(
    db: &Database,
    migration: &Migration,
) -> Result<Option<OffsetDateTime>, OpsError> {
    Ok(this_deployment(db, migration).await?.since)
}

/// The newest complete, verified backup taken in this deployment.
pub async fn backup(
    db: &Database,
    migration: &Migration,
    backups: &BackupStore,
) -> Result<Option<Manifest>, OpsError> {
    let since = since(db, migration).await?;
    let latest = latest_verified(backups, db.name(), None)?;
    Ok(latest.filter(|backup| {
        since.is_none_or(|since| {
            OffsetDateTime::parse(&backup.started_at, &Rfc3339).is_ok_and(|at| at > since)
        })
    }))
}
