//! Refuses cross-site requests that change state. The session cookie is
//! `SameSite=Strict` already; this checks the browser's own word on where a
//! request comes from (`Origin`, else `Sec-Fetch-Site`), so that a browser
//! without SameSite support is covered too. The origin must match this
//! site's scheme as well as its host: with `server.https`, a page served
//! over plain HTTP under the same name (one a network attacker can forge)
//! is another site. Clients that send neither header (curl, scripts)
//! cannot carry a victim's cookie and pass.

use super::AppState;
use super::envelope::RouteError;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_ok = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => host.is_some_and(|host| {
            origin.split_once("://").is_some_and(|(scheme, rest)| {
                scheme.eq_ignore_ascii_case(state.settings.server.scheme())
                    && rest.eq_ignore_ascii_case(host)
            })
        }),
        None => !matches!(
            headers.get("sec-fetch-site").and_then(|s| s.to_str().ok()),
            Some("cross-site" | "same-site")
        ),
    };
    if origin_ok {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        RouteError::forbidden(
            "Cross-site requests are refused. Open forest-runbook at its own address.",
        )
        .into_response()
    }
}
