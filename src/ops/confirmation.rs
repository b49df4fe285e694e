//! The typed confirmation a rollback asks for: the database's name.

use super::OpsError;
use crate::db::Database;

/// Refuses unless `typed` is the name of the database about to change.
pub fn confirm_database(db: &Database, typed: &str) -> Result<(), OpsError> {
    if typed == db.name() {
        return Ok(());
    }
    Err(OpsError::InvalidInput {
        field: "confirmation",
        message: format!("type the database name, {}, to confirm", db.name()),
    })
}
