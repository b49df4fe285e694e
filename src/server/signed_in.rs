//! Who a plain (non-server-function) route is serving: the person whose
//! session cookie the request carries.

use super::AppState;
use crate::auth;
use crate::model::CurrentUser;
use crate::ops::OpsError;
use axum::http::{HeaderMap, header};

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

/// True when the request carries `Authorization: Bearer <token>` and the
/// token is configured. Compared as digests, so the time taken says
/// nothing about the token.
pub fn bearer_is(headers: &HeaderMap, token: &str) -> bool {
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
