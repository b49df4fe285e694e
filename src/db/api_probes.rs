//! Results of probing the Forest API, kept as evidence (checklist item 3):
//! appended, listed newest first.

use super::{Collection, Database, DbError};
use crate::model::ProbeResult;
use mongodb::bson::{DateTime, doc};

impl Database {
    /// Stores the results of one probe round.
    pub async fn insert_probes(&self, results: &[ProbeResult]) -> Result<(), DbError> {
        if results.is_empty() {
            return Ok(());
        }
        let mut documents = Vec::with_capacity(results.len());
        for result in results {
            let mut document = mongodb::bson::to_document(result)
                .map_err(DbError::shape_of(Collection::ApiProbes))?;
            document.insert("recordedAt", DateTime::now());
            documents.push(document);
        }
        self.collection(Collection::ApiProbes)
            .insert_many(documents)
            .await?;
        Ok(())
    }

    /// The newest results first, at most `limit`.
    pub async fn recent_probes(&self, limit: i64) -> Result<Vec<ProbeResult>, DbError> {
        let mut cursor = self
            .collection(Collection::ApiProbes)
            .find(doc! {})
            .sort(doc! { "recordedAt": -1, "_id": -1 })
            .limit(limit)
            .await?;
        let mut results = Vec::new();
        while cursor.advance().await? {
            results.push(
                mongodb::bson::from_document(cursor.deserialize_current()?)
                    .map_err(DbError::shape_of(Collection::ApiProbes))?,
            );
        }
        Ok(results)
    }
}
