//! `GET /api/status`: the deployment at a glance as JSON, for chat bots and
//! status pages. It answers a signed-in person, or a client that sends the
//! metrics token as a bearer token (`monitor.metrics_token`), in the same
//! envelope as `/api/health`.

use super::AppState;
use super::envelope::{RouteError, success};
use super::signed_in::{bearer_is, signed_in};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RouteError> {
    let allowed = bearer_is(&headers, &state.settings.monitor.metrics_token)
        || matches!(signed_in(&state, &headers).await, Ok(Some(_)));
    if !allowed {
        return Err(RouteError::token_required(
            "Sign in, or send the metrics token as a bearer token.",
        ));
    }
    let status = state.status().await.map_err(|error| {
        RouteError::unavailable(
            "STATUS_UNAVAILABLE",
            "The status could not be read.",
            "the deployment status could not be read",
            &error,
        )
    })?;
    Ok(success(status))
}
