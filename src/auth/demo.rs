//! The demo accounts of the embedded demo database, one per role. Created
//! only when the app makes a new embedded database; never on a real one.
//! Their passwords are random, shown once to whoever started the app and
//! stored only as hashes: a published password would let anyone who can
//! reach the app sign in as its admin.

use super::accounts::create_account;
use crate::db::Database;
use crate::model::Role;
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::digest::hex;
use argon2::password_hash::rand_core::{OsRng, RngCore};

/// Name and role of each demo account.
const DEMO_ACCOUNTS: [(&str, Role); 3] = [
    ("admin", Role::Admin),
    ("release", Role::ReleaseManager),
    ("viewer", Role::Viewer),
];

/// A demo account as created: its password is in clear here only, to be
/// shown once.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub name: &'static str,
    pub role: Role,
    pub password: String,
}

/// Creates the demo accounts, each with `password` (tests), or with a
/// random one (96 bits) when it is `None`.
pub async fn create_demo_accounts(
    db: &Database,
    password: Option<&str>,
) -> Result<Vec<DemoAccount>, OpsError> {
    let actor = Actor::from_os_user();
    let mut created = Vec::new();
    for (name, role) in DEMO_ACCOUNTS {
        let password = password.map_or_else(random_password, str::to_owned);
        create_account(db, &actor, name, role, &password).await?;
        created.push(DemoAccount {
            name,
            role,
            password,
        });
    }
    Ok(created)
}

fn random_password() -> String {
    let mut bytes = [0_u8; 12];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}
