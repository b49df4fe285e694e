//! Sign-in throttling, kept in MongoDB so that every instance of the app
//! enforces the same counts. Failures are counted per account and address
//! pair, and per address across accounts: the first few are free, then
//! each further attempt must wait twice as long as the one before (up to
//! `max_wait`). Someone guessing from one address never slows the owner
//! signing in from another.
//!
//! An attempt is counted as a failure when it is let through (the check
//! and the count are one atomic step on the server, `db/sign_in_limits.rs`),
//! and forgiven when its password turns out right. So parallel attempts,
//! on one instance or several, cannot all pass the check before any of
//! them is counted.

use crate::db::{Admission, Backoff, Database};
use crate::ops::OpsError;
use std::time::Duration;

/// The limits; `Default` is what the app runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimiter {
    pub per_pair: Backoff,
    pub per_address: Backoff,
    /// Keys kept at most. When full, attempts under new keys wait: failing
    /// closed, so a flood of addresses cannot switch the limit off.
    pub max_keys: u64,
}

/// Quiet time after which a key's failures are forgotten; longer than the
/// longest wait, so waiting out the cap does not reset the count.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

impl Default for LoginLimiter {
    fn default() -> Self {
        let backoff = |free| Backoff {
            free,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
            forget_after: FORGET_AFTER,
        };
        Self {
            per_pair: backoff(5),
            per_address: backoff(20),
            max_keys: 200_000,
        }
    }
}

/// An attempt the limiter let through, counted as failed until `succeeded`.
#[derive(Debug)]
#[must_use = "a right password must be reported with `succeeded`"]
pub struct Attempt {
    pair: String,
    address: String,
}

impl Attempt {
    /// The password was right: the pair's failures are forgotten, and this
    /// attempt no longer counts against the address.
    pub async fn succeeded(self, db: &Database) -> Result<(), OpsError> {
        db.clear_sign_in(&self.pair).await?;
        db.forgive_sign_in(&self.address).await?;
        Ok(())
    }
}

/// Whole seconds to wait, rounded up.
fn seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

impl LoginLimiter {
    /// Lets an attempt at `account` from `address` through, counting it, or
    /// answers `Err(seconds to wait)`.
    pub async fn attempt(
        &self,
        db: &Database,
        account: &str,
        address: &str,
    ) -> Result<Result<Attempt, u64>, OpsError> {
        let pair = format!("pair\u{0}{}\u{0}{address}", account.to_lowercase());
        let address = format!("address\u{0}{address}");
        let may_grow = db.sign_in_limits_have_room(self.max_keys).await?;
        if let Admission::Wait(wait) = db
            .admit_sign_in(&address, self.per_address, may_grow)
            .await?
        {
            return Ok(Err(seconds(wait)));
        }
        if let Admission::Wait(wait) = db.admit_sign_in(&pair, self.per_pair, may_grow).await? {
            // Not tried after all: the address gets it back.
            db.forgive_sign_in(&address).await?;
            return Ok(Err(seconds(wait)));
        }
        Ok(Ok(Attempt { pair, address }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::from_secs(2)), 2);
        assert_eq!(seconds(Duration::from_millis(2_001)), 3);
    }
}
