//! Duplicated string values of a unique key, with nulls, non-strings and
//! missing fields counted apart (they do not collide under a partial index
//! on `$type: "string"`).

use super::{Collection, Database, DbError};
use crate::model::DuplicateSummary;
use mongodb::bson::doc;

impl Database {
    /// Summarises `field` of `collection`; all zeros when the collection
    /// does not exist. `sample` caps the values listed.
    pub async fn duplicate_summary(
        &self,
        collection: Collection,
        field: &str,
        sample: usize,
    ) -> Result<DuplicateSummary, DbError> {
        let handle = self.collection(collection);
        let path = format!("${field}");
        let mut groups = handle
            .aggregate([
                doc! { "$match": { field: { "$type": "string" } } },
                doc! { "$group": { "_id": &path, "n": { "$sum": 1 } } },
                doc! { "$match": { "n": { "$gt": 1 } } },
                doc! { "$sort": { "n": -1, "_id": 1 } },
            ])
            .allow_disk_use(true)
            .await?;
        let mut summary = DuplicateSummary {
            collection: collection.name().to_owned(),
            field: field.to_owned(),
            ..DuplicateSummary::default()
        };
        while groups.advance().await? {
            summary.duplicated_values += 1;
            if summary.sample.len() < sample {
                let group = groups.deserialize_current()?;
                summary
                    .sample
                    .push(group.get_str("_id").unwrap_or_default().to_owned());
            }
        }
        summary.nulls = handle
            .count_documents(doc! { field: { "$type": "null" } })
            .await?;
        summary.missing = handle
            .count_documents(doc! { field: { "$exists": false } })
            .await?;
        summary.non_strings = handle
            .count_documents(
                doc! { field: { "$exists": true, "$not": { "$type": ["string", "null"] } } },
            )
            .await?;
        Ok(summary)
    }
}
