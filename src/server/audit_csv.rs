//! `GET /audit.csv`: the filtered audit log as a download, for signed-in people.

use super::AppState;
use super::signed_in::signed_in;
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
    let csv = match signed_in(&state, &headers).await {
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
