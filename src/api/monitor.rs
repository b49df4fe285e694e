//! The Monitor page's data: the buffered window and the thresholds, and an
//! admin's changes to a threshold.

use crate::model::{AppError, MonitorOverview};
use leptos::prelude::*;

#[server(name = GetMonitor, endpoint = "monitor_overview")]
pub async fn monitor_overview() -> Result<MonitorOverview, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        edge::require(crate::model::Role::Viewer, "monitor.read").await?;
        let state = edge::state()?;
        let thresholds = crate::ops::thresholds::list(&state.db)
            .await
            .map_err(edge::respond)?;
        Ok(MonitorOverview {
            window: state.monitor.window(),
            thresholds,
        })
    })
    .await
}

#[server(endpoint = "set_threshold")]
pub async fn set_threshold(series: String, bound: String, limit: f64) -> Result<(), AppError> {
    super::edge::scoped(async move {
        use super::edge;
        let actor = edge::require_actor(crate::model::Role::Admin, "monitor.threshold.set").await?;
        crate::ops::thresholds::set(&edge::state()?.db, &actor, &series, &bound, limit)
            .await
            .map_err(edge::respond)
    })
    .await
}

#[server(endpoint = "clear_threshold")]
pub async fn clear_threshold(series: String) -> Result<(), AppError> {
    super::edge::scoped(async move {
        use super::edge;
        let actor =
            edge::require_actor(crate::model::Role::Admin, "monitor.threshold.clear").await?;
        crate::ops::thresholds::clear(&edge::state()?.db, &actor, &series)
            .await
            .map_err(edge::respond)
    })
    .await
}
