//! Four-eyes approvals of rollbacks and restores, as pages show them.

use serde::{Deserialize, Serialize};

/// A request by one admin to run a guarded action, waiting for a second.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub id: String,
    /// The guarded action, e.g. `rollback.revert`.
    pub action: String,
    /// What it acts on, e.g. a migration or a backup name.
    pub target: String,
    /// Exactly what will run, as the approver reads it.
    pub plan: String,
    pub requested_by: String,
    /// RFC 3339.
    pub requested_at: String,
    pub expires_at: String,
    pub approved_by: Option<String>,
    pub used: bool,
}

/// Settings an admin changes in the browser; stored in the database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSettings {
    /// When on, a rollback or restore runs only after a second admin approves it.
    pub four_eyes: bool,
}
