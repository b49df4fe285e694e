//! Bounds every request body. No form of the app sends more than a few
//! kilobytes, and a server function would otherwise read whatever a
//! stranger sends (and answer 500 when it stopped); here a larger body is
//! answered 413 before any handler runs.

use super::envelope::RouteError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest body read, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub async fn bounded_body(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let (parts, body) = request.into_parts();
    // A body without a length (chunked) is read up to the bound and no more.
    match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}

fn too_large() -> Response {
    RouteError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        format!("A request may carry at most {} KiB.", MAX_BODY_BYTES / 1024),
    )
    .into_response()
}
