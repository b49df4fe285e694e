//! `AppError`: the error a person sees in the browser. Server-side causes are
//! mapped to it at the edge (`api/`); internal causes travel only as an
//! incident id that points into the server's log.

use super::Role;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    #[error("Please sign in first.")]
    Unauthenticated,
    #[error("This needs the {} role; you are signed in as {}.", .required.label(), .actual.label())]
    Forbidden { required: Role, actual: Role },
    /// Deliberately the same for an unknown user, a wrong password and a
    /// disabled account.
    #[error(
        "Four-eyes is on: a second admin must approve this {action} on the Settings page before \
         it runs; your request is waiting there. Run it again once it is approved."
    )]
    ApprovalRequired { action: String },
    #[error("Wrong user name or password, or the account is disabled.")]
    LoginFailed,
    #[error("Too many failed sign-ins. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
    #[error("{message}")]
    Conflict { message: String },
    #[error("{what} was not found.")]
    NotFound { what: String },
    /// The database did not answer; the message names the incident whose
    /// cause (hosts, ports) is in the server's log.
    #[error("The database is unreachable ({message}).")]
    DatabaseUnreachable { message: String },
    /// Something failed inside the server; the log holds the cause.
    #[error(
        "Something went wrong on the server (incident {incident_id}). The server log has the details."
    )]
    Internal { incident_id: String },
    /// The request never reached the server function or its answer was lost.
    #[error("The request failed: {message}")]
    Transport { message: String },
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport {
            message: value.to_string(),
        }
    }
}
