//! The monitor's history: one document per minute and, so that a week
//! reads as cheaply as an hour, one per ten minutes folded from those
//! minutes. `_id` names the period (`1m/<start ms>`, `10m/<start ms>`);
//! `w` is its width and `t` its start in milliseconds (indexed together),
//! `at` its start as a date (the TTL index removes periods older than
//! `monitor.history_days`), and `series` one entry per series with the
//! sum, count and highest of its sampled values and the minutes they span.
//! A period is written once, by one upsert that pushes its entries, so a
//! second writer of the same period (the app restarted within it, or two
//! app instances) adds entries the reader merges, and never overwrites.

use super::error::codes;
use super::{Collection, Database, DbError};
use mongodb::IndexModel;
use mongodb::bson::{DateTime, RawDocument, RawDocumentBuf, doc};
use mongodb::options::IndexOptions;
use serde::Deserialize;
use std::time::Duration;

/// Name of the TTL index on `at`.
const TTL_INDEX: &str = "at_ttl";
/// An index of that name exists with other options or keys.
const INDEX_OPTIONS_CONFLICT: [i32; 2] = [
    codes::INDEX_OPTIONS_CONFLICT,
    codes::INDEX_KEY_SPECS_CONFLICT,
];

/// The sampled values of one series within one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tally {
    pub sum: f64,
    pub count: u32,
    pub max: f64,
    /// Minutes with samples in the period.
    pub minutes: u32,
}

impl Tally {
    /// Adds `other`'s samples to these.
    pub fn merge(&mut self, other: Tally) {
        self.sum += other.sum;
        self.count = self.count.saturating_add(other.count);
        self.max = self.max.max(other.max);
        self.minutes = self.minutes.saturating_add(other.minutes);
    }
}

/// One period of samples, every series' tally.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorPeriod {
    pub width_ms: i64,
    /// The period's start, in milliseconds since the epoch.
    pub start_ms: i64,
    pub series: Vec<(String, Tally)>,
}

