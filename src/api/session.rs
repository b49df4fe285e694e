//! Signing in and out, and who is signed in.

use crate::model::{AppError, CurrentUser};
use leptos::prelude::*;

/// Public: checks the password, sets the session cookie, goes to the overview.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<CurrentUser, AppError> {
    use super::edge;
    let state = edge::state()?;
    let (user, token) = crate::auth::login(
        &state.db,
        &state.limiter,
        &username,
        &password,
        &edge::client_address(),
        state.settings.session_lifetime(),
    )
    .await
    .map_err(edge::respond)?;
    edge::set_session_cookie(Some(&token), &state);
    leptos_axum::redirect("/");
    Ok(user)
}

/// Any signed-in person: ends the session on the server and clears the cookie.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::edge;
    let user = edge::require(crate::model::Role::Viewer, crate::model::Action::Logout).await?;
    let state = edge::state()?;
    if let Some(token) = edge::session_token() {
        crate::auth::logout(&state.db, &token, user)
            .await
            .map_err(edge::respond)?;
    }
    edge::set_session_cookie(None, &state);
    leptos_axum::redirect("/login");
    Ok(())
}

/// Public: the signed-in person, or `None`.
#[server(endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    super::edge::caller().await
}
