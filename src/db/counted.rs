//! The newest duplicate count of a migration's unique keys, kept by a
//! handle and its clones, so that what many people read (the checklist's
//! readiness, the home page) does not scan every task each time: at 1M
//! tasks a count takes seconds. A kept count is reused only while no run
//! or job of the app has begun or ended since it began (their mark, read
//! by `_id` and one sort, whatever the data's size); what Forest itself
//! writes meanwhile is bounded by the count's age, which every reader is
//! told. Counts are made one at a time: twenty readers of a stale count
//! wait for one count, not twenty.

use super::{Collection, Database, DbError, now_rfc3339};
use crate::model::{DuplicateReport, ReportPage};
use futures_util::{StreamExt, TryStreamExt, stream};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// When a reader counts again rather than reuse the kept count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recount {
    /// Always: a dry run, a verification.
    Now,
    /// When the kept count is older than this, or found something that
    /// would refuse (a duplicate, a count cut short), which may have been
    /// cleaned by hand since: migrate's preflight, whose last check is
    /// the unique index build itself.
    After(Duration),
    /// Never while a kept count fits; when it is older than this, it is
    /// counted again in the background, once, and readers get the kept
    /// one meanwhile: pages that many people read.
    InBackgroundAfter(Duration),
}

/// The duplicate reports of some unique keys, as counted at one time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateCount {
    pub reports: Vec<DuplicateReport>,
    /// When the count began (RFC 3339): what was written later may be
    /// missing from it.
    pub at: String,
}

/// What a count was asked for; a kept count answers only the same ask.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ask {
    keys: Vec<(Collection, &'static str)>,
    page: ReportPage,
    max_time: Duration,
}

#[derive(Debug)]
struct Kept {
    ask: Ask,
    /// The app's changes mark when the count began.
    mark: u64,
    began: Instant,
    count: Arc<DuplicateCount>,
}

/// A handle's kept count; its clones share it.
#[derive(Debug, Clone, Default)]
pub(super) struct KeptCount {
    kept: Arc<Mutex<Option<Kept>>>,
    /// Held by the one count under way.
    counting: Arc<tokio::sync::Mutex<()>>,
}

impl KeptCount {
    /// The kept count and its age, when it answers `ask` under `mark`.
    fn fitting(&self, ask: &Ask, mark: u64) -> Option<(Arc<DuplicateCount>, Duration)> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.as_ref()
            .filter(|kept| kept.ask == *ask && kept.mark == mark)
            .map(|kept| (kept.count.clone(), kept.began.elapsed()))
    }

    fn keep(&self, kept: Kept) {
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = Some(kept);
    }
}

impl Recount {
    /// Whether `count`, kept for `age`, answers this reader.
    fn reuses(self, count: &DuplicateCount, age: Duration) -> bool {
        match self {
            Self::Now => false,
            Self::After(limit) => age <= limit && count.clean(),
            Self::InBackgroundAfter(_) => true,
        }
    }
}

impl DuplicateCount {
    /// Whether no key's report would refuse migrate.
    fn clean(&self) -> bool {
        self.reports.iter().all(|report| report.blocker().is_none())
    }
}

impl Database {
    /// The duplicate reports of `keys` (each listing `page` of its groups,
    /// each pass bounded by `max_time`), counted now or kept, as `recount`
    /// says.
    pub async fn duplicate_count(
        &self,
        keys: &[(Collection, &'static str)],
        page: ReportPage,
        max_time: Duration,
        recount: Recount,
    ) -> Result<Arc<DuplicateCount>, DbError> {
        let ask = Ask {
            keys: keys.to_vec(),
            page,
            max_time,
        };
        let mark = self.app_changes_mark().await?;
        if let Some((count, age)) = self.kept_count.fitting(&ask, mark) {
            if let Recount::InBackgroundAfter(limit) = recount
                && age > limit
            {
                self.recount_in_background(ask.clone(), mark);
            }
            if recount.reuses(&count, age) {
                return Ok(count);
            }
        }
        let _counting = self.kept_count.counting.lock().await;
        // Another reader may have counted while this one waited.
        if let Some((count, age)) = self.kept_count.fitting(&ask, mark)
            && recount.reuses(&count, age)
        {
            return Ok(count);
        }
        // Someone waits: every key at once.
        let keys = ask.keys.len().max(1);
        self.count_and_keep(ask, mark, keys).await
    }

    /// Counts `keys_at_once` keys at a time, and keeps the count; the
    /// caller holds `counting`.
    async fn count_and_keep(
        &self,
        ask: Ask,
        mark: u64,
        keys_at_once: usize,
    ) -> Result<Arc<DuplicateCount>, DbError> {
        let began = Instant::now();
        let at = now_rfc3339();
        let (page, max_time) = (ask.page, ask.max_time);
        // Made before the stream, as a plain list: a stream that makes them
        // is not `Send` for every lifetime, which the server functions need.
        let counts: Vec<_> = ask
            .keys
            .iter()
            .map(|&(collection, field)| self.duplicate_report(collection, field, page, max_time))
            .collect();
        let reports = stream::iter(counts)
            .buffered(keys_at_once)
            .try_collect()
            .await?;
        let count = Arc::new(DuplicateCount { reports, at });
        self.kept_count.keep(Kept {
            ask,
            mark,
            began,
            count: count.clone(),
        });
        Ok(count)
    }

    /// Counts again in a task of its own, unless a count is under way; one
    /// key at a time, since nobody waits for it, so that the server keeps
    /// room for the reads of the pages meanwhile.
    fn recount_in_background(&self, ask: Ask, mark: u64) {
        let Ok(counting) = self.kept_count.counting.clone().try_lock_owned() else {
            return;
        };
        let db = self.clone();
        tokio::spawn(async move {
            let _counting = counting;
            if let Err(error) = db.count_and_keep(ask, mark, 1).await {
                tracing::warn!(%error, "could not count the duplicates again; the older count stays");
            }
        });
    }
}
