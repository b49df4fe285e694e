//! `OpsError`: every way a runbook operation can fail, typed.

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Database(#[from] DbError),
}

impl OpsError {
    /// True when the database could not be reached at all.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Database(db) => db.is_unreachable(),
        }
    }
}
