//! Holding the migration lock for the length of a step: taken atomically,
//! renewed in the background, released by its owner. A process that dies
//! stops renewing, and the lease frees the lock after `LEASE`.
//!
//! A step never carries on unlocked: when a renewal finds the lock taken
//! by someone else, or renewals keep failing until the lease may have run
//! out, the lease is marked lost at once, and the step's next safe point
//! (`Lease::confirm`, between changes and between batches) stops it with
//! the reason, which the step records.

use crate::db::Database;
use crate::model::RunState;
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub const LEASE: Duration = Duration::from_secs(60);

/// How long a lease lasts and how often it is renewed.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub lease: Duration,
    pub renew_every: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            lease: LEASE,
            renew_every: LEASE / 3,
        }
    }
}

pub struct Lease {
    db: Database,
    owner: String,
    timing: Timing,
    lost: watch::Receiver<Option<String>>,
    renewer: JoinHandle<()>,
}

/// Takes the lock for `actor`, or says who holds it.
pub async fn take(db: &Database, actor: &Actor) -> Result<Lease, OpsError> {
    take_with(db, actor, Timing::default()).await
}

/// `take` with another lease length (tests use short ones).
pub async fn take_with(db: &Database, actor: &Actor, timing: Timing) -> Result<Lease, OpsError> {
    let owner = format!(
        "{} ({})",
        actor.name(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    if let Err(holder) = db.acquire_lock(&owner, timing.lease).await? {
        return Err(OpsError::LockHeld {
            owner: holder.owner,
            since: holder.since,
        });
    }
    let (report, lost) = watch::channel(None);
    let renewer = tokio::spawn(renew(db.clone(), owner.clone(), timing, report));
    Ok(Lease {
        db: db.clone(),
        owner,
        timing,
        lost,
        renewer,
    })
}

/// Renews every `renew_every` until the lease is lost, then says why.
async fn renew(db: Database, owner: String, timing: Timing, report: watch::Sender<Option<String>>) {
    let mut renewed = Instant::now();
    loop {
        tokio::time::sleep(timing.renew_every).await;
        let reason = match db.renew_lock(&owner, timing.lease).await {
            Ok(true) => {
                renewed = Instant::now();
                continue;
            }
            Ok(false) => "another run took the lock while this step ran".to_owned(),
            // The lease may still be ours until it would have run out; past
            // that, another run may legitimately have taken it.
            Err(error) if renewed.elapsed() + timing.renew_every < timing.lease => {
                tracing::warn!(%error, %owner, "could not renew the migration lock; retrying");
                continue;
            }
            Err(error) => format!("the lease could not be renewed before it ran out: {error}"),
        };
        tracing::error!(%owner, %reason, "lost the migration lock while a step ran");
        let _ = report.send(Some(reason));
        return;
    }
}

impl Lease {
    /// A safe point: renews the lease now and fails with the reason when
    /// this step no longer holds the lock.
    pub async fn confirm(&self) -> Result<(), OpsError> {
        if let Some(reason) = self.lost.borrow().clone() {
            return Err(OpsError::LeaseLost { reason });
        }
        if self.db.renew_lock(&self.owner, self.timing.lease).await? {
            Ok(())
        } else {
            Err(OpsError::LeaseLost {
                reason: "another run took the lock while this step ran".to_owned(),
            })
        }
    }

    /// `confirm` for a step recorded as `run` in the changelog: when the
    /// lease is lost, the run ends as failed with the reason.
    pub async fn confirm_run(&self, run: &str) -> Result<(), OpsError> {
        let lost = match self.confirm().await {
            Err(lost @ OpsError::LeaseLost { .. }) => lost,
            other => return other,
        };
        self.db
            .finish_run(run, RunState::Failed, Some(&lost.to_string()))
            .await?;
        Err(lost)
    }

    /// Who holds the lock, as the lock document names them.
    pub fn owner(&self) -> &str {
        &self.owner
    }

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
