//! What a database holds, in a form two readings can be compared by: per
//! collection its documents hashed in `_id` order and its index specs. A
//! rehearsal takes one before migrate and one after revert; the tests take
//! one of production before and after a rehearsal.

use super::{Database, DbError, is_reserved_collection};
use mongodb::bson::{RawDocumentBuf, doc};
use sha2::{Digest, Sha256};

/// One collection's reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub collection: String,
    pub documents: u64,
    /// SHA-256 of every document's bytes, in `_id` order.
    pub sha256: [u8; 32],
    /// Every index spec as the server lists it, by name.
    pub indexes: Vec<String>,
}

impl Database {
    /// A reading of every collection but the app's own and the server's,
    /// by name.
    pub async fn fingerprints(&self) -> Result<Vec<Fingerprint>, DbError> {
        let mut names: Vec<String> = self
            .collection_names()
            .await?
            .into_iter()
            .filter(|name| !is_reserved_collection(name))
            .collect();
        names.sort();
        let mut readings = Vec::with_capacity(names.len());
        for name in names {
            readings.push(self.fingerprint(&name).await?);
        }
        Ok(readings)
    }

    async fn fingerprint(&self, name: &str) -> Result<Fingerprint, DbError> {
        let collection = self.handle().collection::<RawDocumentBuf>(name);
        let mut cursor = collection.find(doc! {}).sort(doc! { "_id": 1 }).await?;
        let mut hasher = Sha256::new();
        let mut documents = 0_u64;
        while cursor.advance().await? {
            hasher.update(cursor.current().as_bytes());
            documents = documents.saturating_add(1);
        }
        // A collection holds at most 64 indexes: one batch lists them all.
        let listed = self
            .handle()
            .run_command(doc! { "listIndexes": name })
            .await?;
        let mut indexes: Vec<String> = listed
            .get_document("cursor")
            .and_then(|cursor| cursor.get_array("firstBatch"))
            .map(|batch| {
                batch
                    .iter()
                    .filter_map(|spec| spec.as_document().cloned())
                    .map(|mut spec| {
                        // The spec's version and namespace differ between
                        // servers, not between the same indexes.
                        spec.remove("v");
                        spec.remove("ns");
                        spec.to_string()
                    })
                    .collect()
            })
            .unwrap_or_default();
        indexes.sort();
        Ok(Fingerprint {
            collection: name.to_owned(),
            documents,
            sha256: hasher.finalize().into(),
            indexes,
        })
    }
}