impl Database {
    /// Creates the history's indexes: the TTL index, or changes its
    /// lifetime to `keep` when it exists with another (the setting
    /// changed), and the one reads go by; idempotent.
    pub async fn keep_monitor_history_for(&self, keep: Duration) -> Result<(), DbError> {
        let history = self.collection(Collection::MonitorHistory);
        let by_period = IndexModel::builder()
            .keys(doc! { "w": 1, "t": 1 })
            .options(IndexOptions::builder().name("w_t".to_owned()).build())
            .build();
        history.create_index(by_period).await?;
        let ttl = IndexModel::builder()
            .keys(doc! { "at": 1 })
            .options(
                IndexOptions::builder()
                    .name(TTL_INDEX.to_owned())
                    .expire_after(keep)
                    .build(),
            )
            .build();
        match history.create_index(ttl).await.map_err(DbError::from) {
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

    /// Seconds the history's TTL index keeps a period; `None` without one.
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

    /// Stores one period's tallies with one upsert.
    pub async fn keep_monitor_period(&self, period: &MonitorPeriod) -> Result<(), DbError> {
        let entries: Vec<_> = period
            .series
            .iter()
            .map(|(key, tally)| {
                doc! {
                    "k": key,
                    "s": tally.sum,
                    "n": i64::from(tally.count),
                    "x": tally.max,
                    "m": i64::from(tally.minutes),
                }
            })
            .collect();
        let id = format!("{}m/{}", period.width_ms / 60_000, period.start_ms);
        self.collection(Collection::MonitorHistory)
            .update_one(
                doc! { "_id": id },
                doc! {
                    "$setOnInsert": {
                        "w": period.width_ms,
                        "t": period.start_ms,
                        "at": DateTime::from_millis(period.start_ms),
                    },
                    "$push": { "series": { "$each": entries } },
                },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    /// Calls `each` with every stored tally of the periods `width_ms` wide
    /// that start from `from_ms` up to `to_ms` (excluded), oldest first,
    /// reading the documents as they arrive (never all at once). Returns
    /// the periods read.
    pub async fn monitor_periods(
        &self,
        width_ms: i64,
        from_ms: i64,
        to_ms: i64,
        mut each: impl FnMut(i64, &str, Tally),
    ) -> Result<u64, DbError> {
        let mut cursor = self
            .handle()
            .collection::<RawDocumentBuf>(Collection::MonitorHistory.name())
            .find(doc! { "w": width_ms, "t": { "$gte": from_ms, "$lt": to_ms } })
            .sort(doc! { "w": 1, "t": 1 })
            .await?;
        let mut periods = 0;
        while cursor.advance().await? {
            read_period(cursor.current(), &mut each)?;
            periods += 1;
        }
        Ok(periods)
    }
}

/// A period as stored, read straight from the server's bytes with its
/// series keys borrowed from them (`w`, `at` and `_id` are the query's
/// and the TTL index's, never read here).
#[derive(Debug, Deserialize)]
struct PeriodDocument<'a> {
    t: i64,
    #[serde(borrow)]
    series: Vec<SeriesDocument<'a>>,
}

/// One series' entry of a stored period: its key, then the sum, count,
/// highest and minutes of its samples.
#[derive(Debug, Deserialize)]
struct SeriesDocument<'a> {
    k: &'a str,
    s: f64,
    n: i64,
    x: f64,
    m: i64,
}

impl From<&SeriesDocument<'_>> for Tally {
    /// Counts are never negative nor beyond a `u32`, whatever is stored.
    fn from(entry: &SeriesDocument<'_>) -> Self {
        let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        Tally {
            sum: entry.s,
            count: count(entry.n),
            max: entry.x,
            minutes: count(entry.m),
        }
    }
}

fn read_period(
    document: &RawDocument,
    each: &mut impl FnMut(i64, &str, Tally),
) -> Result<(), DbError> {
    let period: PeriodDocument<'_> = mongodb::bson::from_slice(document.as_bytes())
        .map_err(DbError::shape_of(Collection::MonitorHistory))?;
    for entry in &period.series {
        each(period.t, entry.k, Tally::from(entry));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::Document;

    fn tallies(document: Document) -> Result<Vec<(i64, String, Tally)>, DbError> {
        let raw = RawDocumentBuf::from_document(&document).expect("raw");
        let mut read = Vec::new();
        read_period(&raw, &mut |start, key, tally| {
            read.push((start, key.to_owned(), tally));
        })?;
        Ok(read)
    }

    #[test]
    fn a_stored_period_reads_every_entry_with_its_counts_kept_in_range() {
        let read = tallies(doc! {
            "_id": "1m/60000", "w": 60_000_i64, "t": 60_000_i64,
            "at": DateTime::from_millis(60_000),
            "series": [
                { "k": "ops/query", "s": 3.5, "n": 2_i64, "x": 2.0, "m": 1_i64 },
                { "k": "ops/query", "s": 1.0, "n": -4_i64, "x": 1.0, "m": 1_i64 << 40 },
            ],
        })
        .expect("a period");
        assert_eq!(read.len(), 2);
        assert_eq!((read[0].0, read[0].1.as_str()), (60_000, "ops/query"));
        assert_eq!(
            read[0].2,
            Tally {
                sum: 3.5,
                count: 2,
                max: 2.0,
                minutes: 1
            }
        );
        assert_eq!((read[1].2.count, read[1].2.minutes), (0, u32::MAX));
    }

    #[test]
    fn a_period_of_another_shape_is_refused_by_name() {
        for document in [
            doc! { "t": 0_i64 },
            doc! { "t": "now", "series": [] },
            doc! { "t": 0_i64, "series": [7] },
            doc! { "t": 0_i64, "series": [{ "k": "a", "s": "much", "n": 1_i64, "x": 1.0, "m": 1_i64 }] },
        ] {
            let refused = tallies(document);
            assert!(refused.is_err_and(|e| e.is_shape_of(Collection::MonitorHistory)));
        }
    }
}
