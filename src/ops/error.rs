//! `OpsError`: every way a runbook operation can fail, typed.

use crate::db::DbError;
use crate::model::{Blocker, Role};

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("needs role {required}, caller has {actual}")]
    Forbidden { required: Role, actual: Role },
    #[error("four-eyes is on: a second admin must approve this {action} first")]
    ApprovalRequired { action: String },
    #[error("wrong user name or password, or the account is disabled")]
    LoginFailed,
    #[error("too many failed sign-ins; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{field}: {message}")]
    InvalidInput {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("the migration lock is held by {owner} since {since}; wait for that run to finish")]
    LockHeld { owner: String, since: String },
    #[error("the step stopped at a safe point: it no longer holds the migration lock ({reason})")]
    LeaseLost { reason: String },
    #[error(
        "cancelled by {by} at a safe point, before {before}; what ran before it stays as it is, and running the step again goes on from there"
    )]
    Cancelled { by: String, before: String },
    #[error("the migration cannot start: {}", blockers_sentence(.0))]
    Preflight(Vec<Blocker>),
    #[error("the rehearsal cannot start: {0}")]
    CannotRehearse(String),
    #[error("{change} failed (MongoDB error {}): {message}", .code.map_or("-".to_owned(), |c| c.to_string()))]
    ChangeFailed {
        change: String,
        code: Option<i32>,
        message: String,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    Internal(String),
    #[error(transparent)]
    Backup(#[from] crate::ops::backup::BackupError),
    #[error(transparent)]
    Database(#[from] DbError),
}

fn blockers_sentence(blockers: &[Blocker]) -> String {
    let sentences: Vec<String> = blockers.iter().map(Blocker::to_string).collect();
    sentences.join("; ")
}

impl OpsError {
    /// True when the database could not be reached at all.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Database(db) if db.is_unreachable())
    }

    /// The short code recorded in the audit log.
    pub fn code(&self) -> String {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED".into(),
            Self::Forbidden { .. } => "FORBIDDEN".into(),
            Self::ApprovalRequired { .. } => "APPROVAL_REQUIRED".into(),
            Self::LoginFailed => "LOGIN_FAILED".into(),
            Self::RateLimited { .. } => "RATE_LIMITED".into(),
            Self::InvalidInput { .. } => "INVALID_INPUT".into(),
            Self::Conflict(_) => "CONFLICT".into(),
            Self::LockHeld { .. } => "LOCK_HELD".into(),
            Self::LeaseLost { .. } => "LEASE_LOST".into(),
            Self::Cancelled { .. } => "CANCELLED".into(),
            Self::Preflight(_) => "PREFLIGHT_FAILED".into(),
            Self::CannotRehearse(_) => "REHEARSAL_REFUSED".into(),
            Self::ChangeFailed {
                code: Some(code), ..
            } => format!("MONGO_{code}"),
            Self::ChangeFailed { .. } => "CHANGE_FAILED".into(),
            Self::NotFound(_) => "NOT_FOUND".into(),
            Self::Internal(_) => "INTERNAL".into(),
            Self::Backup(_) => "BACKUP".into(),
            Self::Database(db) => match db.code() {
                Some(code) => format!("MONGO_{code}"),
                None if db.is_unreachable() => "DATABASE_UNREACHABLE".into(),
                None => "DATABASE".into(),
            },
        }
    }
}
