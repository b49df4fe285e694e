//! The changelog: one record per migrate, revert or restore run, with each
//! change's result. Records are never deleted; a rollback marks them
//! `rolled_back`.

use super::error::{rfc3339, stored, unknown};
use super::{Collection, Database, DbError};
use crate::model::{ChangeOutcome, ChangeResult, RunKind, RunRecord, RunState, Verification};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, DateTime, Document, doc};
use serde::Deserialize;

/// The pending change of a new run.
fn pending_document(result: &ChangeResult) -> Document {
    doc! {
        "key": &result.key,
        "description": &result.description,
        "outcome": result.outcome.as_str(),
    }
}

fn text_or_null(text: Option<&str>) -> Bson {
    text.map_or(Bson::Null, |t| Bson::String(t.to_owned()))
}

/// A run as the changelog stores it. Read with serde, every field checked
/// by its type; what a person sees is made from it in one place
/// (`RunRecord::try_from`), so the stored words are parsed once.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    migration: String,
    kind: String,
    #[serde(default)]
    checksum: String,
    state: String,
    #[serde(default)]
    started_by: String,
    started_at: Option<DateTime>,
    finished_at: Option<DateTime>,
    #[serde(default)]
    changes: Vec<ChangeDocument>,
    error: Option<String>,
    backup: Option<String>,
    pre_image_backup: Option<String>,
    cancel_requested_by: Option<String>,
}

/// One change of a stored run.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChangeDocument {
    #[serde(default)]
    key: String,
    #[serde(default = "unknown")]
    description: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    duration_ms: i64,
    error_code: Option<i32>,
    error: Option<String>,
    started_at: Option<DateTime>,
    finished_at: Option<DateTime>,
    progress: Option<String>,
}

impl From<ChangeDocument> for ChangeResult {
    fn from(change: ChangeDocument) -> Self {
        ChangeResult {
            key: change.key,
            description: change.description,
            outcome: ChangeOutcome::parse(&change.outcome),
            duration_ms: u64::try_from(change.duration_ms).unwrap_or(0),
            error_code: change.error_code,
            error: change.error,
            started_at: change.started_at.map(|at| rfc3339(Some(&at))),
            finished_at: change.finished_at.map(|at| rfc3339(Some(&at))),
            progress: change.progress,
        }
    }
}

impl TryFrom<RunDocument> for RunRecord {
    type Error = DbError;

    fn try_from(run: RunDocument) -> Result<Self, DbError> {
        let kind = RunKind::parse(&run.kind)
            .ok_or_else(|| DbError::shape(Collection::Changelog, format!("kind {:?}", run.kind)))?;
        let state = RunState::parse(&run.state).ok_or_else(|| {
            DbError::shape(Collection::Changelog, format!("state {:?}", run.state))
        })?;
        Ok(RunRecord {
            id: run.id.to_hex(),
            migration: run.migration,
            kind,
            checksum: run.checksum,
            state,
            started_by: run.started_by,
            started_at: rfc3339(run.started_at.as_ref()),
            finished_at: run.finished_at.map(|at| rfc3339(Some(&at))),
            changes: run.changes.into_iter().map(ChangeResult::from).collect(),
            error: run.error,
            backup: run.backup,
            pre_image_backup: run.pre_image_backup,
            cancel_requested_by: run.cancel_requested_by,
        })
    }
}

/// The one field of a run that a running step reads back (the answer is
/// projected to it): who asked the run to stop, if anyone did.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelRequestDocument {
    cancel_requested_by: Option<String>,
}

fn object_id(id: &str) -> Result<ObjectId, DbError> {
    ObjectId::parse_str(id).map_err(DbError::shape_of(Collection::Changelog))
}

impl Database {
    /// Records the start of a run with every change pending; returns its id.
    pub async fn start_run(
        &self,
        migration: &str,
        kind: RunKind,
        checksum: &str,
        started_by: &str,
        changes: &[ChangeResult],
    ) -> Result<String, DbError> {
        self.insert_run(doc! {
            "migration": migration,
            "kind": kind.as_str(),
            "checksum": checksum,
            "startedBy": started_by,
            "changes": changes.iter().map(pending_document).collect::<Vec<_>>(),
        })
        .await
    }

    /// Records the start of a restore of `backup`, with every step pending;
    /// returns its id.
    pub async fn start_restore_run(
        &self,
        migration: &str,
        checksum: &str,
        backup: &str,
        started_by: &str,
        changes: &[ChangeResult],
    ) -> Result<String, DbError> {
        self.insert_run(doc! {
            "migration": migration,
            "kind": RunKind::Restore.as_str(),
            "checksum": checksum,
            "backup": backup,
            "startedBy": started_by,
            "changes": changes.iter().map(pending_document).collect::<Vec<_>>(),
        })
        .await
    }

