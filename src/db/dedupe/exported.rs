//! The prior state of the documents a cleanup touches, as written into its
//! export before any write (one BSON document per entry: the collection,
//! the key, the action and the document exactly as it was), and putting
//! them back: only documents still exactly as the cleanup left them.

use super::{DocumentId, Holder, transient, without};
use crate::db::dump::{DocumentReader, DumpError};
use crate::db::{Collection, Database, DbError};
use crate::model::DedupeAction;
use mongodb::bson::{RawDocumentBuf, doc};
use std::collections::HashMap;
use std::io::Read;

/// How often a batch is tried when other writers keep colliding with it.
const ATTEMPTS: u32 = 5;

/// One document as it was before the cleanup, and what the cleanup does to it.
#[derive(Debug, Clone)]
pub struct Exported {
    pub collection: Collection,
    pub field: String,
    pub action: DedupeAction,
    pub document: Holder,
}

/// What putting a batch back did.
#[derive(Debug, Default)]
pub struct Restored {
    pub restored: u64,
    /// Already as before the cleanup (its group was left for a later round).
    pub unchanged: u64,
    /// Changed by someone else since the cleanup: left as they are.
    pub left_alone: Vec<String>,
}

impl Exported {
    /// The entry as one BSON document, to append to the export.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut entry = RawDocumentBuf::new();
        entry.append("collection", self.collection.name());
        entry.append("field", self.field.as_str());
        entry.append("action", self.action.as_str());
        entry.append("document", self.document.raw.clone());
        entry.into_bytes()
    }

    /// Every entry of an export file, checked as a dump file is.
    pub fn read_all<R: Read>(mut reader: DocumentReader<R>) -> Result<Vec<Self>, DumpError> {
        let mut entries = Vec::new();
        while let Some(raw) = reader.next_raw()? {
            entries.push(Self::parse(&raw).map_err(DumpError::Database)?);
        }
        Ok(entries)
    }

    fn parse(raw: &RawDocumentBuf) -> Result<Self, DbError> {
        let bad = |reason: &str| DbError::Shape {
            collection: "a cleanup's export",
            reason: reason.to_owned(),
        };
        let name = raw
            .get_str("collection")
            .map_err(|_| bad("no collection"))?;
        let collection = [
            Collection::Tasks,
            Collection::FocusSessions,
            Collection::Devices,
        ]
        .into_iter()
        .find(|c| c.name() == name)
        .ok_or_else(|| bad("a collection the cleanup never touches"))?;
        let action = raw
            .get_str("action")
            .ok()
            .and_then(DedupeAction::parse)
            .ok_or_else(|| bad("no action"))?;
        let document = raw
            .get_document("document")
            .map_err(|_| bad("no document"))?
            .to_raw_document_buf();
        Ok(Self {
            collection,
            field: raw
                .get_str("field")
                .map_err(|_| bad("no field"))?
                .to_owned(),
            action,
            document: Holder::read(document, collection)?,
        })
    }

    /// What the cleanup left of the document: `None` once deleted.
    fn after(&self) -> Option<RawDocumentBuf> {
        match self.action {
            DedupeAction::Unset => Some(without(&self.document.raw, &self.field)),
            DedupeAction::Delete => None,
        }
    }
}

impl Database {
    /// Puts `batch` (entries of one collection) back in one transaction:
    /// each document that is still exactly what the cleanup left of it
    /// gets its prior state back, byte for byte.
    pub async fn restore_batch(&self, batch: &[Exported]) -> Result<Restored, DbError> {
        let mut attempt = 1;
        loop {
            match self.restore_once(batch).await {
                Err(error) if transient(&error) && attempt < ATTEMPTS => attempt += 1,
                other => return other.map_err(DbError::from),
            }
        }
    }

    async fn restore_once(&self, batch: &[Exported]) -> Result<Restored, mongodb::error::Error> {
        let Some(first) = batch.first() else {
            return Ok(Restored::default());
        };
        let documents = self
            .handle()
            .collection::<RawDocumentBuf>(first.collection.name());
        let mut session = self.client().start_session().await?;
        session.start_transaction().await?;
        let ids: Vec<_> = batch.iter().map(|e| e.document.id.0.clone()).collect();
        let mut cursor = documents
            .find(doc! { "_id": { "$in": ids } })
            .session(&mut session)
            .await?;
        let mut now: HashMap<String, RawDocumentBuf> = HashMap::new();
        while cursor.advance(&mut session).await? {
            let raw = cursor.current().to_raw_document_buf();
            if let Ok(holder) = Holder::read(raw.clone(), first.collection) {
                now.insert(holder.id.key(), raw);
            }
        }
        let mut restored = Restored::default();
        for entry in batch {
            let id: &DocumentId = &entry.document.id;
            let current = now.get(&id.key()).map(|raw| raw.as_bytes());
            let prior = entry.document.raw.as_bytes();
            if current == entry.after().as_ref().map(|raw| raw.as_bytes()) {
                match entry.action {
                    DedupeAction::Unset => {
                        documents
                            .replace_one(doc! { "_id": id.0.clone() }, &entry.document.raw)
                            .session(&mut session)
                            .await?;
                    }
                    DedupeAction::Delete => {
                        documents
                            .insert_one(&entry.document.raw)
                            .session(&mut session)
                            .await?;
                    }
                }
                restored.restored += 1;
            } else if current == Some(prior) {
                restored.unchanged += 1;
            } else {
                restored.left_alone.push(id.to_string());
            }
        }
        // An unfinished transaction is aborted when the session drops.
        session.commit_transaction().await?;
        Ok(restored)
    }
}
