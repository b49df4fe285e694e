//! Failed sign-ins per account and per address, in memory: after too many
//! failures inside the window, further attempts are refused until the
//! oldest failure leaves the window. Memory is bounded by `MAX_KEYS`.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(15 * 60);
const PER_ACCOUNT: usize = 5;
const PER_ADDRESS: usize = 20;
const MAX_KEYS: usize = 10_000;

#[derive(Debug, Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when either key has used up its failures.
    pub fn check(&self, account: &str, address: &str) -> Result<(), u64> {
        self.check_at(account, address, Instant::now())
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        self.record_at(account, address, Instant::now());
    }

    /// A successful sign-in forgets the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&account_key(account));
        }
    }

    fn check_at(&self, account: &str, address: &str, now: Instant) -> Result<(), u64> {
        let Ok(mut failures) = self.failures.lock() else {
            return Ok(());
        };
        let mut wait = 0;
        for (key, limit) in [
            (account_key(account), PER_ACCOUNT),
            (address_key(address), PER_ADDRESS),
        ] {
            if let Some(times) = failures.get_mut(&key) {
                prune(times, now);
                if times.len() >= limit
                    && let Some(oldest) = times.front()
                {
                    let free_at = *oldest + WINDOW;
                    wait = wait.max(free_at.saturating_duration_since(now).as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    fn record_at(&self, account: &str, address: &str, now: Instant) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, times| {
                prune(times, now);
                !times.is_empty()
            });
        }
        for key in [account_key(account), address_key(address)] {
            if failures.len() >= MAX_KEYS && !failures.contains_key(&key) {
                continue;
            }
            let times = failures.entry(key).or_default();
            prune(times, now);
            times.push_back(now);
        }
    }
}

fn account_key(account: &str) -> String {
    format!("account:{}", account.to_lowercase())
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

fn prune(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_locked_after_five_failures_and_freed_by_time() {
        let limiter = LoginLimiter::default();
        let start = Instant::now();
        for i in 0..PER_ACCOUNT {
            assert!(
                limiter.check_at("ada", "1.2.3.4", start).is_ok(),
                "attempt {i}"
            );
            limiter.record_at("ada", "1.2.3.4", start);
        }
        let wait = limiter
            .check_at("ada", "5.6.7.8", start)
            .expect_err("locked");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        assert!(
            limiter.check_at("grace", "5.6.7.8", start).is_ok(),
            "others unaffected"
        );
        assert!(limiter.check_at("ada", "5.6.7.8", start + WINDOW).is_ok());
    }

    #[test]
    fn an_address_is_limited_across_accounts() {
        let limiter = LoginLimiter::default();
        let now = Instant::now();
        for i in 0..PER_ADDRESS {
            limiter.record_at(&format!("user{i}"), "9.9.9.9", now);
        }
        assert!(limiter.check_at("someone", "9.9.9.9", now).is_err());
        assert!(limiter.check_at("someone", "8.8.8.8", now).is_ok());
    }
}
