//! The Monitor page's history read on 7 days of kept periods (10 080
//! minute and 1 008 ten-minute documents of 26 series each, as the sampler
//! writes them; `BENCH_SCALE` scales the days), against a bare `find` of
//! the same documents the read takes. The read is what the page's first
//! render asks of the server for "since the deployment started" (a migrate
//! run 7 days ago): the range's ten-minute periods and the last minutes,
//! folded into at most 300 points per series. Goal: at most 100 ms; prints
//! the medians and their ratio, and exits non-zero when the goal is missed.

mod support;

use forest_runbook::db::{MonitorPeriod, Tally};
use forest_runbook::model::{HistoryRange, MAX_POINTS};
use forest_runbook::ops::history::{self, MINUTE_MS, TEN_MINUTES_MS};
use mongodb::bson::{DateTime, Document, RawDocumentBuf, doc};
use std::time::Duration;
use support::{Server, median, scaled, seconds, timed};

const ROUNDS: usize = 5;
const GOAL: Duration = Duration::from_millis(100);

/// The series one sampler writes against one server, as the live app names them.
fn series_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "connections/current",
        "connections/available",
        "ops/insert",
        "ops/query",
        "ops/update",
        "ops/delete",
        "ops/getmore",
        "ops/command",
        "latency/reads",
        "latency/writes",
        "latency/commands",
        "devices/total",
        "devices/new",
        "sync/tasks_with_client_id",
        "sync/sessions_with_client_id",
        "sync/users_synced",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for name in ["in_use", "idle", "waiting", "checkout_failures"] {
        keys.push(format!("pool/127.0.0.1:27017/{name}"));
    }
    for name in [
        "find",
        "aggregate",
        "update",
        "insert",
        "serverStatus",
        "ping",
    ] {
        keys.push(format!("commands/{name}"));
    }
    keys
}

/// A minute as the sampler folds it: 30 samples a series.
fn minute(start_ms: i64, keys: &[String]) -> MonitorPeriod {
    let wave = (start_ms / MINUTE_MS % 97) as f64;
    let series = keys
        .iter()
        .enumerate()
        .map(|(n, key)| {
            let level = wave + n as f64;
            let tally = Tally {
                sum: level * 30.0,
                count: 30,
                max: level + 3.0,
                minutes: 1,
            };
            (key.clone(), tally)
        })
        .collect();
    MonitorPeriod {
        width_ms: MINUTE_MS,
        start_ms,
        series,
    }
}

/// The document the sampler's upsert leaves for `period`.
fn stored(period: &MonitorPeriod) -> Document {
    let series: Vec<Document> = period
        .series
        .iter()
        .map(|(k, t)| doc! { "k": k, "s": t.sum, "n": i64::from(t.count), "x": t.max, "m": i64::from(t.minutes) })
        .collect();
    doc! {
        "_id": format!("{}m/{}", period.width_ms / MINUTE_MS, period.start_ms),
        "w": period.width_ms,
        "t": period.start_ms,
        "at": DateTime::from_millis(period.start_ms),
        "series": series,
    }
}

#[tokio::main]
async fn main() {
    let server = Server::start("bench_history").await;
    let client = mongodb::Client::with_uri_str(&server.uri)
        .await
        .expect("client");
    let raw = client.database(server.db.name());
    let now_ms = history::now_ms();
    let minutes = scaled(7 * 1_440);
    let first = history::minute_of(now_ms) - i64::try_from(minutes).expect("minutes") * MINUTE_MS;
    let keys = series_keys();

    // The TTL index the sampler makes, then the minutes, then a migrate run
    // that started when they begin: the deployment's range covers them all.
    // (Eight days, so that the server's TTL pass removes none of the oldest
    // minutes while the bench runs.)
    server
        .db
        .keep_monitor_history_for(Duration::from_secs(8 * 86_400))
        .await
        .expect("TTL index");
    let (loading, ()) = timed(async {
        let mut tens = history::Periods::new(TEN_MINUTES_MS);
        let mut documents = Vec::new();
        for m in 0..minutes {
            let period = minute(first + i64::try_from(m).expect("minute") * MINUTE_MS, &keys);
            let tallies = period.series.iter().map(|(k, t)| (k.as_str(), *t));
            documents.extend(tens.add(period.start_ms, tallies).as_ref().map(stored));
            documents.push(stored(&period));
        }
        for batch in documents.chunks(1_000) {
            raw.collection::<Document>("runbook_monitor_history")
                .insert_many(batch)
                .await
                .expect("insert minutes");
        }
    })
    .await;
    raw.collection::<Document>("runbook_changelog")
        .insert_one(doc! {
            "migration": "add_mobile_sync_support",
            "kind": "migrate",
            "state": "applied",
            "checksum": "bench",
            "startedBy": "bench",
            "startedAt": DateTime::from_millis(first),
            "finishedAt": DateTime::from_millis(first + MINUTE_MS),
            "changes": [],
        })
        .await
        .expect("a migrate run");
    println!(
        "{minutes} minutes and their ten minutes, {} series each, written in {}",
        keys.len(),
        seconds(loading)
    );

    // The documents the read takes: the ten minutes before the last
    // twenty minutes, the minutes after.
    let last_ten = now_ms.div_euclid(TEN_MINUTES_MS) * TEN_MINUTES_MS - TEN_MINUTES_MS;
    let bare = || async {
        let mut documents = 0_u64;
        for (width, from, to) in [
            (TEN_MINUTES_MS, first, last_ten),
            (MINUTE_MS, last_ten, now_ms),
        ] {
            let mut cursor = raw
                .collection::<RawDocumentBuf>("runbook_monitor_history")
                .find(doc! { "w": width, "t": { "$gte": from, "$lt": to } })
                .sort(doc! { "w": 1, "t": 1 })
                .await
                .expect("find");
            while cursor.advance().await.expect("advance") {
                documents += u64::from(!cursor.current().as_bytes().is_empty());
            }
        }
        documents
    };
    let read = |range| {
        history::read(
            &server.db,
            forest_runbook::ops::migration::current(),
            range,
            now_ms,
            7,
        )
    };
    let (mut bare_times, mut read_times, mut day_times, mut compare_times) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (took, documents) = timed(bare()).await;
        assert!(documents > 0, "the bare find reads the range");
        bare_times.push(took);
        let (took, history) = timed(read(HistoryRange::Deployment)).await;
        let history = history.expect("history");
        assert_eq!(history.series.len(), keys.len());
        assert!(history.series.values().all(|p| p.len() <= MAX_POINTS));
        read_times.push(took);
        day_times.push(timed(read(HistoryRange::Day)).await.0);
        compare_times.push(timed(read(HistoryRange::Compare)).await.0);
    }
    let (bare, read) = (median(bare_times), median(read_times));
    println!("bare find of the same documents: {}", seconds(bare));
    println!(
        "history since the deployment started (7 days, <= {MAX_POINTS} points a series): {}",
        seconds(read)
    );
    println!("the last 24 hours: {}", seconds(median(day_times)));
    println!(
        "before/after the migration: {}",
        seconds(median(compare_times))
    );
    println!(
        "ratio history / bare find: {:.2}; history read {:.1} ms (goal <= {} ms)",
        read.as_secs_f64() / bare.as_secs_f64(),
        read.as_secs_f64() * 1_000.0,
        GOAL.as_millis()
    );
    server.stop().await;
    if read > GOAL {
        eprintln!(
            "goal missed: the 7-day history read took more than {} ms",
            GOAL.as_millis()
        );
        std::process::exit(1);
    }
}