    /// Inserts a new run, running from now, with `fields`.
    async fn insert_run(&self, mut fields: Document) -> Result<String, DbError> {
        let id = ObjectId::new();
        fields.insert("_id", id);
        fields.insert("state", RunState::Running.as_str());
        fields.insert("startedAt", DateTime::now());
        self.collection(Collection::Changelog)
            .insert_one(fields)
            .await?;
        Ok(id.to_hex())
    }

    /// Sets fields of change `index` of `run`.
    async fn set_change(&self, run: &str, index: usize, fields: Document) -> Result<(), DbError> {
        let set: Document = fields
            .into_iter()
            .map(|(field, value)| (format!("changes.{index}.{field}"), value))
            .collect();
        self.collection(Collection::Changelog)
            .update_one(doc! { "_id": object_id(run)? }, doc! { "$set": set })
            .await?;
        Ok(())
    }

    /// Marks change `index` of `run` as running, from now.
    pub async fn start_change(&self, run: &str, index: usize) -> Result<(), DbError> {
        let fields =
            doc! { "outcome": ChangeOutcome::Running.as_str(), "startedAt": DateTime::now() };
        self.set_change(run, index, fields).await
    }

    /// The server's latest word on a running change's progress.
    pub async fn record_progress(
        &self,
        run: &str,
        index: usize,
        text: &str,
    ) -> Result<(), DbError> {
        self.set_change(run, index, doc! { "progress": text }).await
    }

    /// Records how change `index` of `run` ended, as of now.
    pub async fn record_change(
        &self,
        run: &str,
        index: usize,
        result: &ChangeResult,
    ) -> Result<(), DbError> {
        let fields = doc! {
            "outcome": result.outcome.as_str(),
            "finishedAt": DateTime::now(),
            "durationMs": i64::try_from(result.duration_ms).unwrap_or(i64::MAX),
            "errorCode": result.error_code.map_or(Bson::Null, Bson::Int32),
            "error": text_or_null(result.error.as_deref()),
        };
        self.set_change(run, index, fields).await
    }

    /// Links restore `run` to the backup of what it replaces.
    pub async fn set_pre_image(&self, run: &str, backup: &str) -> Result<(), DbError> {
        self.collection(Collection::Changelog)
            .update_one(
                doc! { "_id": object_id(run)? },
                doc! { "$set": { "preImageBackup": backup } },
            )
            .await?;
        Ok(())
    }

    /// Asks running run `run` to stop at its next safe point; `false` when
    /// it is not running.
    pub async fn request_run_cancel(&self, run: &str, by: &str) -> Result<bool, DbError> {
        let result = self
            .collection(Collection::Changelog)
            .update_one(
                doc! { "_id": object_id(run)?, "state": RunState::Running.as_str() },
                doc! { "$set": { "cancelRequestedBy": by } },
            )
            .await?;
        Ok(result.matched_count > 0)
    }

    /// Who asked run `run` to stop, if anyone did.
    pub async fn run_cancel_requested(&self, run: &str) -> Result<Option<String>, DbError> {
        let found = self
            .collection(Collection::Changelog)
            .find_one(doc! { "_id": object_id(run)? })
            .projection(doc! { "cancelRequestedBy": 1 })
            .await?;
        let found = found
            .map(|run| stored::<CancelRequestDocument>(Collection::Changelog, run))
            .transpose()?;
        Ok(found.and_then(|run| run.cancel_requested_by))
    }

    pub async fn finish_run(
        &self,
        run: &str,
        state: RunState,
        error: Option<&str>,
    ) -> Result<(), DbError> {
        self.collection(Collection::Changelog)
            .update_one(
                doc! { "_id": object_id(run)? },
                doc! { "$set": {
                    "state": state.as_str(),
                    "finishedAt": DateTime::now(),
                    "error": text_or_null(error),
                } },
            )
            .await?;
        Ok(())
    }

    /// Marks runs still recorded as running as `interrupted`. Called by the
    /// holder of the lock, so no other run can be live.
    pub async fn mark_interrupted(&self, migration: &str) -> Result<u64, DbError> {
        Ok(self
            .collection(Collection::Changelog)
            .update_many(
                doc! { "migration": migration, "state": RunState::Running.as_str() },
                doc! { "$set": { "state": RunState::Interrupted.as_str() } },
            )
            .await?
            .modified_count)
    }

