//! Holding the migration lock for the length of a step: taken atomically,
//! renewed in the background, released by its owner. A process that dies
//! stops renewing, and the lease frees the lock after `LEASE`.

use crate::db::Database;
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use std::time::Duration;
use tokio::task::JoinHandle;

pub const LEASE: Duration = Duration::from_secs(60);
const RENEW_EVERY: Duration = Duration::from_secs(20);

pub struct Lease {
    db: Database,
    owner: String,
    renewer: JoinHandle<()>,
}

/// Takes the lock for `actor`, or says who holds it.
pub async fn take(db: &Database, actor: &Actor) -> Result<Lease, OpsError> {
    let owner = format!(
        "{} ({})",
        actor.name(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    if let Err(holder) = db.acquire_lock(&owner, LEASE).await? {
        return Err(OpsError::LockHeld {
            owner: holder.owner,
            since: holder.since,
        });
    }
    let renewer = {
        let db = db.clone();
        let owner = owner.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                match db.renew_lock(&owner, LEASE).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::error!(%owner, "lost the migration lock while a step ran");
                        return;
                    }
                    Err(error) => tracing::warn!(%error, "could not renew the migration lock"),
                }
            }
        })
    };
    Ok(Lease {
        db: db.clone(),
        owner,
        renewer,
    })
}

impl Lease {
    pub async fn release(self) -> Result<(), OpsError> {
        self.renewer.abort();
        Ok(self.db.release_lock(&self.owner).await?)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}
