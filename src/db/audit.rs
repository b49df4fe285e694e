//! The audit log. Append-only: this module offers no delete, and its one
//! update raises the count of a folded row of anonymous refusals.

use super::error::{codes, rfc3339, stored};
use super::{Collection, Database, DbError};
use crate::model::{AuditEntry, AuditFilter, Outcome};
use mongodb::bson::{Bson, DateTime, Document, doc};
use serde::{Deserialize, Deserializer};

/// Milliseconds in the period one folded row covers.
const FOLD_PERIOD_MS: i64 = 3_600_000;

/// An entry as stored: one person's or the app's action, or a folded row
/// of anonymous refusals (which also has `count`, `firstAt` and
/// `foldKey`). Its outcome is parsed in one place, `AuditEntry::try_from`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuditDocument {
    at: Option<DateTime>,
    actor: String,
    action: String,
    target: Option<String>,
    outcome: String,
    error_code: Option<String>,
    detail: Option<String>,
    address: Option<String>,
    #[serde(default = "one", deserialize_with = "count_or_one")]
    count: u64,
}

fn one() -> u64 {
    1
}

/// A folded row's count as stored (an int32 or int64); an entry that is
/// not folded, or a count that is negative or not an integer, counts one.
fn count_or_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let count = Bson::deserialize(deserializer)?;
    Ok(count
        .as_i64()
        .or_else(|| count.as_i32().map(i64::from))
        .and_then(|count| u64::try_from(count).ok())
        .unwrap_or(1))
}

impl TryFrom<AuditDocument> for AuditEntry {
    type Error = DbError;

    fn try_from(entry: AuditDocument) -> Result<Self, DbError> {
        let outcome = Outcome::parse(&entry.outcome).ok_or_else(|| {
            DbError::shape(
                Collection::Audit,
                format!("unknown outcome {:?}", entry.outcome),
            )
        })?;
        Ok(AuditEntry {
            at: rfc3339(entry.at.as_ref()),
            actor: entry.actor,
            action: entry.action,
            target: entry.target.unwrap_or_default(),
            outcome,
            error_code: entry.error_code,
            detail: entry.detail,
            address: entry.address,
            count: entry.count,
        })
    }
}

fn entry_from(document: Document) -> Result<AuditEntry, DbError> {
    AuditEntry::try_from(stored::<AuditDocument>(Collection::Audit, document)?)
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
            entries.push(entry_from(cursor.deserialize_current()?)?);
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_entry_reads_with_its_outcome_parsed_and_its_count() {
        let entry = entry_from(doc! {
            "at": DateTime::from_millis(0), "actor": "ada", "action": "login",
            "target": "ada", "outcome": "ok",
        })
        .expect("an entry");
        assert_eq!(entry.at, "1970-01-01T00:00:00Z");
        assert_eq!((entry.outcome, entry.count), (Outcome::Ok, 1));
        assert_eq!((entry.error_code, entry.address), (None, None));
        let folded = |count: Bson| {
            entry_from(doc! {
                "firstAt": DateTime::from_millis(0), "at": DateTime::from_millis(1),
                "actor": "anonymous", "action": "login", "outcome": "denied",
                "errorCode": "UNAUTHENTICATED", "address": "192.0.2.1",
                "foldKey": "k", "count": count,
            })
            .expect("a folded row")
        };
        let row = folded(Bson::Int64(1 << 40));
        assert_eq!((row.count, row.target.as_str()), (1 << 40, ""));
        assert_eq!(row.address.as_deref(), Some("192.0.2.1"));
        assert_eq!(folded(Bson::Int32(3)).count, 3);
        assert_eq!(folded(Bson::Int64(-3)).count, 1);
        assert_eq!(folded(Bson::Double(2.0)).count, 1);
        assert_eq!(folded(Bson::Null).count, 1);
    }

    #[test]
    fn an_entry_with_an_unknown_outcome_or_a_field_of_another_type_is_refused_by_name() {
        for document in [
            doc! { "actor": "ada", "action": "login", "outcome": "maybe" },
            doc! { "action": "login", "outcome": "ok" },
            doc! { "actor": "ada", "action": "login", "outcome": "ok", "at": "noon" },
            doc! { "actor": "ada", "action": "login", "outcome": "ok", "detail": 4 },
        ] {
            let refused = entry_from(document);
            assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Audit)));
        }
    }
}
