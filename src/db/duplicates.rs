//! Duplicate reports of a unique key in one aggregation pass: string values
//! grouped with a capped list of `_id`s, and the documents holding `null`,
//! another type, or no value, counted by type in the same pass.

use super::error::codes;
use super::{Collection, Database, DbError};
use crate::model::{DuplicateGroup, DuplicateReport, IDS_PER_GROUP, ReportPage};
use mongodb::bson::{Bson, Document, doc};
use std::time::Duration;

/// The groups of one pass: `{_id: {v, t}, n, ids}`, where `t` is the BSON
/// type of the field ("missing" when absent) and `v` the value when it is a
/// string. Non-string types keep one group each; strings only when repeated.
fn pipeline(field: &str) -> Vec<Document> {
    let path = format!("${field}");
    vec![
        doc! { "$group": {
            "_id": {
                "v": { "$cond": [{ "$eq": [{ "$type": &path }, "string"] }, &path, Bson::Null] },
                "t": { "$type": &path },
            },
            "n": { "$sum": 1 },
            "ids": { "$firstN": { "input": "$_id", "n": IDS_PER_GROUP as i64 } },
        } },
        doc! { "$match": { "$or": [{ "_id.t": { "$ne": "string" } }, { "n": { "$gt": 1 } }] } },
        doc! { "$sort": { "n": -1, "_id.v": 1 } },
    ]
}

/// `ObjectId`s as hex, anything else as its Extended JSON text.
fn id_text(id: &Bson) -> String {
    match id {
        Bson::ObjectId(oid) => oid.to_hex(),
        Bson::String(text) => text.clone(),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

/// `$sum` answers an int32 or an int64 depending on the total.
fn count_of(group: &Document) -> u64 {
    match group.get("n") {
        Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

impl Database {
    /// The report of `field` in `collection`, listing the groups in `page`.
    /// The pass is bounded by `max_time`; when it hits the bound the report
    /// says so and holds what was counted until then.
    pub async fn duplicate_report(
        &self,
        collection: Collection,
        field: &str,
        page: ReportPage,
        max_time: Duration,
    ) -> Result<DuplicateReport, DbError> {
        let mut report = DuplicateReport {
            collection: collection.name().to_owned(),
            field: field.to_owned(),
            exists: self.collection_exists(collection).await?,
            offset: page.offset,
            max_time_ms: u64::try_from(max_time.as_millis()).unwrap_or(u64::MAX),
            ..DuplicateReport::default()
        };
        if !report.exists {
            return Ok(report);
        }
        match self
            .tally(collection, field, page, max_time, &mut report)
            .await
        {
            Err(error) if error.code() == Some(codes::MAX_TIME_MS_EXPIRED) => {
                report.time_limited = true;
                Ok(report)
            }
            other => other.map(|()| report),
        }
    }

    async fn tally(
        &self,
        collection: Collection,
        field: &str,
        page: ReportPage,
        max_time: Duration,
        report: &mut DuplicateReport,
    ) -> Result<(), DbError> {
        let mut groups = self
            .collection(collection)
            .aggregate(pipeline(field))
            .allow_disk_use(true)
            .max_time(max_time)
            .await?;
        let end = page.offset.saturating_add(page.limit);
        while groups.advance().await? {
            let group = groups.deserialize_current()?;
            let key = group
                .get_document("_id")
                .map_err(DbError::shape_of(collection))?;
            let count = count_of(&group);
            match key.get_str("t").map_err(DbError::shape_of(collection))? {
                "string" => {
                    if (page.offset..end).contains(&report.duplicated_values) {
                        report.groups.push(DuplicateGroup {
                            value: key.get_str("v").unwrap_or_default().to_owned(),
                            count,
                            ids: group
                                .get_array("ids")
                                .map(|ids| ids.iter().map(id_text).collect())
                                .unwrap_or_default(),
                        });
                    }
                    report.duplicated_values += 1;
                    report.duplicated_documents += count;
                }
                "null" => report.nulls += count,
                "missing" => report.missing += count,
                _ => report.non_strings += count,
            }
        }
        Ok(())
    }
}
