//! Who a plain (non-server-function) route is serving: the person whose
//! session cookie the request carries; the refusal of a live stream to
//! anyone signed out, and the watch that ends it with the session
//! (`live_sessions.rs`).

use super::AppState;
use super::envelope::RouteError;
use super::live_sessions::{LiveSessions, SessionWatch};
use crate::auth::{self, SessionToken};
use crate::model::CurrentUser;
use crate::ops::OpsError;
use axum::http::{HeaderMap, header};
use secrecy::{ExposeSecret, SecretString};

/// The session token the request's cookie carries, if any.
fn session_token(state: &AppState, headers: &HeaderMap) -> Option<SessionToken> {
    headers
        .get(header::COOKIE)
        .and_then(|h| h.to_str().ok())
        .and_then(|header| auth::token_from_cookie_header(header, state.settings.server.https))
}

pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, OpsError> {
    match session_token(state, headers) {
        Some(token) => auth::authenticate(&state.db, &token).await,
        None => Ok(None),
    }
}

/// For a caller of a live stream: the watch on their session among
/// `sessions`, which ends the stream when the session ends; or the answer
/// to one who is not signed in (or whose session cannot be checked).
pub async fn watched_session(
    state: &AppState,
    headers: &HeaderMap,
    sessions: &LiveSessions,
) -> Result<SessionWatch, RouteError> {
    let Some(token) = session_token(state, headers) else {
        return Err(RouteError::signed_out());
    };
    match auth::authenticate(&state.db, &token).await {
        Ok(Some(_)) => Ok(sessions.watch(token.hashed())),
        Ok(None) => Err(RouteError::signed_out()),
        Err(error) => Err(RouteError::unavailable(
            "SESSION_UNCHECKED",
            "Sign-ins cannot be checked right now.",
            "cannot check the session of a live subscriber",
            &error,
        )),
    }
}

/// True when the request carries `Authorization: Bearer <token>` and the
/// token is configured. Compared as digests, so the time taken says
/// nothing about the token.
pub fn bearer_is(headers: &HeaderMap, token: &SecretString) -> bool {
    let token = token.expose_secret();
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    match sent {
        Some(sent) if !token.is_empty() => {
            crate::ops::digest::sha256_hex(sent.as_bytes())
                == crate::ops::digest::sha256_hex(token.as_bytes())
        }
        _ => false,
    }
}
