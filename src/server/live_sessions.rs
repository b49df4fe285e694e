//! The sessions behind the live streams, checked together: one task reads
//! every watched session once an interval (two reads, whatever the number
//! of streams) and ends the streams whose session is gone. So the database
//! sees the same load with one viewer or a hundred, and a stream never
//! outlives its session by more than an interval.

use crate::db::Database;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::watch;

/// The streams' sessions under one interval; cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveSessions(Arc<Registry>);

#[derive(Debug, Default)]
struct Registry {
    /// Each stream's session (its token's hash) and its end signal, by a
    /// number of the stream's own, so that streams of one session come
    /// and go independently.
    streams: Mutex<HashMap<u64, (String, watch::Sender<bool>)>>,
    next: std::sync::atomic::AtomicU64,
}

impl Registry {
    fn streams(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (String, watch::Sender<bool>)>> {
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ends, and forgets, the streams whose session `alive` does not hold.
    fn end_unless(&self, alive: impl Fn(&str) -> bool) {
        self.streams().retain(|_, (hash, ended)| {
            let keep = alive(hash);
            if !keep {
                ended.send_replace(true);
            }
            keep
        });
    }
}

impl LiveSessions {
    /// Starts the check, once `every`; it stops with the last clone. Must
    /// run inside a tokio runtime.
    pub fn start(db: Database, every: Duration) -> Self {
        let registry = Arc::new(Registry::default());
        tokio::spawn(check(db, Arc::downgrade(&registry), every));
        Self(registry)
    }

    /// Watches the session whose token hashes to `token_hash` for one
    /// stream; `SessionWatch::ended` completes when it is gone.
    pub fn watch(&self, token_hash: String) -> SessionWatch {
        let id = self
            .0
            .next
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (ended, receiver) = watch::channel(false);
        self.0.streams().insert(id, (token_hash, ended));
        SessionWatch {
            registry: self.0.clone(),
            id,
            ended: receiver,
        }
    }

    /// Streams watched now.
    pub fn watched(&self) -> usize {
        self.0.streams().len()
    }
}

async fn check(db: Database, registry: Weak<Registry>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(registry) = registry.upgrade() else {
            return;
        };
        let mut hashes: Vec<String> = registry
            .streams()
            .values()
            .map(|(hash, _)| hash.clone())
            .collect();
        if hashes.is_empty() {
            continue;
        }
        hashes.sort_unstable();
        hashes.dedup();
        match db.sessions_alive(&hashes).await {
            Ok(alive) => registry.end_unless(|hash| alive.contains(hash)),
            Err(error) => {
                // Each browser reconnects, and is checked afresh.
                tracing::warn!(%error, "cannot re-check the live streams' sessions");
                registry.end_unless(|_| false);
            }
        }
    }
}

/// One stream's watch on its session; dropping it stops the watch.
#[derive(Debug)]
pub struct SessionWatch {
    registry: Arc<Registry>,
    id: u64,
    ended: watch::Receiver<bool>,
}

impl SessionWatch {
    /// Completes when the session is gone (signed out, expired, account
    /// disabled) or can no longer be checked.
    pub async fn ended(mut self) {
        // An error means the registry is gone, and with it the check.
        let _ = self.ended.wait_for(|ended| *ended).await;
    }
}

impl Drop for SessionWatch {
    fn drop(&mut self) {
        self.registry.streams().remove(&self.id);
    }
}
