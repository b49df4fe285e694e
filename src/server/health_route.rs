//! `GET /api/health`: the Forest API's health envelope, so the same probes
//! and dashboards can watch this app. It is public, so a failure shows a
//! code and a fixed sentence; the cause (which names hosts and ports) goes
//! to the log under the incident id the answer carries.

use super::AppState;
use super::envelope::{RouteError, success};
use crate::ops;
use axum::extract::State;
use axum::response::Response;

pub async fn health(State(state): State<AppState>) -> Result<Response, RouteError> {
    let report = ops::health::check(&state.db, state.migration, state.started_at)
        .await
        .map_err(|error| {
            let (code, message) = if error.is_unreachable() {
                ("DATABASE_UNREACHABLE", "The database does not answer.")
            } else {
                ("DATABASE_ERROR", "The database answered with an error.")
            };
            RouteError::unavailable(code, message, "health check failed", &error)
        })?;
    Ok(success(report))
}
