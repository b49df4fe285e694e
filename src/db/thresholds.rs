//! The monitor's thresholds, one document per series (`_id` is the series
//! key), so that setting one is a single atomic upsert.

use super::{Collection, Database, DbError};
use crate::model::{Bound, Threshold};
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::ReplaceOptions;

fn threshold_from(document: &Document) -> Result<Threshold, DbError> {
    let shape = DbError::shape_of(Collection::Thresholds);
    let bound = document.get_str("bound").map_err(&shape)?;
    Ok(Threshold {
        series: document.get_str("_id").map_err(&shape)?.to_owned(),
        bound: Bound::parse(bound).ok_or_else(|| {
            DbError::shape(Collection::Thresholds, format!("unknown bound {bound:?}"))
        })?,
        limit: document.get_f64("limit").map_err(&shape)?,
    })
}

impl Database {
    pub async fn monitor_thresholds(&self) -> Result<Vec<Threshold>, DbError> {
        let mut cursor = self
            .collection(Collection::Thresholds)
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await?;
        let mut thresholds = Vec::new();
        while cursor.advance().await? {
            thresholds.push(threshold_from(&cursor.deserialize_current()?)?);
        }
        Ok(thresholds)
    }

    /// Sets (or replaces) the threshold of `threshold.series`.
    pub async fn set_monitor_threshold(
        &self,
        threshold: &Threshold,
        set_by: &str,
    ) -> Result<(), DbError> {
        self.collection(Collection::Thresholds)
            .replace_one(
                doc! { "_id": &threshold.series },
                doc! {
                    "_id": &threshold.series,
                    "bound": threshold.bound.as_str(),
                    "limit": threshold.limit,
                    "setBy": set_by,
                    "setAt": DateTime::now(),
                },
            )
            .with_options(ReplaceOptions::builder().upsert(true).build())
            .await?;
        Ok(())
    }

    /// Removes the threshold of `series`; false when it had none.
    pub async fn clear_monitor_threshold(&self, series: &str) -> Result<bool, DbError> {
        let result = self
            .collection(Collection::Thresholds)
            .delete_one(doc! { "_id": series })
            .await?;
        Ok(result.deleted_count > 0)
    }
}
