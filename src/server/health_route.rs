//! `GET /api/health`: the Forest API's health envelope, so the same probes
//! and dashboards can watch this app.

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
            tracing::warn!(%error, "health check failed");
            let code = if error.is_unreachable() {
                "DATABASE_UNREACHABLE"
            } else {
                "DATABASE_ERROR"
            };
            let body = json!({
                "success": false,
                "error": { "code": code, "message": error.to_string() },
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
