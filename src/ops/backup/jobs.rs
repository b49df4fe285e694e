//! The latest backup or restore of this process and how far it got, for
//! the page to poll; and the cancel request of a running backup. The
//! migration lock keeps jobs one at a time.

use crate::model::{CollectionProgress, JobKind, JobProgress, JobState};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug, Default)]
pub struct Jobs {
    current: Mutex<Option<JobProgress>>,
    cancel: AtomicBool,
}

impl Jobs {
    fn current(&self) -> MutexGuard<'_, Option<JobProgress>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The latest job, running or ended.
    pub fn snapshot(&self) -> Option<JobProgress> {
        self.current().clone()
    }

    /// Asks the running backup to stop; `false` when none runs.
    pub fn cancel(&self) -> bool {
        let running = self
            .current()
            .as_ref()
            .is_some_and(|job| job.kind == JobKind::Backup && job.state == JobState::Running);
        if running {
            self.cancel.store(true, Ordering::SeqCst);
        }
        running
    }

    pub(super) fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    pub(super) fn begin(&self, kind: JobKind, backup: &str, collections: &[(String, u64)]) {
        self.cancel.store(false, Ordering::SeqCst);
        *self.current() = Some(JobProgress {
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
        });
    }

    /// Records progress on `collection`; answers whether to go on.
    pub(super) fn update(&self, collection: &str, documents: u64, bytes: u64, done: bool) -> bool {
        if let Some(entry) = self
            .current()
            .as_mut()
            .and_then(|job| job.collections.iter_mut().find(|c| c.name == collection))
        {
            entry.documents = documents;
            entry.bytes = bytes;
            entry.done = done;
            if done {
                entry.total = documents;
            }
        }
        !self.cancelled()
    }

    /// Links a restore to the backup of what it replaced.
    pub(super) fn set_pre_image(&self, backup: Option<String>) {
        if let Some(job) = self.current().as_mut() {
            job.pre_image_backup = backup;
        }
    }

    pub(super) fn finish(&self, state: JobState, message: String) {
        if let Some(job) = self.current().as_mut() {
            job.state = state;
            job.message = Some(message);
        }
    }
}
