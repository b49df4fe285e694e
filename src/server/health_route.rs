//! `GET /api/health`: the Forest API's health envelope, so the same probes
//! and dashboards can watch this app. It is public, so a failure shows a
//! code and a fixed sentence; the cause (which names hosts and ports) goes
//! to the log under the incident id the answer carries.

use super::AppState;
use crate::ops;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn health(State(state): State<AppState>) -> Response {
    match ops::health::check(&state.db, state.started_at).await {
        Ok(report) => Json(json!({ "success": true, "data": report })).into_response(),
        Err(error) => {
            let (code, message) = if error.is_unreachable() {
                ("DATABASE_UNREACHABLE", "The database does not answer.")
            } else {
                ("DATABASE_ERROR", "The database answered with an error.")
            };
            let incident_id = crate::telemetry::incident("health check failed", &error);
            let body = json!({
                "success": false,
                "error": { "code": code, "message": message, "incidentId": incident_id },
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
