//! Backup and restore jobs and their progress, one document per job, so
//! that every instance of the app shows the job any of them runs, and can
//! ask it to stop: the cancel flag is set here, and the running job reads
//! it back with each progress write. Every time is the server's; a job's
//! document expires `KEEP_JOBS` after its last write.

use super::{Collection, Database, DbError};
use crate::model::{JobKind, JobProgress, JobState};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
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
        Ok(written.is_some_and(|job| job.get_bool("cancel").unwrap_or(false)))
    }

    /// The job started last, running or ended.
    pub async fn latest_job(&self) -> Result<Option<StoredJob>, DbError> {
        let found = self
            .collection(Collection::Jobs)
            .find_one(doc! {})
            .sort(doc! { "startedAt": -1, "_id": -1 })
            .await?;
        let Some(found) = found else {
            return Ok(None);
        };
        let shape = |reason: &dyn std::fmt::Display| DbError::shape(Collection::Jobs, reason);
        let progress = found.get_document("progress").map_err(|e| shape(&e))?;
        Ok(Some(StoredJob {
            progress: mongodb::bson::from_document(progress.clone()).map_err(|e| shape(&e))?,
            owner: found.get_str("owner").map_err(|e| shape(&e))?.to_owned(),
        }))
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
