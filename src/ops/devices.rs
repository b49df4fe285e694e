//! Device-registration counts, as of now.

use super::OpsError;
use crate::db::Database;
use crate::model::DeviceStats;
use std::time::{SystemTime, UNIX_EPOCH};

pub async fn stats(db: &Database) -> Result<DeviceStats, OpsError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Ok(db.device_stats(now).await?)
}
