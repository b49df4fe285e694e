//! The audit log. Append-only: this module offers no delete, and its one
//! update raises the count of a folded row of anonymous refusals.

use super::error::{codes, rfc3339};
use super::{Collection, Database, DbError};
use crate::model::{AuditEntry, AuditFilter, Outcome};
use mongodb::bson::{DateTime, Document, doc};

/// Milliseconds in the period one folded row covers.
const FOLD_PERIOD_MS: i64 = 3_600_000;

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

    /// Counts one more of an anonymous request's outcome in the row of its
    /// address, action, outcome and code for the current hour, made by the
    /// first. A unique index on `foldKey` keeps it one row when two requests
    /// race; the loser of that race retries as an update.
    pub async fn fold_audit(&self, entry: &AuditEntry) -> Result<(), DbError> {
        let now = DateTime::now();
        let address = entry.address.as_deref().unwrap_or("unknown");
        let key = format!(
            "{}\u{0}{address}\u{0}{}\u{0}{}\u{0}{}",
            now.timestamp_millis().div_euclid(FOLD_PERIOD_MS),
            entry.action,
            entry.outcome.as_str(),
            entry.error_code.as_deref().unwrap_or_default(),
        );
        let mut first = doc! {
            "firstAt": now,
            "actor": &entry.actor,
            "action": &entry.action,
            "outcome": entry.outcome.as_str(),
            "address": address,
        };
        if let Some(code) = &entry.error_code {
            first.insert("errorCode", code);
        }
        let mut latest = doc! { "at": now, "target": &entry.target };
        if let Some(detail) = &entry.detail {
            latest.insert("detail", detail);
        }
        let update = doc! {
            "$setOnInsert": first,
            "$set": latest,
            "$inc": { "count": 1_i64 },
        };
        let audit = self.collection(Collection::Audit);
        let mut tries = 0;
        loop {
            tries += 1;
            let folded = audit
                .update_one(doc! { "foldKey": &key }, update.clone())
                .upsert(true)
                .await
                .map_err(DbError::from);
            match folded {
                Err(error) if tries == 1 && error.code() == Some(codes::DUPLICATE_KEY) => {}
                other => return other.map(drop),
            }
        }
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
        self.audit_entries(query, doc! { "at": -1, "_id": -1 }, limit)
            .await
    }

    /// The entries of signed-in people and of the app itself from `since`
    /// on (all when `None`), oldest first, at most `limit`: a deployment's
    /// history. Folded rows of anonymous refusals are left out.
    pub async fn audit_since(
        &self,
        since: Option<time::OffsetDateTime>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let mut query = doc! { "foldKey": { "$exists": false } };
        if let Some(since) = since {
            query.insert("at", doc! { "$gte": super::clock::stored_time(since) });
        }
        self.audit_entries(query, doc! { "at": 1, "_id": 1 }, limit)
            .await
    }

    async fn audit_entries(
        &self,
        query: Document,
        sort: Document,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let mut cursor = self
            .collection(Collection::Audit)
            .find(query)
            .sort(sort)
            .limit(limit)
            .await?;
        let mut entries = Vec::new();
        while cursor.advance().await? {
            entries.push(entry_from(&cursor.deserialize_current()?)?);
        }
        Ok(entries)
    }
}

fn entry_from(document: &Document) -> Result<AuditEntry, DbError> {
    let shape = DbError::shape_of(Collection::Audit);
    let outcome = document.get_str("outcome").map_err(&shape)?;
    Ok(AuditEntry {
        at: rfc3339(document.get_datetime("at").ok()),
        actor: document.get_str("actor").map_err(&shape)?.to_owned(),
        action: document.get_str("action").map_err(&shape)?.to_owned(),
        target: optional(document, "target").unwrap_or_default(),
        outcome: Outcome::parse(outcome).ok_or_else(|| {
            DbError::shape(Collection::Audit, format!("unknown outcome {outcome:?}"))
        })?,
        error_code: optional(document, "errorCode"),
        detail: optional(document, "detail"),
        address: optional(document, "address"),
        count: match document.get("count") {
            Some(count) => count
                .as_i64()
                .or_else(|| count.as_i32().map(i64::from))
                .and_then(|count| u64::try_from(count).ok())
                .unwrap_or(1),
            None => 1,
        },
    })
}
