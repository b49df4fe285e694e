//! `LogWatcher`: follows the Forest server's log folder in the background
//! and keeps per-minute counts of errors, warnings, "Tasks synced" events
//! and sync conflicts, the watched routes' requests (with their response
//! times), the Forest server's Prisma pool, plus the latest error lines. Reading happens on a
//! blocking thread, one bounded look at a time; readers only take a short
//! lock on the counts, so the app is never held up by the files.

mod follow;
mod line;
mod pool;
mod pool_minutes;
mod tally;

use crate::config::ForestLogsSettings;
use crate::model::{LogSnapshot, LogStatus, PrismaPool};
use follow::{Follower, Found};
use line::Patterns;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tally::Tally;
use time::OffsetDateTime;

/// A handle on the watcher's counts; cheap to clone.
#[derive(Debug, Clone)]
pub struct LogWatcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    follower: Option<Mutex<Follower>>,
    patterns: Patterns,
    tally: Mutex<Tally>,
    poll_interval: Duration,
    /// Lines and warnings counted so far: what the change watcher compares.
    seen: AtomicU64,
}

impl LogWatcher {
    /// A watcher of the configured folder; nothing is read until `look` or
    /// `spawn`.
    pub fn new(settings: &ForestLogsSettings) -> Self {
        let folder = settings.folder();
        Self {
            inner: Arc::new(Inner {
                follower: folder.clone().map(|folder| {
                    Mutex::new(Follower::new(
                        folder,
                        settings.follow_files,
                        settings.max_line_bytes,
                    ))
                }),
                patterns: Patterns::new(settings),
                tally: Mutex::new(Tally::new(
                    folder.map(|f| f.display().to_string()),
                    settings.retain_minutes,
                    settings.recent_errors,
                )),
                poll_interval: settings.poll_interval(),
                seen: AtomicU64::new(0),
            }),
        }
    }

    /// Looks at the folder every poll interval, on the blocking pool, for
    /// the life of the runtime. Does nothing when no folder is configured.
    pub fn spawn(&self) {
        if self.inner.follower.is_none() {
            return;
        }
        let watcher = self.clone();
        tokio::spawn(async move {
            loop {
                let looking = watcher.clone();
                if let Err(error) = tokio::task::spawn_blocking(move || looking.look()).await {
                    tracing::error!(%error, "the Forest log watcher's look failed");
                }
                tokio::time::sleep(watcher.inner.poll_interval).await;
            }
        });
    }

    /// One look at the folder (blocking file reads): counts every new line.
    pub fn look(&self) {
        let Some(follower) = &self.inner.follower else {
            return;
        };
        let mut follower = follower.lock().unwrap_or_else(PoisonError::into_inner);
        let mut lines = Vec::new();
        let mut warnings = Vec::new();
        let found = follower.look(
            |file, text| lines.push((file.to_owned(), self.inner.patterns.read(text))),
            |warning| warnings.push(warning),
        );
        let now = OffsetDateTime::now_utc();
        let counted = u64::try_from(lines.len() + warnings.len()).unwrap_or(u64::MAX);
        self.inner.seen.fetch_add(counted, Ordering::Relaxed);
        let mut tally = self.tally();
        for (file, event) in lines {
            tally.count(now, &file, event);
        }
        for warning in warnings {
            tally.warn(now, warning);
        }
        match found {
            Ok(Found::Missing) => tally.set_watching(LogStatus::FolderMissing, Vec::new()),
            Ok(Found::Files(files)) => tally.set_watching(LogStatus::Watching, files),
            Err(error) => tally.warn(now, format!("cannot list the log folder: {error}")),
        }
    }

    /// Lines and warnings counted since the watcher started: when it
    /// moves, what the Forest API page shows of the logs has changed.
    pub fn seen(&self) -> u64 {
        self.inner.seen.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> LogSnapshot {
        self.tally().snapshot(OffsetDateTime::now_utc())
    }

    /// The Forest server's Prisma pool, as far as its logs told it.
    pub fn pool(&self) -> PrismaPool {
        let pattern_set = self.inner.patterns.reads_pool_lines();
        self.tally().pool(OffsetDateTime::now_utc(), pattern_set)
    }

    /// The minutes from the one of `since` on that counted errors.
    pub fn error_minutes_since(&self, since: OffsetDateTime) -> Vec<(i64, u64)> {
        self.tally().error_minutes_since(since)
    }

    /// Errors counted in the minute of `since` and after.
    pub fn errors_since(&self, since: OffsetDateTime) -> u64 {
        self.tally().errors_since(since)
    }

    fn tally(&self) -> MutexGuard<'_, Tally> {
        self.inner
            .tally
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
