//! Backups in mongodump's directory layout, and restore (rollback option
//! 2): take, list, verify, delete, import a real `mongodump` folder, and
//! restore under the migration lock. Each backup is a folder of the
//! backups folder: `manifest.json` and `<db>/<coll>.bson[.gz]` with
//! `<coll>.metadata.json[.gz]`.

mod error;
mod files;
mod import;
mod jobs;
mod restore;
mod store;
mod take;
mod verify;

pub use error::BackupError;
pub use import::import;
pub use jobs::Jobs;
pub use restore::{
    Confirmation, PendingRestore, prepare_restore, restore, restore_copy, start_restore,
};
pub use store::BackupStore;
pub use take::{backup, cancel_backup, export_collections, start_backup};
pub use verify::{latest_verified, verify_backup};

use crate::model::Action;
use crate::ops::OpsError;
use crate::ops::audit::Actor;

/// Deletes backup `name` (admins only, checked by the caller; a second
/// admin's approval while four-eyes is on, since a backup may be the only
/// copy of what a restore or revert overwrote).
pub async fn delete(
    db: &crate::db::Database,
    store: &BackupStore,
    actor: &Actor,
    name: &str,
) -> Result<(), OpsError> {
    crate::ops::audit::audited(db, actor, Action::BackupDelete, name, async {
        let plan = match store.manifest(name) {
            Ok(manifest) => format!(
                "delete backup {name} of {} (taken {} by {}, {} bytes): {}",
                manifest.database,
                manifest.started_at,
                manifest.made_by,
                manifest.bytes(),
                manifest.contents()
            ),
            Err(error @ BackupError::Manifest { .. }) => {
                format!("delete the folder {name}, whose manifest cannot be read: {error}")
            }
            Err(error) => return Err(error.into()),
        };
        crate::ops::four_eyes::authorize(db, actor, Action::BackupDelete, name, &plan).await?;
        Ok(store.delete(name)?)
    })
    .await
}

/// Runs blocking file work (reading or copying whole dumps) off the async
/// threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BackupError> + Send + 'static,
) -> Result<T, OpsError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| OpsError::Internal(format!("a backup task stopped: {e}")))?
        .map_err(OpsError::from)
}
