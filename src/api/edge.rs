//! Where a server function meets the request: the app state, the caller's
//! session and role, and the mapping of server-side errors to `AppError`
//! with the HTTP status that goes with it. Internal causes are logged with
//! an incident id and only the id crosses to the browser.

use crate::auth::{self, SessionToken};
use crate::model::{Action, AppError, CurrentUser, Role};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use crate::ops::backup::BackupError;
use crate::server::{AppState, address_key, client_ip};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

/// The app state the router provides to every server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>()
        .ok_or_else(|| internal(&"the app state is missing from the server function's context"))
}

fn request_parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The session token in the request's cookie, if any.
pub fn session_token() -> Option<SessionToken> {
    let secure = state().ok()?.settings.server.https;
    let parts = request_parts()?;
    let header = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    auth::token_from_cookie_header(header, secure)
}

/// The signed-in caller, or `None`.
pub async fn caller() -> Result<Option<CurrentUser>, AppError> {
    let state = state()?;
    let Some(token) = session_token() else {
        return Ok(None);
    };
    auth::authenticate(&state.db, &token).await.map_err(respond)
}

/// The caller, who must hold at least `role`. A refusal answers 401 or 403
/// and is audited under `action`.
pub async fn require(role: Role, action: Action) -> Result<CurrentUser, AppError> {
    let state = state()?;
    let refusal = match caller().await? {
        Some(user) if user.role.includes(role) => return Ok(user),
        Some(user) => (
            Actor::User(user.clone()),
            OpsError::Forbidden {
                required: role,
                actual: user.role,
            },
        ),
        None => (
            Actor::Anonymous {
                address: client_address(),
            },
            OpsError::Unauthenticated,
        ),
    };
    let (actor, error) = refusal;
    audit::record(&state.db, &actor, action, "", Err(&error))
        .await
        .map_err(respond)?;
    Err(respond(error))
}

/// `require`, as the actor the domain records.
pub async fn require_actor(role: Role, action: Action) -> Result<Actor, AppError> {
    require(role, action).await.map(Actor::User)
}

/// The client's address (through trusted proxies only), as sign-in limits
/// and the audit key it; `unknown` when not served over TCP.
pub fn client_address() -> String {
    let ip = state()
        .ok()
        .zip(request_parts())
        .and_then(|(state, parts)| {
            client_ip(&state.settings.server, &parts.headers, &parts.extensions)
        });
    address_key(ip)
}

/// Sets (or, with `None`, clears) the session cookie on the response.
pub fn set_session_cookie(token: Option<&SessionToken>, state: &AppState) {
    let cookie = auth::session_cookie(
        token,
        state.settings.session_lifetime(),
        state.settings.server.https,
    );
    if let Ok(value) = header::HeaderValue::from_str(&cookie) {
        expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, value);
    }
}

/// Maps an operation's error to what the browser is shown, and sets the
/// response's status to match.
pub fn respond(error: OpsError) -> AppError {
    let (status, app_error) = match error {
        OpsError::Unauthenticated => (StatusCode::UNAUTHORIZED, AppError::Unauthenticated),
        OpsError::Forbidden { required, actual } => (
            StatusCode::FORBIDDEN,
            AppError::Forbidden { required, actual },
        ),
        OpsError::ApprovalRequired { action } => {
            (StatusCode::FORBIDDEN, AppError::ApprovalRequired { action })
        }
        OpsError::LoginFailed => (StatusCode::UNAUTHORIZED, AppError::LoginFailed),
        OpsError::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            AppError::RateLimited { retry_after_secs },
        ),
        OpsError::InvalidInput { field, message } => (
            StatusCode::BAD_REQUEST,
            AppError::InvalidInput {
                field: field.to_owned(),
                message,
            },
        ),
        OpsError::Conflict(message) => (StatusCode::CONFLICT, AppError::Conflict { message }),
        error @ (OpsError::LockHeld { .. }
        | OpsError::LeaseLost { .. }
        | OpsError::Cancelled { .. }
        | OpsError::Preflight(_)
        | OpsError::CannotRehearse(_)
        | OpsError::ChangeFailed { .. }) => (
            StatusCode::CONFLICT,
            AppError::Conflict {
                message: error.to_string(),
            },
        ),
        OpsError::NotFound(what) => (StatusCode::NOT_FOUND, AppError::NotFound { what }),
        OpsError::Backup(BackupError::NotFound(name)) => (
            StatusCode::NOT_FOUND,
            AppError::NotFound {
                what: format!("The backup {name}"),
            },
        ),
        OpsError::Backup(error) if !error.is_internal() => (
            StatusCode::CONFLICT,
            AppError::Conflict {
                message: error.to_string(),
            },
        ),
        // The driver's text names hosts and ports; it goes to the log only.
        error if error.is_unreachable() => (
            StatusCode::SERVICE_UNAVAILABLE,
            AppError::DatabaseUnreachable {
                message: format!(
                    "incident {}",
                    crate::telemetry::incident("the database did not answer", &error)
                ),
            },
        ),
        error => (StatusCode::INTERNAL_SERVER_ERROR, internal(&error)),
    };
    // A form posted without JavaScript is answered with a redirect back to
    // its page carrying the error in the address (`__err`, server_fn's form
    // redirects), where the page's action reads it: post/redirect/get. An
    // error status would stop the browser from following it.
    if let Some(response) = use_context::<ResponseOptions>().filter(|_| !plain_form_post()) {
        response.set_status(status);
    }
    app_error
}

/// True when the browser posted a form itself (no JavaScript): it asks for
/// a page, where the app's own calls ask for data.
fn plain_form_post() -> bool {
    request_parts().is_some_and(|parts| {
        parts.method == Method::POST
            && parts
                .headers
                .get(header::ACCEPT)
                .and_then(|accept| accept.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
    })
}

fn internal(cause: &dyn std::fmt::Display) -> AppError {
    AppError::Internal {
        incident_id: crate::telemetry::incident("internal error answered opaquely", cause),
    }
}
