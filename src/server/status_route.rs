//! `GET /api/status`: the deployment at a glance as JSON, for chat bots and
//! status pages. It answers a signed-in person, or a client that sends the
//! metrics token as a bearer token (`monitor.metrics_token`), in the same
//! envelope as `/api/health`.

use super::AppState;
use super::signed_in::{bearer_is, signed_in};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn status(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let allowed = bearer_is(&headers, &state.settings.monitor.metrics_token)
        || matches!(signed_in(&state, &headers).await, Ok(Some(_)));
    if !allowed {
        let body = json!({
            "success": false,
            "error": {
                "code": "UNAUTHENTICATED",
                "message": "Sign in, or send the metrics token as a bearer token.",
            },
        });
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(body),
        )
            .into_response();
    }
    match state.status().await {
        Ok(status) => Json(json!({ "success": true, "data": status })).into_response(),
        Err(error) => {
            let incident_id =
                crate::telemetry::incident("the deployment status could not be read", &error);
            let body = json!({
                "success": false,
                "error": {
                    "code": "STATUS_UNAVAILABLE",
                    "message": format!("The status could not be read (incident {incident_id})."),
                },
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
