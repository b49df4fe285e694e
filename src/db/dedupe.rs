//! The database side of cleaning duplicates: the documents holding each
//! duplicated string value of a key, and writing a batch of groups inside
//! one transaction that first reads them again, so that a group the Forest
//! app changed since it was planned is left whole for the next round and
//! never half-applied.

mod exported;

pub use exported::{Exported, Restored};

use super::{Collection, Database, DbError};
use mongodb::ClientSession;
use mongodb::bson::{Bson, RawDocumentBuf, doc};
use mongodb::error::TRANSIENT_TRANSACTION_ERROR;
use std::fmt;

/// Values looked up per query (`$in`), so that no command grows unbounded
/// (20,000 short strings stay far below the 16 MiB of a command). Before
/// the migration the key has no index: each query is a collection scan.
const VALUES_PER_QUERY: usize = 20_000;
/// MongoDB's WriteConflict: another writer touched a document of the batch.
const WRITE_CONFLICT: i32 = 112;

/// A document's `_id`, of whatever type it is.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentId(Bson);

impl DocumentId {
    /// A text that tells any two `_id`s apart (types included).
    pub fn key(&self) -> String {
        self.0.clone().into_canonical_extjson().to_string()
    }
}

impl fmt::Display for DocumentId {
    /// `ObjectId`s as hex, strings as they are, anything else as Extended JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Bson::ObjectId(oid) => f.write_str(&oid.to_hex()),
            Bson::String(text) => f.write_str(text),
            other => f.write_str(&other.clone().into_relaxed_extjson().to_string()),
        }
    }
}

/// One document holding a duplicated value, exactly as the server stores it.
#[derive(Debug, Clone)]
pub struct Holder {
    id: DocumentId,
    raw: RawDocumentBuf,
}

impl Holder {
    fn read(raw: RawDocumentBuf, collection: Collection) -> Result<Self, DbError> {
        let id = raw
            .get("_id")
            .ok()
            .flatten()
            .and_then(|id| Bson::try_from(id.to_raw_bson()).ok())
            .ok_or_else(|| DbError::shape(collection, "a document without a readable _id"))?;
        Ok(Self {
            id: DocumentId(id),
            raw,
        })
    }

    pub fn id(&self) -> &DocumentId {
        &self.id
    }

    /// A date field in milliseconds; `None` when missing or not a date.
    pub fn date(&self, field: &str) -> Option<i64> {
        self.raw
            .get_datetime(field)
            .ok()
            .map(|at| at.timestamp_millis())
    }

    /// True when both hold the same fields with the same values, in the
    /// same order, apart from `_id`: the same record uploaded twice.
    pub fn same_apart_from_id(&self, other: &Self) -> bool {
        without(&self.raw, "_id").as_bytes() == without(&other.raw, "_id").as_bytes()
    }

    /// The document's size in bytes.
    pub fn bytes(&self) -> usize {
        self.raw.as_bytes().len()
    }
}

/// `raw` without its field `field`, the other fields in their order: what
/// `$unset` leaves.
fn without(raw: &RawDocumentBuf, field: &str) -> RawDocumentBuf {
    let mut out = RawDocumentBuf::new();
    for (key, value) in raw.iter().flatten() {
        if key != field {
            out.append(key, value.to_raw_bson());
        }
    }
    out
}

/// The documents holding one duplicated value, in the server's `_id` order.
#[derive(Debug, Clone)]
pub struct HeldValue {
    pub value: String,
    pub holders: Vec<Holder>,
}

/// One group of a batch: its documents as planned, and which of them lose
/// the value or are deleted.
pub struct Cleanup<'a> {
    pub planned: &'a HeldValue,
    pub unset: Vec<&'a DocumentId>,
    pub delete: Vec<&'a DocumentId>,
}

/// What one batch wrote.
#[derive(Debug, Default)]
pub struct Written {
    pub unset: u64,
    pub deleted: u64,
    /// Values whose documents changed since they were planned: untouched.
    pub changed: Vec<String>,
}

fn transient(error: &mongodb::error::Error) -> bool {
    error.contains_label(TRANSIENT_TRANSACTION_ERROR)
        || DbError::from(error.clone()).code() == Some(WRITE_CONFLICT)
}

impl Database {
    /// The string values of `field` held by more than one document, in order.
    pub async fn duplicated_values(
        &self,
        collection: Collection,
        field: &str,
    ) -> Result<Vec<String>, DbError> {
        if !self.collection_exists(collection).await? {
            return Ok(Vec::new());
        }
        let mut groups = self
            .collection(collection)
            .aggregate([
                doc! { "$match": { field: { "$type": "string" } } },
                doc! { "$group": { "_id": format!("${field}"), "n": { "$sum": 1 } } },
                doc! { "$match": { "n": { "$gt": 1 } } },
                doc! { "$sort": { "_id": 1 } },
            ])
            .allow_disk_use(true)
            .await?;
        let mut values = Vec::new();
        while groups.advance().await? {
            if let Ok(value) = groups.current().get_str("_id") {
                values.push(value.to_owned());
            }
        }
        Ok(values)
    }

