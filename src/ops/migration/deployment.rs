//! This deployment: everything since the last rollback (revert or
//! restore). A backup taken before it belongs to an earlier deployment and
//! proves nothing about this one.

use super::declaration::Migration;
use crate::db::Database;
use crate::model::Manifest;
use crate::ops::OpsError;
use crate::ops::backup::{BackupStore, latest_verified};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// When the latest rollback of `migration` started, if there was one.
pub async fn since(
    db: &Database,
    migration: &Migration,
) -> Result<Option<OffsetDateTime>, OpsError> {
    Ok(db
        .runs(migration.name, 1_000)
        .await?
        .into_iter()
        .find(|run| run.kind.is_rollback())
        .and_then(|run| OffsetDateTime::parse(&run.started_at, &Rfc3339).ok()))
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
