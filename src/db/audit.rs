//! The audit log. Append-only: this module offers no update or delete.

use super::error::rfc3339;
use super::{Collection, Database, DbError};
use crate::model::{AuditEntry, AuditFilter, Outcome};
use mongodb::bson::{DateTime, Document, doc};

fn optional(document: &Document, key: &str) -> Option<String> {
    document.get_str(key).ok().map(str::to_owned)
}

impl Database {
    /// Appends one entry; the time is the database's insert time.
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<(), DbError> {
        let mut document = doc! {
            "at": DateTime::now(),
            "actor": &entry.actor,
            "action": &entry.action,
            "target": &entry.target,
            "outcome": entry.outcome.as_str(),
        };
        if let Some(code) = &entry.error_code {
            document.insert("errorCode", code);
        }
        if let Some(detail) = &entry.detail {
            document.insert("detail", detail);
        }
        self.collection(Collection::Audit)
            .insert_one(document)
            .await?;
        Ok(())
    }

    /// The newest entries first, at most `limit`.
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let mut query = doc! {};
        if let Some(actor) = filter.actor.as_deref().filter(|a| !a.is_empty()) {
            query.insert("actor", actor);
        }
        if let Some(action) = filter.action.as_deref().filter(|a| !a.is_empty()) {
            query.insert("action", action);
        }
        let mut cursor = self
            .collection(Collection::Audit)
            .find(query)
            .sort(doc! { "at": -1, "_id": -1 })
            .limit(limit)
            .await?;
        let mut entries = Vec::new();
        while cursor.advance().await? {
            let document = cursor.deserialize_current()?;
            let outcome = document
                .get_str("outcome")
                .map_err(DbError::shape_of(Collection::Audit))?;
            entries.push(AuditEntry {
                at: rfc3339(document.get_datetime("at").ok()),
                actor: document
                    .get_str("actor")
                    .map_err(DbError::shape_of(Collection::Audit))?
                    .to_owned(),
                action: document
                    .get_str("action")
                    .map_err(DbError::shape_of(Collection::Audit))?
                    .to_owned(),
                target: optional(&document, "target").unwrap_or_default(),
                outcome: Outcome::parse(outcome).ok_or_else(|| {
                    DbError::shape(Collection::Audit, format!("unknown outcome {outcome:?}"))
                })?,
                error_code: optional(&document, "errorCode"),
                detail: optional(&document, "detail"),
            });
        }
        Ok(entries)
    }
}
