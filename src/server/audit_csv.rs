//! `GET /audit.csv`: the filtered audit log as a download, for signed-in people.

use super::AppState;
use crate::auth;
use crate::model::AuditFilter;
use crate::ops::audit;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let token = headers
        .get(header::COOKIE)
        .and_then(|h| h.to_str().ok())
        .and_then(auth::token_from_cookie_header);
    let user = match token {
        Some(token) => auth::authenticate(&state.db, &token).await,
        None => Ok(None),
    };
    let csv = match user {
        Ok(Some(_)) => audit::list(&state.db, &filter)
            .await
            .and_then(|entries| audit::to_csv(&entries)),
        Ok(None) => return (StatusCode::UNAUTHORIZED, "Please sign in first.").into_response(),
        Err(error) => Err(error),
    };
    match csv {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit.csv\"",
                ),
            ],
            csv,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "audit export failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The audit log cannot be read right now.",
            )
                .into_response()
        }
    }
}
