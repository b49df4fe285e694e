//! The record of webhook deliveries: appended once each delivery ends, and
//! trimmed to the newest `keep` on every append, so the collection stays
//! bounded however long the app runs.

use super::{Collection, Database, DbError};
use crate::model::NotificationDelivery;
use mongodb::bson::{Document, doc};

impl Database {
    /// Records `delivery` and trims the records beyond the newest `keep`.
    pub async fn record_delivery(
        &self,
        delivery: &NotificationDelivery,
        keep: u64,
    ) -> Result<(), DbError> {
        let document = mongodb::bson::to_document(delivery)
            .map_err(DbError::shape_of(Collection::Notifications))?;
        let records = self.collection(Collection::Notifications);
        records.insert_one(document).await?;
        let oldest_kept = records
            .find_one(doc! {})
            .sort(doc! { "_id": -1 })
            .skip(keep.saturating_sub(1))
            .projection(doc! { "_id": 1 })
            .await?;
        if let Some(oldest_kept) = oldest_kept.as_ref().and_then(|d| d.get("_id")) {
            records
                .delete_many(doc! { "_id": { "$lt": oldest_kept } })
                .await?;
        }
        Ok(())
    }

    /// The newest deliveries first, at most `limit`.
    pub async fn recent_deliveries(
        &self,
        limit: i64,
    ) -> Result<Vec<NotificationDelivery>, DbError> {
        let mut cursor = self
            .collection(Collection::Notifications)
            .find(Document::new())
            .sort(doc! { "_id": -1 })
            .limit(limit)
            .await?;
        let mut deliveries = Vec::new();
        while cursor.advance().await? {
            deliveries.push(
                mongodb::bson::from_document(cursor.deserialize_current()?)
                    .map_err(DbError::shape_of(Collection::Notifications))?,
            );
        }
        Ok(deliveries)
    }
}
