//! Refuses requests addressed to a host name this app does not answer to.
//! A page on another site can point its own name at this address (DNS
//! rebinding); the browser then sends that name as `Host` and treats the
//! app as part of that site, so neither the cross-site check nor the
//! `SameSite` cookie would stop it. The names allowed are
//! `server.address`, loopback names for a loopback or wildcard address,
//! and `server.allowed_hosts`.

use super::AppState;
use super::envelope::RouteError;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn known_host_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // HTTP/2 carries the host in the request's authority instead.
    let host = match request.headers().get(header::HOST) {
        Some(value) => value.to_str().ok().map(str::to_owned),
        None => request.uri().authority().map(ToString::to_string),
    };
    // No host at all is no browser (they always send one), so nothing to
    // rebind; anything else must be a name this app answers to.
    let known = match (request.headers().contains_key(header::HOST), &host) {
        (false, None) => true,
        (_, Some(host)) => state.settings.server.allows_host(host),
        (true, None) => false,
    };
    if known {
        return next.run(request).await;
    }
    tracing::warn!(?host, path = %request.uri().path(), "refused a request for an unknown host");
    RouteError::refused(
        StatusCode::MISDIRECTED_REQUEST,
        "UNKNOWN_HOST",
        "This host name is not one forest-runbook answers to. Add it to server.allowed_hosts \
         (FOREST_SERVER__ALLOWED_HOSTS) if people should reach the app by it.",
    )
    .into_response()
}
