//! The health check behind `GET /api/health` and the header's status light.

use super::OpsError;
use super::migration::{Migration, state};
use crate::db::Database;
use crate::model::{DatabaseHealth, HealthReport, HealthStatus, MigrationHealth};
use std::time::Instant;

/// Pings the database, reads its version and the migration's state.
/// Fails when any of the three cannot be read.
pub async fn check(
    db: &Database,
    migration: &Migration,
    started_at: Instant,
) -> Result<HealthReport, OpsError> {
    let latency = db.ping().await?;
    let version = db.server_version().await?;
    let locked = db.lock_holder().await?.is_some();
    let state = state(db, migration, locked).await?;
    Ok(HealthReport {
        status: HealthStatus::Healthy,
        database: DatabaseHealth {
            reachable: true,
            version,
            latency_ms: (latency.as_secs_f64() * 1_000.0 * 100.0).round() / 100.0,
            name: db.name().to_owned(),
            embedded: db.is_embedded(),
        },
        migration: MigrationHealth {
            name: migration.name.to_owned(),
            state,
        },
        uptime_seconds: started_at.elapsed().as_secs(),
    })
}
