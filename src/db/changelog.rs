//! The changelog: one record per migrate, revert or restore run, with each
//! change's result. Records are never deleted; a rollback marks them
//! `rolled_back`.

use super::error::rfc3339;
use super::{Collection, Database, DbError};
use crate::model::{ChangeOutcome, ChangeResult, MigrationState, RunRecord, Verification};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, DateTime, Document, doc};

fn change_document(result: &ChangeResult) -> Document {
    doc! {
        "description": &result.description,
        "outcome": result.outcome.as_str(),
        "durationMs": i64::try_from(result.duration_ms).unwrap_or(i64::MAX),
        "errorCode": result.error_code.map_or(Bson::Null, Bson::Int32),
        "error": result.error.as_deref().map_or(Bson::Null, |e| Bson::String(e.to_owned())),
    }
}

fn change_from(document: &Document) -> ChangeResult {
    ChangeResult {
        description: document.get_str("description").unwrap_or("?").to_owned(),
        outcome: ChangeOutcome::parse(document.get_str("outcome").unwrap_or("pending")),
        duration_ms: document
            .get_i64("durationMs")
            .ok()
            .and_then(|ms| u64::try_from(ms).ok())
            .unwrap_or(0),
        error_code: document.get_i32("errorCode").ok(),
        error: document.get_str("error").ok().map(str::to_owned),
    }
}

fn run_from(document: &Document) -> Result<RunRecord, DbError> {
    let state = document
        .get_str("state")
        .map_err(DbError::shape_of(Collection::Changelog))?;
    Ok(RunRecord {
        id: document
            .get_object_id("_id")
            .map_err(DbError::shape_of(Collection::Changelog))?
            .to_hex(),
        migration: document
            .get_str("migration")
            .map_err(DbError::shape_of(Collection::Changelog))?
            .to_owned(),
        kind: document
            .get_str("kind")
            .map_err(DbError::shape_of(Collection::Changelog))?
            .to_owned(),
        checksum: document.get_str("checksum").unwrap_or_default().to_owned(),
        state: MigrationState::parse(state)
            .ok_or_else(|| DbError::shape(Collection::Changelog, format!("state {state:?}")))?,
        started_by: document.get_str("startedBy").unwrap_or_default().to_owned(),
        started_at: rfc3339(document.get_datetime("startedAt").ok()),
        finished_at: document
            .get_datetime("finishedAt")
            .ok()
            .map(|at| rfc3339(Some(at))),
        changes: document
            .get_array("changes")
            .map(|changes| {
                changes
                    .iter()
                    .filter_map(Bson::as_document)
                    .map(change_from)
                    .collect()
            })
            .unwrap_or_default(),
        error: document.get_str("error").ok().map(str::to_owned),
    })
}

fn object_id(id: &str) -> Result<ObjectId, DbError> {
    ObjectId::parse_str(id).map_err(DbError::shape_of(Collection::Changelog))
}

impl Database {
    /// Records the start of a run with every change pending; returns its id.
    pub async fn start_run(
        &self,
        migration: &str,
        kind: &str,
        checksum: &str,
        started_by: &str,
        changes: &[ChangeResult],
    ) -> Result<String, DbError> {
        let id = ObjectId::new();
        self.collection(Collection::Changelog)
            .insert_one(doc! {
                "_id": id,
                "migration": migration,
                "kind": kind,
                "checksum": checksum,
                "state": MigrationState::Running.as_str(),
                "startedBy": started_by,
                "startedAt": DateTime::now(),
                "changes": changes.iter().map(change_document).collect::<Vec<_>>(),
            })
            .await?;
        Ok(id.to_hex())
    }

    pub async fn record_change(
        &self,
        run: &str,
        index: usize,
        result: &ChangeResult,
    ) -> Result<(), DbError> {
        self.collection(Collection::Changelog)
            .update_one(
                doc! { "_id": object_id(run)? },
                doc! { "$set": { format!("changes.{index}"): change_document(result) } },
            )
            .await?;
        Ok(())
    }

    pub async fn finish_run(
        &self,
        run: &str,
        state: MigrationState,
        error: Option<&str>,
    ) -> Result<(), DbError> {
        self.collection(Collection::Changelog)
            .update_one(
                doc! { "_id": object_id(run)? },
                doc! { "$set": {
                    "state": state.as_str(),
                    "finishedAt": DateTime::now(),
                    "error": error.map_or(Bson::Null, |e| Bson::String(e.to_owned())),
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
                doc! { "migration": migration, "state": MigrationState::Running.as_str() },
                doc! { "$set": { "state": MigrationState::Interrupted.as_str() } },
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
                    "kind": "migrate",
                    "state": { "$ne": MigrationState::RolledBack.as_str() },
                },
                doc! { "$set": { "state": MigrationState::RolledBack.as_str(), "rolledBackAt": DateTime::now() } },
            )
            .await?
            .modified_count)
    }

    /// Stores a verification run so that it can be linked as evidence; returns its id.
    pub async fn insert_verification(
        &self,
        verification: &Verification,
    ) -> Result<String, DbError> {
        let mut document = mongodb::bson::to_document(verification)
            .map_err(DbError::shape_of(Collection::Verifications))?;
        let id = ObjectId::new();
        document.insert("_id", id);
        document.insert("at", DateTime::now());
        self.collection(Collection::Verifications)
            .insert_one(document)
            .await?;
        Ok(id.to_hex())
    }

    /// Runs of `migration`, newest first.
    pub async fn runs(&self, migration: &str, limit: i64) -> Result<Vec<RunRecord>, DbError> {
        let mut cursor = self
            .collection(Collection::Changelog)
            .find(doc! { "migration": migration })
            .sort(doc! { "startedAt": -1, "_id": -1 })
            .limit(limit)
            .await?;
        let mut runs = Vec::new();
        while cursor.advance().await? {
            runs.push(run_from(&cursor.deserialize_current()?)?);
        }
        Ok(runs)
    }
}
