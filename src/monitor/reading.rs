//! One round of reads of every monitoring source, as raw cumulative
//! numbers. A source that cannot be read carries the reason, in words a
//! person can act on.

use crate::db::{Database, DbError, DriverTally, ServerStatus, SyncCounts};
use crate::model::MigrationProgress;
use crate::ops::migration::Migration;
use crate::ops::{self, OpsError};
use std::time::{Duration, SystemTime};

/// "New" devices are those registered within the dashboard's window.
const NEW_DEVICES_SINCE: Duration = Duration::from_secs(crate::model::WINDOW_SECS);
/// Users count as syncing when they synced within the last hour.
const SYNCED_SINCE: Duration = Duration::from_secs(3_600);

#[derive(Debug, Clone)]
pub struct Reading {
    pub at: SystemTime,
    pub status: Result<ServerStatus, String>,
    pub driver: DriverTally,
    pub sync: Result<SyncCounts, String>,
    pub migration: Result<MigrationProgress, String>,
}

/// Reads every source once: one `serverStatus`, the five sync counts
/// (unless `earlier_counts` are to be kept) and the migration's state
/// (lock, changelog).
pub async fn read(
    db: &Database,
    migration: &Migration,
    earlier_counts: Option<&Result<SyncCounts, String>>,
) -> Reading {
    let at = SystemTime::now();
    let ago = |span| at.checked_sub(span).unwrap_or(SystemTime::UNIX_EPOCH);
    let status = db
        .server_status()
        .await
        .map_err(|e| why("serverStatus", &e));
    let sync = match earlier_counts {
        Some(counts) => counts.clone(),
        None => db
            .sync_counts(ago(NEW_DEVICES_SINCE), ago(SYNCED_SINCE))
            .await
            .map_err(|e| why("the sync counts", &e)),
    };
    let migration = ops::migration::progress(db, migration)
        .await
        .map_err(|e| match e {
            OpsError::Database(e) => why("the migration's changelog", &e),
            e => format!("the migration's state cannot be read: {e}"),
        });
    Reading {
        at,
        status,
        driver: db.driver_tally(),
        sync,
        migration,
    }
}

fn why(source: &str, error: &DbError) -> String {
    if error.is_unauthorized() {
        format!(
            "{source} cannot be read: the database user lacks the clusterMonitor role ({error})"
        )
    } else if error.is_unsupported() {
        format!("this database server cannot run {source} ({error})")
    } else {
        format!("{source} cannot be read: {error}")
    }
}
