//! The Checklist and the Runbook as 20 people read them, on a large demo
//! database (1M tasks, 300k focus sessions, 100k users; `BENCH_SCALE`
//! scales it). Each person reads one page and then the other every
//! `CHANGES_EVERY`, all at the same moment, as their pages do when the
//! change watcher announces a change, for a little longer than a duplicate
//! count is kept, so that one count made again in the background falls
//! among the reads. Prints
//! p50 and p99 of every read (goal: p99 at most 50 ms; exits non-zero when
//! missed) against the first checklist read, which counts the duplicates
//! as every checklist read did before the count was kept.

mod goals;
mod support;

use forest_runbook::changes::CHANGES_EVERY;
use forest_runbook::config::{ProcessEnv, Settings};
use forest_runbook::db::{Database, DemoDataSpec};
use forest_runbook::forest::LogWatcher;
use forest_runbook::model::RECOUNT_AFTER;
use forest_runbook::ops::Coalesced;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::checklist::{Watched, checklist};
use forest_runbook::ops::migration::{PHASE_0, overview};
use goals::{exit_unless_all, within};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{Server, median, scaled, seconds, timed};

const PEOPLE: usize = 20;
const GOAL: Duration = Duration::from_millis(50);
const SETTLE: Duration = Duration::from_secs(30);

/// How long one person's reads took, page by page, and the times of the
/// duplicate counts the checklist showed.
#[derive(Default)]
struct Reads {
    checklist: Vec<Duration>,
    runbook: Vec<Duration>,
    counts: BTreeSet<String>,
}

/// One person's reads until `until`.
async fn person(
    db: &Database,
    watched: Watched<'_>,
    (start, until): (tokio::time::Instant, Instant),
) -> Reads {
    let mut reads = Reads::default();
    let mut ticker = tokio::time::interval_at(start, CHANGES_EVERY);
    while Instant::now() < until {
        ticker.tick().await;
        let (time, list) = timed(checklist(db, &PHASE_0, watched)).await;
        let counted = list.expect("checklist").readiness.duplicates_counted_at;
        reads.counts.insert(counted);
        reads.checklist.push(time);
        let (time, runbook) = timed(overview(db, &PHASE_0)).await;
        runbook.expect("runbook");
        reads.runbook.push(time);
    }
    reads
}

/// Prints p50, p99 and the slowest of `times`; returns p99.
fn spread(page: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let p99 = times[((times.len() as f64 * 0.99) as usize).min(times.len() - 1)];
    println!(
        "{page:<9} {} reads: p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms",
        times.len(),
        millis(median(times.clone())),
        millis(p99),
        millis(times[times.len() - 1]),
    );
    p99
}

fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1_000.0
}

#[tokio::main]
async fn main() {
    let server = Server::start("bench_checklist").await;
    println!("secantusd-rs at {}", server.uri);
    let db = &server.db;
    let spec = DemoDataSpec {
        users: scaled(100_000),
        tasks: scaled(1_000_000),
        sessions: scaled(300_000),
        messy: false,
        seed: 11,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    db.prepare_app_collections().await.expect("app collections");
    // The server is still busy with the bulk load for a while (reads alone
    // take ten times as long): the pages of a database in use are measured.
    tokio::time::sleep(SETTLE).await;
    println!(
        "demo database: {} users, {} tasks, {} focus sessions",
        spec.users, spec.tasks, spec.sessions
    );
    let mut logs = Settings::load(Path::new("Leptos.toml"), &ProcessEnv)
        .expect("settings")
        .forest_logs;
    logs.checkout = PathBuf::new();
    let logs = LogWatcher::new(&logs);
    let folder = tempfile::tempdir().expect("backups folder");
    let backups = BackupStore::new(folder.path(), 0, Duration::from_secs(86_400));
    let reads = Coalesced::default();
    let watched = Watched {
        logs: &logs,
        backups: &backups,
        reads: &reads,
    };

    let (first, list) = timed(checklist(db, &PHASE_0, watched)).await;
    list.expect("checklist");
    let before = db.driver_tally().commands;
    let (alone, list) = timed(checklist(db, &PHASE_0, watched)).await;
    list.expect("checklist");
    let sent: Vec<String> = db
        .driver_tally()
        .commands
        .into_iter()
        .filter_map(|(name, totals)| {
            let more = totals.started - before.get(&name).map_or(0, |t| t.started);
            (more > 0).then(|| format!("{name} x{more}"))
        })
        .collect();
    println!(
        "one checklist read alone: {:.1} ms, sending {}",
        millis(alone),
        sent.join(", ")
    );
    let measured_for = RECOUNT_AFTER + Duration::from_secs(15);
    let until = Instant::now() + measured_for;
    let start = tokio::time::Instant::now();
    let everyone = (0..PEOPLE).map(|_| person(db, watched, (start, until)));
    let mut all = Reads::default();
    for reads in futures::future::join_all(everyone).await {
        all.checklist.extend(reads.checklist);
        all.runbook.extend(reads.runbook);
        all.counts.extend(reads.counts);
    }
    println!(
        "first checklist read, counting the duplicates: {}",
        seconds(first)
    );
    println!(
        "{PEOPLE} people over {} s, {} duplicate counts shown",
        measured_for.as_secs(),
        all.counts.len()
    );
    let p99 = spread("checklist", all.checklist).max(spread("runbook", all.runbook));
    println!(
        "slower p99 / first read {:.3}",
        p99.as_secs_f64() / first.as_secs_f64()
    );
    let met = within(
        "slower p99 read / 50 ms goal",
        p99.as_secs_f64() / GOAL.as_secs_f64(),
        1.0,
    );
    server.stop().await;
    exit_unless_all(&[met]);
}
