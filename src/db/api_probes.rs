//! Results of probing the Forest API, kept as evidence (checklist item 3):
//! appended, listed newest first; the results of one round share its id,
//! so that the newest round can be read whole.

use super::{Collection, Database, DbError};
use crate::model::ProbeResult;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{DateTime, Document, doc};

fn newest_first() -> Document {
    doc! { "recordedAt": -1, "_id": -1 }
}

impl Database {
    /// Stores the results of one probe round.
    pub async fn insert_probes(&self, results: &[ProbeResult]) -> Result<(), DbError> {
        if results.is_empty() {
            return Ok(());
        }
        let mut documents = Vec::with_capacity(results.len());
        let (round, recorded_at) = (ObjectId::new(), DateTime::now());
        for result in results {
            let mut document = mongodb::bson::to_document(result)
                .map_err(DbError::shape_of(Collection::ApiProbes))?;
            document.insert("recordedAt", recorded_at);
            document.insert("round", round);
            documents.push(document);
        }
        self.collection(Collection::ApiProbes)
            .insert_many(documents)
            .await?;
        Ok(())
    }

    /// The newest results first, at most `limit`.
    pub async fn recent_probes(&self, limit: i64) -> Result<Vec<ProbeResult>, DbError> {
        self.probes(doc! {}, newest_first(), limit).await
    }

    /// The results recorded from `since` on (all when `None`), oldest
    /// first, at most `limit`.
    pub async fn probes_since(
        &self,
        since: Option<time::OffsetDateTime>,
        limit: i64,
    ) -> Result<Vec<ProbeResult>, DbError> {
        let filter = since.map_or_else(Document::new, |since| {
            doc! { "recordedAt": { "$gte": super::clock::stored_time(since) } }
        });
        self.probes(filter, doc! { "recordedAt": 1, "_id": 1 }, limit)
            .await
    }

    /// Every result of the newest round; a result stored before rounds
    /// had ids stands alone.
    pub async fn latest_probe_round(&self) -> Result<Vec<ProbeResult>, DbError> {
        let newest = self
            .collection(Collection::ApiProbes)
            .find_one(doc! {})
            .sort(newest_first())
            .await?;
        match newest
            .as_ref()
            .map(|d| (d.get_object_id("round"), d.get("_id")))
        {
            None => Ok(Vec::new()),
            Some((Ok(round), _)) => {
                self.probes(doc! { "round": round }, newest_first(), 1_000)
                    .await
            }
            Some((Err(_), id)) => {
                self.probes(doc! { "_id": id.cloned() }, newest_first(), 1)
                    .await
            }
        }
    }

    async fn probes(
        &self,
        filter: Document,
        sort: Document,
        limit: i64,
    ) -> Result<Vec<ProbeResult>, DbError> {
        let mut cursor = self
            .collection(Collection::ApiProbes)
            .find(filter)
            .sort(sort)
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
