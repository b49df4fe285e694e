//! The demo accounts of the embedded demo database, one per role. Created
//! only when the app makes a new embedded database; never on a real one.

use super::accounts::create_account;
use crate::db::Database;
use crate::model::Role;
use crate::ops::OpsError;
use crate::ops::audit::Actor;

/// Name, role and password of each demo account.
pub const DEMO_ACCOUNTS: [(&str, Role, &str); 3] = [
    ("admin", Role::Admin, "forest-admin-demo"),
    ("release", Role::ReleaseManager, "forest-release-demo"),
    ("viewer", Role::Viewer, "forest-viewer-demo"),
];

pub async fn create_demo_accounts(db: &Database) -> Result<(), OpsError> {
    let actor = Actor::from_os_user();
    for (name, role, password) in DEMO_ACCOUNTS {
        create_account(db, &actor, name, role, password).await?;
    }
    Ok(())
}