    /// Marks the migrate runs that are not yet rolled back as `rolled_back`.
    pub async fn mark_rolled_back(&self, migration: &str) -> Result<u64, DbError> {
        Ok(self
            .collection(Collection::Changelog)
            .update_many(
                doc! {
                    "migration": migration,
                    "kind": RunKind::Migrate.as_str(),
                    "state": { "$ne": RunState::RolledBack.as_str() },
                },
                doc! { "$set": { "state": RunState::RolledBack.as_str(), "rolledBackAt": DateTime::now() } },
            )
            .await?
            .modified_count)
    }

    /// Marks one run `rolled_back` (an undone duplicate cleanup), keeping it.
    pub async fn mark_run_rolled_back(&self, run: &str) -> Result<(), DbError> {
        self.collection(Collection::Changelog)
            .update_one(
                doc! { "_id": object_id(run)? },
                doc! { "$set": { "state": RunState::RolledBack.as_str(), "rolledBackAt": DateTime::now() } },
            )
            .await?;
        Ok(())
    }

    /// Stores a verification run so that it can be linked as evidence;
    /// returns it with its id and time.
    pub async fn insert_verification(
        &self,
        verification: Verification,
    ) -> Result<Verification, DbError> {
        let mut document = mongodb::bson::to_document(&verification)
            .map_err(DbError::shape_of(Collection::Verifications))?;
        let id = ObjectId::new();
        let at = DateTime::now();
        document.remove("id");
        document.insert("_id", id);
        document.insert("at", at);
        self.collection(Collection::Verifications)
            .insert_one(document)
            .await?;
        Ok(Verification {
            id: id.to_hex(),
            at: rfc3339(Some(&at)),
            ..verification
        })
    }

    /// Runs of `migration`, newest first.
    pub async fn runs(&self, migration: &str, limit: i64) -> Result<Vec<RunRecord>, DbError> {
        let mut cursor = self
            .collection(Collection::Changelog)
            .clone_with_type::<RunDocument>()
            .find(doc! { "migration": migration })
            .sort(doc! { "startedAt": -1, "_id": -1 })
            .limit(limit)
            .await?;
        let mut runs = Vec::new();
        while cursor.advance().await? {
            let run = cursor
                .deserialize_current()
                .map_err(DbError::shape_of(Collection::Changelog))?;
            runs.push(RunRecord::try_from(run)?);
        }
        Ok(runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(document: Document) -> Result<RunRecord, DbError> {
        RunRecord::try_from(stored::<RunDocument>(Collection::Changelog, document)?)
    }

    #[test]
    fn a_stored_run_reads_with_its_words_parsed_and_odd_numbers_made_safe() {
        let run = read(doc! {
            "_id": ObjectId::new(),
            "migration": "m",
            "kind": "revert",
            "state": "applied",
            "startedAt": DateTime::from_millis(0),
            "changes": [{ "key": "k", "outcome": "applied", "durationMs": -5_i64 }],
        })
        .expect("a run");
        assert_eq!(run.kind, RunKind::Revert);
        assert_eq!(run.state, RunState::Succeeded);
        assert_eq!(run.started_at, "1970-01-01T00:00:00Z");
        assert_eq!(run.changes[0].duration_ms, 0);
        assert_eq!(run.changes[0].description, "?");
        assert_eq!(run.changes[0].outcome, ChangeOutcome::Applied);
    }

    #[test]
    fn a_run_with_an_unknown_word_or_a_field_of_another_type_is_refused_by_name() {
        let unknown_state = read(doc! {
            "_id": ObjectId::new(), "migration": "m", "kind": "migrate", "state": "dirty",
        });
        assert!(matches!(unknown_state, Err(DbError::Shape { .. })));
        let text_for_a_time = read(doc! {
            "_id": ObjectId::new(), "migration": "m", "kind": "migrate", "state": "running",
            "startedAt": "yesterday",
        });
        assert!(matches!(text_for_a_time, Err(DbError::Shape { .. })));
    }

    #[test]
    fn who_asked_a_run_to_stop_reads_back_and_a_name_of_another_type_is_refused() {
        let asked = |document: Document| {
            stored::<CancelRequestDocument>(Collection::Changelog, document)
                .map(|run| run.cancel_requested_by)
        };
        let by = asked(doc! { "_id": ObjectId::new(), "cancelRequestedBy": "ada" });
        assert_eq!(by.expect("a run").as_deref(), Some("ada"));
        assert_eq!(asked(doc! { "_id": ObjectId::new() }).expect("a run"), None);
        let refused = asked(doc! { "cancelRequestedBy": true });
        assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Changelog)));
    }
}
