//! Who a plain (non-server-function) route is serving: the person whose
//! session cookie the request carries; the refusal of a live stream to
//! anyone signed out, and the end of it when the session ends.

use super::AppState;
use super::envelope::RouteError;
use crate::auth;
use crate::model::CurrentUser;
use crate::ops::OpsError;
use axum::http::{HeaderMap, header};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, OpsError> {
    let token = headers
        .get(header::COOKIE)
        .and_then(|h| h.to_str().ok())
        .and_then(|header| auth::token_from_cookie_header(header, state.settings.server.https));
    match token {
        Some(token) => auth::authenticate(&state.db, &token).await,
        None => Ok(None),
    }
}

/// The answer to a caller of a live stream who is not signed in (or whose
/// session cannot be checked); `None` for a signed-in one.
pub async fn require_signed_in(state: &AppState, headers: &HeaderMap) -> Result<(), RouteError> {
    match signed_in(state, headers).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(RouteError::signed_out()),
        Err(error) => Err(RouteError::unavailable(
            "SESSION_UNCHECKED",
            "Sign-ins cannot be checked right now.",
            "cannot check the session of a live subscriber",
            &error,
        )),
    }
}

/// Completes when the subscriber's session is gone (signed out, expired,
/// account disabled) or can no longer be checked, looking once `every`,
/// so that a stream never outlives its session by more than that. A
/// browser whose stream ends reconnects and is checked afresh.
pub async fn session_ends(state: AppState, headers: HeaderMap, every: Duration) {
    let mut every = tokio::time::interval(every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    loop {
        every.tick().await;
        match signed_in(&state, &headers).await {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "cannot re-check a live subscriber's session");
                return;
            }
        }
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
