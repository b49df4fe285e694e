//! The database and migration status shown in the header.

use crate::model::{AppError, HealthReport};
use leptos::prelude::*;

/// The same report as `GET /api/health`, which is public too.
#[server(endpoint = "get_health")]
pub async fn get_health() -> Result<HealthReport, AppError> {
    let state = super::edge::state()?;
    crate::ops::health::check(&state.db, state.migration, state.started_at)
        .await
        .map_err(super::edge::respond)
}
