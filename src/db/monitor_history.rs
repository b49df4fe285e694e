//! The monitor's history: one document per minute, `_id` the minute's start
//! in milliseconds, `at` the same as a date (the TTL index removes minutes
//! older than `monitor.history_days`), and `series`, one entry per series
//! with the sum, count and highest of the minute's sampled values. A
//! minute is written once, by one upsert that pushes its entries, so that a
//! second writer of the same minute (the app restarted within it, or two
//! app instances) adds entries the reader merges, and never overwrites.

use super::{Collection, Database, DbError};
use mongodb::IndexModel;
use mongodb::bson::{DateTime, RawDocument, RawDocumentBuf, doc};
use mongodb::options::IndexOptions;
use std::time::Duration;

/// Name of the TTL index on `at`.
const TTL_INDEX: &str = "at_ttl";
/// MongoDB codes of an index that exists with other options.
const INDEX_OPTIONS_CONFLICT: [i32; 2] = [85, 86];

/// The sampled values of one series within one minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinuteTally {
    pub sum: f64,
    pub count: u32,
    pub max: f64,
}

/// One minute of samples, every series' tally.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorMinute {
    /// The minute's start, in milliseconds since the epoch.
    pub minute_ms: i64,
    pub series: Vec<(String, MinuteTally)>,
}

impl Database {
    /// Creates the history's TTL index, or changes its lifetime to `keep`
    /// when it exists with another (the setting changed); idempotent.
    pub async fn keep_monitor_history_for(&self, keep: Duration) -> Result<(), DbError> {
        let options = IndexOptions::builder()
            .name(TTL_INDEX.to_owned())
            .expire_after(keep)
            .build();
        let index = IndexModel::builder()
            .keys(doc! { "at": 1 })
            .options(options)
            .build();
        let created = self
            .collection(Collection::MonitorHistory)
            .create_index(index)
            .await
            .map_err(DbError::from);
        match created {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .code()
                    .is_some_and(|c| INDEX_OPTIONS_CONFLICT.contains(&c)) =>
            {
                let seconds = i64::try_from(keep.as_secs()).unwrap_or(i64::MAX);
                self.handle()
                    .run_command(doc! {
                        "collMod": Collection::MonitorHistory.name(),
                        "index": { "name": TTL_INDEX, "expireAfterSeconds": seconds },
                    })
                    .await?;
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Seconds the history's TTL index keeps a minute; `None` without one.
    pub async fn monitor_history_ttl(&self) -> Result<Option<u64>, DbError> {
        let mut cursor = self
            .collection(Collection::MonitorHistory)
            .list_indexes()
            .await?;
        while cursor.advance().await? {
            let index = cursor.deserialize_current()?;
            let options = index.options.unwrap_or_default();
            if options.name.as_deref() == Some(TTL_INDEX) {
                return Ok(options.expire_after.map(|d| d.as_secs()));
            }
        }
        Ok(None)
    }

    /// Stores one minute's tallies with one upsert.
    pub async fn keep_monitor_minute(&self, minute: &MonitorMinute) -> Result<(), DbError> {
        let entries: Vec<_> = minute
            .series
            .iter()
            .map(|(key, tally)| {
                doc! {
                    "k": key,
                    "s": tally.sum,
                    "n": i64::from(tally.count),
                    "x": tally.max,
                }
            })
            .collect();
        self.collection(Collection::MonitorHistory)
            .update_one(
                doc! { "_id": minute.minute_ms },
                doc! {
                    "$setOnInsert": { "at": DateTime::from_millis(minute.minute_ms) },
                    "$push": { "series": { "$each": entries } },
                },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    /// Calls `each` with every stored tally of the minutes from `from_ms`
    /// up to `to_ms` (excluded), oldest first, reading the documents as
    /// they arrive (never all at once). Returns the minutes read.
    pub async fn monitor_minutes(
        &self,
        from_ms: i64,
        to_ms: i64,
        mut each: impl FnMut(i64, &str, MinuteTally),
    ) -> Result<u64, DbError> {
        let mut cursor = self
            .handle()
            .collection::<RawDocumentBuf>(Collection::MonitorHistory.name())
            .find(doc! { "_id": { "$gte": from_ms, "$lt": to_ms } })
            .sort(doc! { "_id": 1 })
            .await?;
        let mut minutes = 0;
        while cursor.advance().await? {
            read_minute(cursor.current(), &mut each)?;
            minutes += 1;
        }
        Ok(minutes)
    }
}

fn read_minute(
    document: &RawDocument,
    each: &mut impl FnMut(i64, &str, MinuteTally),
) -> Result<(), DbError> {
    let shape = DbError::shape_of(Collection::MonitorHistory);
    let minute_ms = document.get_i64("_id").map_err(&shape)?;
    for entry in document.get_array("series").map_err(&shape)? {
        let entry = entry.map_err(DbError::shape_of(Collection::MonitorHistory))?;
        let entry = entry
            .as_document()
            .ok_or_else(|| DbError::shape(Collection::MonitorHistory, "a series entry"))?;
        let count = entry.get_i64("n").map_err(&shape)?;
        let tally = MinuteTally {
            sum: entry.get_f64("s").map_err(&shape)?,
            count: u32::try_from(count.max(0)).unwrap_or(u32::MAX),
            max: entry.get_f64("x").map_err(&shape)?,
        };
        each(minute_ms, entry.get_str("k").map_err(&shape)?, tally);
    }
    Ok(())
}
