//! Migrate as people start it: only with a verified backup taken in this
//! deployment, unless an admin (or the command line, run by the
//! operating-system user) migrates without one and says why; that
//! override is audited on its own.

use super::declaration::Migration;
use super::{deployment, migrate};
use crate::db::Database;
use crate::model::Action;
use crate::model::{Blocker, Role, RunRecord};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use crate::ops::backup::BackupStore;

/// `migrate`, refused before anything runs when no verified backup was
/// taken in this deployment and no admin gave `without_backup`, a reason.
pub async fn migrate_checked(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    backups: &BackupStore,
    without_backup: &str,
) -> Result<RunRecord, OpsError> {
    if deployment::backup(db, migration, backups).await?.is_none() {
        let reason = without_backup.trim();
        let refusal = if reason.is_empty() {
            Err(OpsError::Preflight(vec![Blocker::NoBackup]))
        } else {
            actor.require(Role::Admin)
        };
        // A plain refusal is migrate's; an override (or an attempt) is its own.
        let action = if reason.is_empty() {
            Action::StepMigrate
        } else {
            Action::StepMigrateWithoutBackup
        };
        audit::record(db, actor, action, reason, refusal.as_ref().copied()).await?;
        refusal?;
    }
    migrate(db, actor, migration).await
}
