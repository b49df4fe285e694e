//! The Monitor page's data: the buffered window and the thresholds, a range
//! of the kept history, and an admin's changes to a threshold.

use crate::model::{AppError, MonitorHistory, MonitorOverview};
use leptos::prelude::*;

#[server(endpoint = "get_monitor")]
pub async fn get_monitor() -> Result<MonitorOverview, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::MonitorRead,
    )
    .await?;
    let state = edge::state()?;
    let thresholds = crate::ops::thresholds::list(&state.db)
        .await
        .map_err(edge::respond)?;
    Ok(MonitorOverview {
        window: state.monitor.window(),
        thresholds,
    })
}

/// `range` of the history (`deployment`, `24h`, `compare`, `live`), as of now.
#[server(endpoint = "get_monitor_history")]
pub async fn get_monitor_history(range: String) -> Result<MonitorHistory, AppError> {
    use super::edge;
    use crate::model::HistoryRange;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::MonitorRead,
    )
    .await?;
    let state = edge::state()?;
    let range = HistoryRange::parse(&range).ok_or_else(|| {
        edge::respond(crate::ops::OpsError::InvalidInput {
            field: "range",
            message: "choose live, deployment, 24h or compare".to_owned(),
        })
    })?;
    let history = &state.settings.monitor;
    crate::ops::history::read(
        &state.db,
        state.migration,
        range,
        crate::ops::history::now_ms(),
        history.history_days,
    )
    .await
    .map_err(edge::respond)
}

#[server(endpoint = "set_threshold")]
pub async fn set_threshold(series: String, bound: String, limit: f64) -> Result<(), AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::Admin,
        crate::model::Action::MonitorThresholdSet,
    )
    .await?;
    crate::ops::thresholds::set(&edge::state()?.db, &actor, &series, &bound, limit)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "clear_threshold")]
pub async fn clear_threshold(series: String) -> Result<(), AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::Admin,
        crate::model::Action::MonitorThresholdClear,
    )
    .await?;
    crate::ops::thresholds::clear(&edge::state()?.db, &actor, &series)
        .await
        .map_err(edge::respond)
}
