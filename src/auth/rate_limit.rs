//! Sign-in throttling, in memory. Failures are counted per account and
//! address pair, and per address across accounts: the first few are free,
//! then each further attempt must wait twice as long as the one before (up
//! to `MAX_WAIT`). Someone guessing from one address never slows the owner
//! signing in from another.
//!
//! Checking and counting are one step under one lock: an attempt is counted
//! as a failure when it is let through, and forgiven when its password turns
//! out right. So parallel attempts cannot all pass the check before any of
//! them is counted.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const FREE_PER_PAIR: u32 = 5;
const FREE_PER_ADDRESS: u32 = 20;
const FIRST_WAIT: Duration = Duration::from_secs(1);
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// Quiet time after which a key's failures are forgotten; longer than
/// `MAX_WAIT`, so waiting out the cap does not reset the count.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);
/// Bounds memory. When every key is live, attempts under new keys wait:
/// failing closed, so a flood of addresses cannot switch the limit off.
const MAX_KEYS: usize = 200_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// When the next attempt may start, given `free` attempts before waits.
    fn next_allowed(self, free: u32) -> Option<Instant> {
        let over = self.count.checked_sub(free)?;
        let wait = FIRST_WAIT
            .checked_mul(2_u32.saturating_pow(over.min(31)))
            .map_or(MAX_WAIT, |wait| wait.min(MAX_WAIT));
        Some(self.last + wait)
    }
}

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, Failures>>,
}

/// An attempt the limiter let through, counted as failed until `succeeded`.
#[derive(Debug)]
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    pair: String,
    address: String,
}

impl Attempt<'_> {
    /// The password was right: the pair's failures are forgotten, and this
    /// attempt no longer counts against the address.
    pub fn succeeded(self) {
        let mut failures = self.limiter.lock();
        failures.remove(&self.pair);
        if let Some(entry) = failures.get_mut(&self.address) {
            entry.count = entry.count.saturating_sub(1);
        }
    }
}

impl LoginLimiter {
    /// Lets an attempt at `account` from `address` through, counting it, or
    /// `Err(seconds to wait)`.
    pub fn attempt(&self, account: &str, address: &str) -> Result<Attempt<'_>, u64> {
        self.attempt_at(account, address, Instant::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        // The map stays consistent at every step, so a panic elsewhere while
        // it was held does not make it unusable.
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn attempt_at(&self, account: &str, address: &str, now: Instant) -> Result<Attempt<'_>, u64> {
        let pair = format!("{}\u{0}{address}", account.to_lowercase());
        let address = format!("address\u{0}{address}");
        let mut failures = self.lock();
        let keys = [(&address, FREE_PER_ADDRESS), (&pair, FREE_PER_PAIR)];
        let mut wait = Duration::ZERO;
        for (key, free) in keys {
            if let Some(entry) = failures.get(key).copied() {
                if now.saturating_duration_since(entry.last) >= FORGET_AFTER {
                    failures.remove(key);
                } else if let Some(at) = entry.next_allowed(free) {
                    wait = wait.max(at.saturating_duration_since(now));
                }
            }
        }
        if wait.is_zero() && failures.len() + 2 > MAX_KEYS {
            failures.retain(|_, entry| now.saturating_duration_since(entry.last) < FORGET_AFTER);
            if failures.len() + 2 > MAX_KEYS
                && keys.iter().any(|(key, _)| !failures.contains_key(*key))
            {
                wait = FIRST_WAIT;
            }
        }
        if !wait.is_zero() {
            return Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
        }
        for (key, _) in keys {
            let entry = failures.entry(key.clone()).or_insert(Failures {
                count: 0,
                last: now,
            });
            entry.count = entry.count.saturating_add(1);
            entry.last = now;
        }
        drop(failures);
        Ok(Attempt {
            limiter: self,
            pair,
            address,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pair_gets_five_free_tries_then_waits_that_double() {
        let limiter = LoginLimiter::default();
        let start = Instant::now();
        for i in 0..FREE_PER_PAIR {
            assert!(
                limiter.attempt_at("ada", "1.2.3.4", start).is_ok(),
                "try {i}"
            );
        }
        assert_eq!(
            limiter.attempt_at("Ada", "1.2.3.4", start).map(drop),
            Err(1)
        );
        let later = start + Duration::from_secs(1);
        assert!(limiter.attempt_at("ada", "1.2.3.4", later).is_ok());
        assert_eq!(
            limiter.attempt_at("ada", "1.2.3.4", later).map(drop),
            Err(2)
        );
        assert!(
            limiter
                .attempt_at("ada", "1.2.3.4", later + Duration::from_secs(2))
                .is_ok()
        );
        // The owner, elsewhere, is not slowed; nor is anyone else.
        assert!(limiter.attempt_at("ada", "5.6.7.8", later).is_ok());
        assert!(limiter.attempt_at("grace", "1.2.3.4", later).is_ok());
        assert!(
            limiter
                .attempt_at("ada", "1.2.3.4", start + FORGET_AFTER * 2)
                .is_ok()
        );
    }

    #[test]
    fn the_wait_is_capped_and_a_success_forgives_the_pair() {
        let limiter = LoginLimiter::default();
        let mut now = Instant::now();
        for _ in 0..30 {
            if let Err(wait) = limiter.attempt_at("ada", "1.2.3.4", now) {
                assert!(wait <= MAX_WAIT.as_secs(), "{wait}");
                now += Duration::from_secs(wait);
                assert!(limiter.attempt_at("ada", "1.2.3.4", now).is_ok());
            }
        }
        assert_eq!(
            limiter.attempt_at("ada", "1.2.3.4", now).map(drop),
            Err(MAX_WAIT.as_secs())
        );
        let other = LoginLimiter::default();
        for _ in 0..FREE_PER_PAIR - 1 {
            assert!(other.attempt_at("ada", "1.2.3.4", now).is_ok());
        }
        other
            .attempt_at("ada", "1.2.3.4", now)
            .expect("fifth")
            .succeeded();
        for _ in 0..FREE_PER_PAIR {
            assert!(other.attempt_at("ada", "1.2.3.4", now).is_ok());
        }
    }

    #[test]
    fn an_address_is_slowed_across_accounts() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for i in 0..FREE_PER_ADDRESS {
            assert!(
                limiter
                    .attempt_at(&format!("user{i}"), "9.9.9.9", now)
                    .is_ok()
            );
        }
        assert!(limiter.attempt_at("someone", "9.9.9.9", now).is_err());
        assert!(limiter.attempt_at("someone", "8.8.8.8", now).is_ok());
    }

    #[test]
    fn parallel_attempts_pass_at_most_the_free_ones() {
        let limiter = std::sync::Arc::new(LoginLimiter::default());
        let passed: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..40)
                .map(|_| {
                    let limiter = &limiter;
                    scope.spawn(move || usize::from(limiter.attempt("ada", "1.2.3.4").is_ok()))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        assert_eq!(passed, FREE_PER_PAIR as usize);
    }
}
