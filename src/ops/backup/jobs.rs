//! Backup and restore jobs and how far they got, kept in MongoDB
//! (`db/jobs.rs`) so that a job started on one instance of the app is
//! shown, and a backup cancelled, from any other. The migration lock keeps
//! jobs one at a time; a job whose instance died shows as stopped once its
//! lock is gone.
//!
//! A running job writes its progress at most every `WRITE_EVERY`, plus at
//! the end of each collection and when it ends; each write reads back the
//! cancel flag, which the job checks at its safe points (each progress
//! report and each collection's end).

use crate::db::{Database, StoredJob};
use crate::model::{CollectionProgress, JobKind, JobProgress, JobState};
use crate::ops::OpsError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The most often a job writes its progress between collections.
pub const WRITE_EVERY: Duration = Duration::from_millis(250);

/// What a job whose instance stopped (or lost the lock) without ending it says.
const ABANDONED: &str =
    "stopped without finishing: the app running it ended or lost the migration lock";

/// Every instance's backup and restore jobs.
#[derive(Debug, Clone)]
pub struct Jobs {
    db: Database,
}

impl Jobs {
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The latest job, running or ended.
    pub async fn snapshot(&self) -> Result<Option<JobProgress>, OpsError> {
        let Some(StoredJob {
            mut progress,
            owner,
        }) = self.db.latest_job().await?
        else {
            return Ok(None);
        };
        if progress.state != JobState::Running {
            return Ok(Some(progress));
        }
        let holder = self.db.lock_holder().await?;
        if holder.is_some_and(|holder| holder.owner == owner) {
            return Ok(Some(progress));
        }
        // A job writes its end before it releases the lock, so it may have
        // ended between the two reads: only a job still running without
        // its lock, read again after the lock, was abandoned.
        match self.db.latest_job().await? {
            Some(again) if again.progress.state != JobState::Running || again.owner != owner => {
                Ok(Some(again.progress))
            }
            _ => {
                progress.state = JobState::Failed;
                progress.message = Some(ABANDONED.to_owned());
                Ok(Some(progress))
            }
        }
    }

    /// Asks the running backup, on whichever instance, to stop; `false`
    /// when none runs.
    pub async fn cancel(&self) -> Result<bool, OpsError> {
        let Some(holder) = self.db.lock_holder().await? else {
            return Ok(false);
        };
        Ok(self
            .db
            .request_job_cancel(JobKind::Backup, &holder.owner)
            .await?)
    }

    /// Records a new job run under the lock `owner` holds, before it
    /// starts, so that every instance shows it at once.
    pub(super) async fn begin(
        &self,
        kind: JobKind,
        backup: &str,
        collections: &[(String, u64)],
        owner: &str,
    ) -> Job {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let progress = JobProgress {
            id: id.clone(),
            kind,
            backup: backup.to_owned(),
            state: JobState::Running,
            collections: collections
                .iter()
                .map(|(name, total)| CollectionProgress {
                    name: name.clone(),
                    documents: 0,
                    total: *total,
                    bytes: 0,
                    done: false,
                })
                .collect(),
            message: None,
            pre_image_backup: None,
        };
        let job = Job(Arc::new(Shared {
            db: self.db.clone(),
            id,
            owner: owner.to_owned(),
            progress: Mutex::new(progress),
            writing: Arc::new(tokio::sync::Mutex::new(None)),
            cancelled: AtomicBool::new(false),
        }));
        job.flush().await;
        job
    }
}

/// One running job, as the step that runs it reports to it.
#[derive(Debug, Clone)]
pub(super) struct Job(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    db: Database,
    id: String,
    owner: String,
    progress: Mutex<JobProgress>,
    /// Held while a write is under way; when the last one started. One
    /// write at a time, each of the progress as it is when it starts, so
    /// the last write always carries the latest progress.
    writing: Arc<tokio::sync::Mutex<Option<Instant>>>,
    cancelled: AtomicBool,
}

impl Shared {
    fn progress(&self) -> MutexGuard<'_, JobProgress> {
        // The progress stays consistent at every step, so a panic elsewhere
        // while it was held does not make it unusable.
        self.progress.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the progress; a failed write is logged and the job goes on
    /// (what it does matters more than how it is shown).
    async fn write(&self) {
        let progress = self.progress().clone();
        match self.db.write_job(&self.id, &self.owner, &progress).await {
            Ok(cancel) => self.cancelled.store(cancel, Ordering::SeqCst),
            Err(error) => {
                tracing::warn!(%error, backup = %progress.backup, "could not record a job's progress");
            }
        }
    }
}

impl Job {
    /// Writes the progress now, after any write under way.
    async fn flush(&self) {
        let mut last = self.0.writing.lock().await;
        *last = Some(Instant::now());
        self.0.write().await;
    }

    fn going_on(&self) -> bool {
        !self.0.cancelled.load(Ordering::SeqCst)
    }

    fn set(&self, change: impl FnOnce(&mut JobProgress)) {
        change(&mut self.0.progress());
    }

    /// Records progress on `collection`, writing it in the background when
    /// the last write is `WRITE_EVERY` old; answers whether to go on.
    pub(super) fn update(&self, collection: &str, documents: u64, bytes: u64) -> bool {
        self.set(|job| {
            if let Some(entry) = job.collections.iter_mut().find(|c| c.name == collection) {
                entry.documents = documents;
                entry.bytes = bytes;
            }
        });
        if let Ok(mut last) = self.0.writing.clone().try_lock_owned()
            && last.is_none_or(|at| at.elapsed() >= WRITE_EVERY)
        {
            *last = Some(Instant::now());
            let shared = self.0.clone();
            tokio::spawn(async move {
                shared.write().await;
                drop(last);
            });
        }
        self.going_on()
    }

    /// Records `collection` as done and writes it; answers whether to go on.
    pub(super) async fn collection_done(
        &self,
        collection: &str,
        documents: u64,
        bytes: u64,
    ) -> bool {
        self.set(|job| {
            if let Some(entry) = job.collections.iter_mut().find(|c| c.name == collection) {
                entry.documents = documents;
                entry.total = documents;
                entry.bytes = bytes;
                entry.done = true;
            }
        });
        self.flush().await;
        self.going_on()
    }

    /// Links a restore to the backup of what it replaced.
    pub(super) async fn set_pre_image(&self, backup: String) {
        self.set(|job| job.pre_image_backup = Some(backup));
        self.flush().await;
    }

    pub(super) async fn finish(&self, state: JobState, message: String) {
        self.set(|job| {
            job.state = state;
            job.message = Some(message);
        });
        self.flush().await;
    }
}
