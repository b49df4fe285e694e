//! Backup and restore jobs and their progress, one document per job, so
//! that every instance of the app shows the job any of them runs, and can
//! ask it to stop: the cancel flag is set here, and the running job reads
//! it back with each progress write. Every time is the server's; a job's
//! document expires `KEEP_JOBS` after its last write.

use super::error::stored;
use super::{Collection, Database, DbError};
use crate::model::{JobKind, JobProgress, JobState};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use serde::Deserialize;
use std::time::Duration;

/// How long a job's document is kept after its last write.
const KEEP_JOBS: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The largest count a document holds (BSON's int64); counts beyond it
/// are stored as it.
const MAX_STORED: u64 = i64::MAX as u64;

/// A job as stored: its progress and the migration-lock owner running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredJob {
    pub progress: JobProgress,
    pub owner: String,
}

/// A job as stored: the migration-lock owner running it and its progress,
/// which is the model's own type, checked field by field as it reads.
#[derive(Debug, Deserialize)]
struct JobDocument {
    owner: String,
    progress: JobProgress,
}

impl From<JobDocument> for StoredJob {
    fn from(job: JobDocument) -> Self {
        StoredJob {
            progress: job.progress,
            owner: job.owner,
        }
    }
}

/// The one field of a job that a progress write reads back (its answer
/// is projected to it): whether someone asked the job to stop.
#[derive(Debug, Deserialize)]
struct CancelDocument {
    #[serde(default)]
    cancel: bool,
}

fn progress_document(progress: &JobProgress) -> Result<Document, DbError> {
    let mut stored = progress.clone();
    for collection in &mut stored.collections {
        collection.documents = collection.documents.min(MAX_STORED);
        collection.total = collection.total.min(MAX_STORED);
        collection.bytes = collection.bytes.min(MAX_STORED);
    }
    mongodb::bson::to_document(&stored).map_err(DbError::shape_of(Collection::Jobs))
}

impl Database {
    /// Writes job `id`'s progress (making its document on the first
    /// write); answers whether someone asked it to stop.
    pub async fn write_job(
        &self,
        id: &str,
        owner: &str,
        progress: &JobProgress,
    ) -> Result<bool, DbError> {
        let keep = i64::try_from(KEEP_JOBS.as_millis()).unwrap_or(i64::MAX);
        // `$literal`: a message or a name starting with `$` stays text.
        let update = vec![doc! { "$set": {
            "owner": owner,
            "kind": progress.kind.as_str(),
            "state": progress.state.as_str(),
            "progress": { "$literal": progress_document(progress)? },
            "cancel": { "$ifNull": ["$cancel", false] },
            "startedAt": { "$ifNull": ["$startedAt", "$$NOW"] },
            "updatedAt": "$$NOW",
            "expiresAt": { "$dateAdd": { "startDate": "$$NOW", "unit": "millisecond", "amount": keep } },
        } }];
        let written = self
            .collection(Collection::Jobs)
            .find_one_and_update(doc! { "_id": id }, update)
            .upsert(true)
            .return_document(ReturnDocument::After)
            .projection(doc! { "cancel": 1 })
            .await?;
        let written = written
            .map(|job| stored::<CancelDocument>(Collection::Jobs, job))
            .transpose()?;
        Ok(written.is_some_and(|job| job.cancel))
    }

    /// The job started last, running or ended.
    pub async fn latest_job(&self) -> Result<Option<StoredJob>, DbError> {
        let found = self
            .collection(Collection::Jobs)
            .find_one(doc! {})
            .sort(doc! { "startedAt": -1, "_id": -1 })
            .await?;
        found
            .map(|job| stored::<JobDocument>(Collection::Jobs, job).map(StoredJob::from))
            .transpose()
    }

    /// Asks the running job of `kind` that `owner` runs to stop; `false`
    /// when there is none.
    pub async fn request_job_cancel(&self, kind: JobKind, owner: &str) -> Result<bool, DbError> {
        let result = self
            .collection(Collection::Jobs)
            .update_many(
                doc! {
                    "owner": owner,
                    "kind": kind.as_str(),
                    "state": JobState::Running.as_str(),
                },
                doc! { "$set": { "cancel": true } },
            )
            .await?;
        Ok(result.matched_count > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CollectionProgress;

    fn progress(documents: u64) -> JobProgress {
        JobProgress {
            id: "j1".to_owned(),
            kind: JobKind::Backup,
            backup: "b1".to_owned(),
            state: JobState::Running,
            collections: vec![CollectionProgress {
                name: "tasks".to_owned(),
                documents,
                total: 10,
                bytes: 0,
                done: false,
            }],
            message: None,
            pre_image_backup: None,
        }
    }

    #[test]
    fn a_stored_job_reads_with_its_owner_progress_and_cancel_flag() {
        let job = doc! {
            "_id": "j1", "owner": "ada@host", "kind": "backup", "state": "running",
            "progress": progress_document(&progress(u64::MAX)).expect("progress"),
            "cancel": true,
        };
        let read =
            StoredJob::from(stored::<JobDocument>(Collection::Jobs, job.clone()).expect("a job"));
        assert_eq!(read.owner, "ada@host");
        assert_eq!(read.progress, progress(MAX_STORED));
        let flag: CancelDocument = stored(Collection::Jobs, job).expect("a flag");
        assert!(flag.cancel);
        let unset: CancelDocument = stored(Collection::Jobs, doc! {}).expect("a flag");
        assert!(!unset.cancel);
    }

    #[test]
    fn a_job_of_another_shape_is_refused_by_name() {
        let refused = [
            stored::<JobDocument>(
                Collection::Jobs,
                doc! { "owner": "ada", "progress": "half" },
            )
            .map(drop),
            stored::<JobDocument>(
                Collection::Jobs,
                doc! { "progress": progress_document(&progress(1)).expect("progress") },
            )
            .map(drop),
            stored::<CancelDocument>(Collection::Jobs, doc! { "cancel": "yes" }).map(drop),
        ];
        for refused in refused {
            assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Jobs)));
        }
    }
}
