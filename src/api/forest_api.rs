//! The Forest API page: the probe results, log counts and the Forest
//! server's Prisma pool for everyone signed in, a probe on demand for
//! release managers.

use crate::model::{AppError, LogSnapshot, PrismaPool, ProbeOverview, ProbeResult};
use leptos::prelude::*;

#[server(endpoint = "forest_api_overview")]
pub async fn forest_api_overview() -> Result<ProbeOverview, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::ForestApiRead,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::forest_api::overview(&state.db, state.migration, &state.prober)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "probe_now")]
pub async fn probe_now() -> Result<Vec<ProbeResult>, AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::ForestApiProbe,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::forest_api::probe_now(&state.db, &actor, &state.prober)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "forest_logs")]
pub async fn forest_logs() -> Result<LogSnapshot, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::ForestLogsRead,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::forest_api::logs(&state.db, state.migration, &state.forest_logs)
        .await
        .map_err(edge::respond)
}

/// The Forest server's Prisma pool as its logs tell it; read from the log
/// watcher's counts (no database), under the log counts' action.
#[server(endpoint = "forest_pool")]
pub async fn forest_pool() -> Result<PrismaPool, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::ForestLogsRead,
    )
    .await?;
    Ok(edge::state()?.forest_logs.pool())
}