    /// The documents holding each of `values` in `field`, whole.
    pub async fn holders(
        &self,
        collection: Collection,
        field: &str,
        values: &[String],
    ) -> Result<Vec<HeldValue>, DbError> {
        let documents = self
            .handle()
            .collection::<RawDocumentBuf>(collection.name());
        let mut held = Vec::new();
        for chunk in values.chunks(VALUES_PER_QUERY) {
            let mut cursor = documents
                .find(doc! { field: { "$in": chunk } })
                .sort(doc! { field: 1, "_id": 1 })
                .await?;
            let mut found = Vec::new();
            while cursor.advance().await? {
                found.push(cursor.current().to_raw_document_buf());
            }
            group_into(&mut held, found, collection, field)?;
        }
        Ok(held)
    }

    /// Writes `batch` in one transaction: reads every group's documents
    /// again and writes only the groups still exactly as planned. When
    /// another writer collides with the batch, nothing of it is written
    /// and every group is reported changed.
    pub async fn clean_batch(
        &self,
        collection: Collection,
        field: &str,
        batch: &[Cleanup<'_>],
    ) -> Result<Written, DbError> {
        let all_changed = || Written {
            changed: batch.iter().map(|c| c.planned.value.clone()).collect(),
            ..Written::default()
        };
        let mut session = self.client().start_session().await?;
        session.start_transaction().await?;
        let written = match self.clean_in(&mut session, collection, field, batch).await {
            Ok(written) => written,
            Err(error) => {
                let _ = session.abort_transaction().await;
                return if transient(&error) {
                    Ok(all_changed())
                } else {
                    Err(error.into())
                };
            }
        };
        match session.commit_transaction().await {
            Ok(()) => Ok(written),
            Err(error) if transient(&error) => Ok(all_changed()),
            Err(error) => Err(error.into()),
        }
    }

    async fn clean_in(
        &self,
        session: &mut ClientSession,
        collection: Collection,
        field: &str,
        batch: &[Cleanup<'_>],
    ) -> Result<Written, mongodb::error::Error> {
        let documents = self
            .handle()
            .collection::<RawDocumentBuf>(collection.name());
        // By `_id` (indexed), not by value (not indexed before the
        // migration): a document that took a value since is a new
        // duplicate, which the next round's re-check finds.
        let ids: Vec<Bson> = batch
            .iter()
            .flat_map(|c| c.planned.holders.iter().map(|h| h.id.0.clone()))
            .collect();
        let mut cursor = documents
            .find(doc! { "_id": { "$in": ids } })
            .sort(doc! { field: 1, "_id": 1 })
            .session(&mut *session)
            .await?;
        let mut found = Vec::new();
        while cursor.advance(&mut *session).await? {
            found.push(cursor.current().to_raw_document_buf());
        }
        let mut now = Vec::new();
        group_into(&mut now, found, collection, field)
            .map_err(|e| mongodb::error::Error::custom(e.to_string()))?;
        let mut written = Written::default();
        let (mut unset, mut delete) = (Vec::new(), Vec::new());
        for cleanup in batch {
            let current = now.iter().find(|h| h.value == cleanup.planned.value);
            if current.is_some_and(|current| same_documents(current, cleanup.planned)) {
                unset.extend(cleanup.unset.iter().map(|id| id.0.clone()));
                delete.extend(cleanup.delete.iter().map(|id| id.0.clone()));
            } else {
                written.changed.push(cleanup.planned.value.clone());
            }
        }
        if !unset.is_empty() {
            written.unset = documents
                .update_many(
                    doc! { "_id": { "$in": unset }, field: { "$type": "string" } },
                    doc! { "$unset": { field: "" } },
                )
                .session(&mut *session)
                .await?
                .modified_count;
        }
        if !delete.is_empty() {
            written.deleted = documents
                .delete_many(doc! { "_id": { "$in": delete } })
                .session(&mut *session)
                .await?
                .deleted_count;
        }
        Ok(written)
    }
}

fn same_documents(a: &HeldValue, b: &HeldValue) -> bool {
    a.holders.len() == b.holders.len()
        && a.holders
            .iter()
            .zip(&b.holders)
            .all(|(x, y)| x.raw.as_bytes() == y.raw.as_bytes())
}

/// Groups documents sorted by `field` into one `HeldValue` per value.
fn group_into(
    held: &mut Vec<HeldValue>,
    documents: Vec<RawDocumentBuf>,
    collection: Collection,
    field: &str,
) -> Result<(), DbError> {
    for raw in documents {
        // Only strings were asked for; anything else is never touched.
        let Ok(value) = raw.get_str(field).map(str::to_owned) else {
            continue;
        };
        let holder = Holder::read(raw, collection)?;
        match held.last_mut() {
            Some(last) if last.value == value => last.holders.push(holder),
            _ => held.push(HeldValue {
                value,
                holders: vec![holder],
            }),
        }
    }
    Ok(())
}
