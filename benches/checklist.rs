//! The Checklist and the Runbook as 20 people read them, on a large demo
//! database (1M tasks, 300k focus sessions, 100k users; `BENCH_SCALE`
//! scales it). Each person reads one page and then the other, four times
//! a second, for a little longer than a duplicate count is kept, so that
//! one count made again in the background falls among the reads. Prints
//! p50 and p99 of every read (goal: p99 at most 50 ms; exits non-zero when
//! missed) against the first checklist read, which counts the duplicates
//! as every checklist read did before the count was kept.

mod goals;
mod support;

use forest_runbook::config::{ProcessEnv, Settings};
use forest_runbook::db::{Database, DemoDataSpec};
use forest_runbook::forest::LogWatcher;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::checklist::{Watched, checklist};
use forest_runbook::ops::duplicates::RECOUNT_AFTER;
use forest_runbook::ops::migration::{PHASE_0, overview};
use goals::{exit_unless_all, within};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use support::{Server, median, scaled, seconds, timed};

const PEOPLE: usize = 20;
const EVERY: Duration = Duration::from_millis(250);
const GOAL: Duration = Duration::from_millis(50);

/// One person's reads for `until`: how long each took, and the times of
/// the duplicate counts the checklist showed.
async fn person(
    db: &Database,
    watched: Watched<'_>,
    until: Instant,
) -> (Vec<Duration>, BTreeSet<String>) {
    let (mut took, mut counts) = (Vec::new(), BTreeSet::new());
    let mut ticker = tokio::time::interval(EVERY);
    while Instant::now() < until {
        ticker.tick().await;
        let (time, list) = timed(checklist(db, &PHASE_0, watched)).await;
        counts.insert(list.expect("checklist").readiness.duplicates_counted_at);
        took.push(time);
        let (time, runbook) = timed(overview(db, &PHASE_0)).await;
        runbook.expect("runbook");
        took.push(time);
    }
    (took, counts)
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
    let watched = Watched {
        logs: &logs,
        backups: &backups,
    };

    let (first, list) = timed(checklist(db, &PHASE_0, watched)).await;
    list.expect("checklist");
    let until = Instant::now() + RECOUNT_AFTER + Duration::from_secs(15);
    let everyone = (0..PEOPLE).map(|_| person(db, watched, until));
    let (mut took, mut counts) = (Vec::new(), BTreeSet::new());
    for (times, seen) in futures::future::join_all(everyone).await {
        took.extend(times);
        counts.extend(seen);
    }
    took.sort();
    let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    let (p50, p99) = (median(took.clone()), at(0.99));
    println!(
        "first checklist read, counting the duplicates: {}",
        seconds(first)
    );
    println!(
        "{} reads by {PEOPLE} people over {} s, {} duplicate counts shown",
        took.len(),
        (RECOUNT_AFTER + Duration::from_secs(15)).as_secs(),
        counts.len()
    );
    println!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; p99 / first read {:.3}",
        millis(p50),
        millis(p99),
        millis(took[took.len() - 1]),
        p99.as_secs_f64() / first.as_secs_f64()
    );
    let met = within(
        "p99 read / 50 ms goal",
        p99.as_secs_f64() / GOAL.as_secs_f64(),
        1.0,
    );
    server.stop().await;
    exit_unless_all(&[met]);
}
