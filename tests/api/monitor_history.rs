//! The monitor's history against a real server: the collection is bounded
//! by a TTL index of the configured days, the sampler writes each minute
//! once per series (never per sample), and the minutes outlive the Monitor
//! that wrote them.

use crate::helpers::{raw, test_db};
use forest_runbook::db::{Database, Tally};
use forest_runbook::model::{HistoryRange, Sample};
use forest_runbook::monitor::Monitor;
use forest_runbook::ops::history::{self, MINUTE_MS, Minutes, TEN_MINUTES_MS};
use mongodb::bson::{Document, doc};
use std::collections::BTreeMap;
use std::time::Duration;

const TENTH: Duration = Duration::from_millis(100);
const HOUR: Duration = Duration::from_secs(3_600);
const DAY_MS: i64 = 86_400_000;

/// Runs a sampler every 100 ms for at least `rounds` rounds, then stops
/// it; answers the rounds it made, every one of them stored.
async fn sample_then_close(db: &Database, keep: Duration, rounds: u64) -> u64 {
    let monitor = Monitor::start(
        db.clone(),
        forest_runbook::ops::migration::current(),
        TENTH,
        HOUR,
        keep,
    );
    tokio::time::timeout(Duration::from_secs(30), async {
        while monitor.rounds() < rounds {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the sampler samples");
    monitor.stopped().await;
    let sampled = monitor.rounds();
    let stored: u32 = stored_counts(db, "connections/current")
        .await
        .values()
        .sum();
    assert_eq!(
        u64::from(stored),
        sampled,
        "once stopped, the sampler has stored its unfinished minute"
    );
    sampled
}

/// Per stored minute, how many samples of `series` it holds.
async fn stored_counts(db: &Database, series: &str) -> BTreeMap<i64, u32> {
    let mut counts = BTreeMap::new();
    db.monitor_periods(MINUTE_MS, 0, i64::MAX, |minute, key, tally| {
        if key == series {
            *counts.entry(minute).or_default() += tally.count;
        }
    })
    .await
    .expect("read the history");
    counts
}

/// The stored documents of periods `width_ms` wide.
async fn documents(db: &Database, width_ms: i64) -> Vec<Document> {
    let mut cursor = raw(db)
        .await
        .collection::<Document>("runbook_monitor_history")
        .find(doc! { "w": width_ms })
        .await
        .expect("find");
    let mut all = Vec::new();
    while cursor.advance().await.expect("advance") {
        all.push(cursor.deserialize_current().expect("document"));
    }
    all
}

#[tokio::test]
async fn the_history_is_bounded_by_a_ttl_index_of_the_configured_days() {
    let db = test_db("history_ttl").await;
    let three_days = Duration::from_secs(3 * 86_400);
    sample_then_close(&db, three_days, 3).await;
    assert_eq!(
        db.monitor_history_ttl().await.expect("indexes"),
        Some(3 * 86_400)
    );
    // The setting changed: the same index now keeps a day.
    db.keep_monitor_history_for(Duration::from_secs(86_400))
        .await
        .expect("change the lifetime");
    assert_eq!(
        db.monitor_history_ttl().await.expect("indexes"),
        Some(86_400)
    );
    // Each document carries the date the TTL index reads: its start.
    for width in [MINUTE_MS, TEN_MINUTES_MS] {
        let stored = documents(&db, width).await;
        assert!(!stored.is_empty(), "periods of {width} ms");
        for document in stored {
            let at = document.get_datetime("at").expect("a date");
            assert_eq!(at.timestamp_millis(), document.get_i64("t").expect("start"));
            assert_eq!(at.timestamp_millis() % width, 0);
        }
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_sampler_writes_each_series_once_a_minute_not_once_a_sample() {
    let db = test_db("history_once_a_minute").await;
    let sampled = sample_then_close(&db, HOUR, 12).await;
    let all = documents(&db, MINUTE_MS).await;
    // Twelve samples 100 ms apart fall in one minute, or two across a
    // minute's end: never one document per sample.
    assert!((1..=2).contains(&all.len()), "{} documents", all.len());
    assert!((1..=2).contains(&documents(&db, TEN_MINUTES_MS).await.len()));
    for document in &all {
        let keys: Vec<&str> = document
            .get_array("series")
            .expect("series")
            .iter()
            .map(|entry| {
                entry
                    .as_document()
                    .expect("entry")
                    .get_str("k")
                    .expect("key")
            })
            .collect();
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len(), "one entry per series: {keys:?}");
        assert!(keys.contains(&"connections/current"));
    }
    let counted: u32 = stored_counts(&db, "connections/current")
        .await
        .values()
        .sum();
    assert_eq!(u64::from(counted), sampled, "every sample counted once");
    db.drop_database().await.expect("drop");
}

fn sample(seq: u64, at_ms: i64, inserts: f64) -> Sample {
    Sample {
        seq,
        at_ms,
        values: BTreeMap::from([
            ("ops/insert".to_owned(), inserts),
            ("connections/current".to_owned(), 5.0),
        ]),
        unavailable: BTreeMap::new(),
        migration: Err("not read".to_owned()),
    }
}

#[tokio::test]
async fn synthetic_minutes_are_stored_once_and_read_back_downsampled() {
    let db = test_db("history_synthetic").await;
    let now_ms = history::now_ms();
    let start = history::minute_of(now_ms) - 3 * MINUTE_MS;
    let mut minutes = Minutes::default();
    // Three minutes of samples every 2 s: insert rate n in the n-th sample.
    let mut stored = 0;
    for n in 0..90 {
        let at_ms = start + i64::try_from(n).expect("small") * 2_000;
        for period in minutes.add(&sample(n + 1, at_ms, n as f64)) {
            db.keep_monitor_period(&period).await.expect("store");
            stored += u32::from(period.width_ms == MINUTE_MS);
        }
    }
    for period in minutes.take() {
        db.keep_monitor_period(&period).await.expect("store");
    }
    assert_eq!(stored, 2, "a minute is stored when the next begins");
    assert_eq!(documents(&db, MINUTE_MS).await.len(), 3);
    let mut tallies: Vec<(i64, Tally)> = Vec::new();
    let minutes_from = start..start + 3 * MINUTE_MS;
    db.monitor_periods(
        MINUTE_MS,
        minutes_from.start,
        minutes_from.end,
        |minute, key, tally| {
            if key == "ops/insert" {
                tallies.push((minute, tally));
            }
        },
    )
    .await
    .expect("read");
    // Minute m holds samples 30m .. 30m + 29: sum 30·30m + 435, peak 30m + 29.
    let expected: Vec<(i64, Tally)> = (0..3)
        .map(|m: i64| {
            let first = 30.0 * m as f64;
            (
                start + m * MINUTE_MS,
                Tally {
                    sum: 30.0 * first + 435.0,
                    count: 30,
                    max: first + 29.0,
                    minutes: 1,
                },
            )
        })
        .collect();
    assert_eq!(tallies, expected);

    // Read back over the last day, by ten minutes (and the minutes of the
    // last, unfinished ten): the three minutes that share one point
    // average to the mean of all 90 samples, or split across two points.
    let day = history::read(
        &db,
        forest_runbook::ops::migration::current(),
        HistoryRange::Day,
        now_ms,
        7,
    )
    .await
    .expect("history");
    assert_eq!(day.step_secs, 600);
    let points = &day.series["ops/insert"];
    let samples: f64 = points.len() as f64;
    assert!(samples <= 2.0);
    if points.len() == 1 {
        assert_eq!(points[0].value, (0..90).sum::<i32>() as f64 / 90.0);
    }
    assert!(
        day.series["connections/current"]
            .iter()
            .all(|p| p.value == 5.0)
    );
    assert!((DAY_MS..DAY_MS + TEN_MINUTES_MS).contains(&(day.span.to_ms - day.span.from_ms)));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_history_outlives_the_monitor_that_wrote_it() {
    let db = test_db("history_restart").await;
    let sampled = sample_then_close(&db, HOUR, 4).await;
    // A restart: a new Monitor on the same database, the old one gone.
    let after_restart = Monitor::start(
        db.clone(),
        forest_runbook::ops::migration::current(),
        TENTH,
        HOUR,
        HOUR,
    );
    let day = history::read(
        &db,
        forest_runbook::ops::migration::current(),
        HistoryRange::Day,
        history::now_ms(),
        7,
    )
    .await
    .expect("history");
    let connections = &day.series["connections/current"];
    assert!(!connections.is_empty());
    assert!(connections.iter().all(|p| p.value >= 1.0));
    assert!(sampled >= 4);
    after_restart.close();
    db.drop_database().await.expect("drop");
}

/// A migrate run of Phase 0 that started and ended at these times (ms).
async fn migrate_run(db: &Database, started_ms: i64, finished_ms: i64) {
    raw(db)
        .await
        .collection::<Document>("runbook_changelog")
        .insert_one(doc! {
            "migration": "add_mobile_sync_support",
            "kind": "migrate",
            "state": "applied",
            "checksum": "test",
            "startedBy": "test",
            "startedAt": mongodb::bson::DateTime::from_millis(started_ms),
            "finishedAt": mongodb::bson::DateTime::from_millis(finished_ms),
            "changes": [],
        })
        .await
        .expect("a migrate run");
}

/// Stores one minute of `ops/insert` at `value` (30 samples, peak + 1).
async fn keep_minute(db: &Database, start_ms: i64, value: f64) {
    let tally = Tally {
        sum: value * 30.0,
        count: 30,
        max: value + 1.0,
        minutes: 1,
    };
    db.keep_monitor_period(&forest_runbook::db::MonitorPeriod {
        width_ms: MINUTE_MS,
        start_ms,
        series: vec![("ops/insert".to_owned(), tally)],
    })
    .await
    .expect("store");
}

#[tokio::test]
async fn the_comparison_sets_the_hour_before_the_migration_against_the_hour_after() {
    let db = test_db("history_compare").await;
    let now_ms = history::minute_of(history::now_ms());
    let started = now_ms - 150 * MINUTE_MS;
    let finished = now_ms - 120 * MINUTE_MS;
    migrate_run(&db, started, finished).await;
    // Before: 60 minutes at 10/s; during the run: 1 000/s (in neither
    // side); after: 30 minutes at 4/s and 30 at 8/s, and later minutes
    // outside the hour at 500/s.
    for m in 1..=60 {
        keep_minute(&db, started - m * MINUTE_MS, 10.0).await;
    }
    for m in 0..30 {
        keep_minute(&db, started + m * MINUTE_MS, 1_000.0).await;
    }
    for m in 0..60 {
        let value = if m < 30 { 4.0 } else { 8.0 };
        keep_minute(&db, finished + m * MINUTE_MS, value).await;
    }
    for m in 60..100 {
        keep_minute(&db, finished + m * MINUTE_MS, 500.0).await;
    }
    let compared = history::read(
        &db,
        forest_runbook::ops::migration::current(),
        HistoryRange::Compare,
        now_ms,
        7,
    )
    .await
    .expect("history");
    let comparison = compared.comparison.expect("a comparison");
    assert!(comparison.finished);
    assert_eq!(comparison.before.from_ms, started - 60 * MINUTE_MS);
    assert_eq!(comparison.after.to_ms, finished + 60 * MINUTE_MS);
    let row = &comparison.rows[0];
    assert_eq!(row.series, "ops/insert");
    assert_eq!(row.before.map(|s| (s.value, s.peak)), Some((10.0, 11.0)));
    // (30·4 + 30·8) / 60 = 6; the peak is 8 + 1.
    assert_eq!(row.after.map(|s| (s.value, s.peak)), Some((6.0, 9.0)));

    // Since the deployment started: from the run's start, so the minutes
    // before it are left out.
    let since = history::read(
        &db,
        forest_runbook::ops::migration::current(),
        HistoryRange::Deployment,
        now_ms,
        7,
    )
    .await
    .expect("history");
    assert_eq!(since.span.from_ms, started);
    let points = &since.series["ops/insert"];
    assert_eq!(points.first().map(|p| p.value), Some(1_000.0));
    assert_eq!(points.len(), 130, "one point a minute, 130 minutes");
    db.drop_database().await.expect("drop");
}
