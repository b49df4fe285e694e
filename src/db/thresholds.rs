//! The monitor's thresholds, one document per series (`_id` is the series
//! key), so that setting one is a single atomic upsert.

use super::error::stored;
use super::{Collection, Database, DbError};
use crate::model::{Bound, Threshold};
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::ReplaceOptions;
use serde::Deserialize;

/// A threshold as stored, `_id` its series; made into a `Threshold` in one
/// place, where its bound is parsed.
#[derive(Debug, Deserialize)]
struct ThresholdDocument {
    #[serde(rename = "_id")]
    series: String,
    bound: String,
    limit: f64,
}

impl TryFrom<ThresholdDocument> for Threshold {
    type Error = DbError;

    fn try_from(threshold: ThresholdDocument) -> Result<Self, DbError> {
        let bound = Bound::parse(&threshold.bound).ok_or_else(|| {
            DbError::shape(
                Collection::Thresholds,
                format!("unknown bound {:?}", threshold.bound),
            )
        })?;
        Ok(Threshold {
            series: threshold.series,
            bound,
            limit: threshold.limit,
        })
    }
}

fn threshold_from(document: Document) -> Result<Threshold, DbError> {
    Threshold::try_from(stored::<ThresholdDocument>(
        Collection::Thresholds,
        document,
    )?)
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
            thresholds.push(threshold_from(cursor.deserialize_current()?)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_threshold_reads_with_its_bound_parsed() {
        let threshold = threshold_from(doc! {
            "_id": "ops/query", "bound": "above", "limit": 2.5,
            "setBy": "ada", "setAt": DateTime::from_millis(0),
        })
        .expect("a threshold");
        assert_eq!(threshold.series, "ops/query");
        assert_eq!(threshold.bound, Bound::Above);
        assert_eq!(threshold.limit, 2.5);
    }

    #[test]
    fn a_threshold_with_an_unknown_bound_or_a_text_limit_is_refused_by_name() {
        for document in [
            doc! { "_id": "s", "bound": "sideways", "limit": 1.0 },
            doc! { "_id": "s", "bound": "above", "limit": "high" },
            doc! { "_id": "s", "bound": "above" },
        ] {
            let refused = threshold_from(document);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.is_shape_of(Collection::Thresholds)),
                "{refused:?}"
            );
        }
    }
}
