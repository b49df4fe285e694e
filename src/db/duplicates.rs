//! Duplicate reports of a unique key in two passes. The first groups every
//! document by the raw value (as cheap as the bare shell aggregation) and
//! keeps the repeated strings and the non-string values; the second groups
//! only the documents of the listed groups and those holding an explicit
//! `null`, to cap each group's `_id`s inside the aggregation and to tell
//! `null` from a missing field (the first pass groups both under `null`;
//! before the migration nearly every document lacks the field, so counting
//! the nulls is the cheap side).

use super::error::codes;
use super::numbers::as_count;
use super::{Collection, Database, DbError};
use crate::model::{DuplicateGroup, DuplicateReport, IDS_PER_GROUP, ReportPage};
use mongodb::bson::{Bson, Document, doc};
use std::time::Duration;

/// A group's `n` (`$sum` answers an int32 or an int64 depending on the total).
fn count_of(group: &Document) -> u64 {
    as_count(group.get("n"))
}

/// `ObjectId`s as hex, anything else as its Extended JSON text.
fn id_text(id: &Bson) -> String {
    match id {
        Bson::ObjectId(oid) => oid.to_hex(),
        Bson::String(text) => text.clone(),
        other => other.clone().into_relaxed_extjson().to_string(),
    }
}

impl Database {
    /// Documents whose `field` is not a string (null, missing or another
    /// type), counted up to `limit`: the count stops there, so asking
    /// whether two exist reads two documents, not the collection.
    pub async fn count_without_string(
        &self,
        collection: Collection,
        field: &str,
        limit: u64,
    ) -> Result<u64, DbError> {
        let filter = doc! { field: { "$not": { "$type": "string" } } };
        Ok(self
            .collection(collection)
            .count_documents(filter)
            .limit(limit)
            .await?)
    }

    /// The report of `field` in `collection`, listing the groups in `page`.
    /// Each pass is bounded by `max_time`; when one hits the bound the
    /// report says so and holds what was counted until then.
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
        let counted = async {
            let null_or_missing = self
                .group_values(collection, field, page, max_time, &mut report)
                .await?;
            self.list_ids(collection, field, null_or_missing, max_time, &mut report)
                .await
        };
        match counted.await {
            Err(error) if error.code() == Some(codes::MAX_TIME_MS_EXPIRED) => {
                report.time_limited = true;
                Ok(report)
            }
            other => other.map(|()| report),
        }
    }

    /// First pass: the repeated strings (those in `page` listed, without
    /// ids yet) and the non-strings; answers how many documents hold `null`
    /// or no field at all.
    async fn group_values(
        &self,
        collection: Collection,
        field: &str,
        page: ReportPage,
        max_time: Duration,
        report: &mut DuplicateReport,
    ) -> Result<u64, DbError> {
        let mut groups = self
            .collection(collection)
            .aggregate([
                doc! { "$group": { "_id": format!("${field}"), "n": { "$sum": 1 } } },
                doc! { "$match": { "$or": [
                    { "n": { "$gt": 1 } },
                    { "_id": { "$not": { "$type": "string" } } },
                ] } },
                doc! { "$sort": { "n": -1, "_id": 1 } },
            ])
            .allow_disk_use(true)
            .max_time(max_time)
            .await?;
        let end = page.offset.saturating_add(page.limit);
        let mut null_or_missing = 0;
        while groups.advance().await? {
            let group = groups.deserialize_current()?;
            let count = count_of(&group);
            match group.get("_id") {
                Some(Bson::String(value)) => {
                    if (page.offset..end).contains(&report.duplicated_values) {
                        report.groups.push(DuplicateGroup {
                            value: value.clone(),
                            count,
                            ids: Vec::new(),
                        });
                    }
                    report.duplicated_values += 1;
                    report.duplicated_documents += count;
                }
                None | Some(Bson::Null) => null_or_missing += count,
                Some(_) => report.non_strings += count,
            }
        }
        Ok(null_or_missing)
    }

    /// Second pass, over the listed groups' documents and the explicit
    /// nulls: up to `IDS_PER_GROUP` ids per group, and nulls told from
    /// missing fields.
    async fn list_ids(
        &self,
        collection: Collection,
        field: &str,
        null_or_missing: u64,
        max_time: Duration,
        report: &mut DuplicateReport,
    ) -> Result<(), DbError> {
        let values: Vec<&str> = report.groups.iter().map(|g| g.value.as_str()).collect();
        if values.is_empty() && null_or_missing == 0 {
            return Ok(());
        }
        let mut groups = self
            .collection(collection)
            .aggregate([
                doc! { "$match": { "$or": [
                    { field: { "$in": values } },
                    { field: { "$type": "null" } },
                ] } },
                doc! { "$group": {
                    "_id": format!("${field}"),
                    "n": { "$sum": 1 },
                    "ids": { "$firstN": { "input": "$_id", "n": IDS_PER_GROUP as i64 } },
                } },
            ])
            .allow_disk_use(true)
            .max_time(max_time)
            .await?;
        let mut nulls = 0;
        while groups.advance().await? {
            let group = groups.deserialize_current()?;
            match group.get("_id") {
                Some(Bson::String(value)) => {
                    let ids = group
                        .get_array("ids")
                        .map_err(DbError::shape_of(collection))?;
                    if let Some(listed) = report.groups.iter_mut().find(|g| &g.value == value) {
                        listed.ids = ids.iter().map(id_text).collect();
                    }
                }
                _ => nulls += count_of(&group),
            }
        }
        report.nulls = nulls;
        report.missing = null_or_missing.saturating_sub(nulls);
        Ok(())
    }
}
