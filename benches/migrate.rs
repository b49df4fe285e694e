//! `migrate` against issuing the same commands directly, on a large demo
//! database (1M tasks, 300k focus sessions, 100k users; `BENCH_SCALE`
//! scales it). Prints the median of each over the rounds and their ratio
//! (goal: at most 1.1), and the preflight's share of migrate's time.

mod phase_0;
mod support;

use forest_runbook::db::DemoDataSpec;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::migration::{PHASE_0, migrate, plan, revert};
use phase_0::{apply_directly, undo_directly};
use std::time::Duration;
use support::{Server, median, scaled, seconds, timed};

const ROUNDS: usize = 3;

#[tokio::main]
async fn main() {
    let server = Server::start("bench_migrate").await;
    println!("secantusd-rs at {}", server.uri);
    let db = &server.db;
    let spec = DemoDataSpec {
        users: scaled(100_000),
        tasks: scaled(1_000_000),
        sessions: scaled(300_000),
        messy: false,
        seed: 7,
    };
    let (loading, _) = timed(db.write_demo_data(spec, false)).await;
    println!(
        "demo database: {} users, {} tasks, {} focus sessions, written in {}",
        spec.users,
        spec.tasks,
        spec.sessions,
        seconds(loading)
    );
    db.prepare_app_collections().await.expect("app collections");
    let folder = tempfile::tempdir().expect("backups folder");
    let backups = BackupStore::new(folder.path(), 0, Duration::from_secs(86_400));
    let actor = Actor::Cli("bench".into());
    let (mut direct, mut through_runbook, mut preflight) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (time, ()) = timed(apply_directly(db)).await;
        direct.push(time);
        undo_directly(db).await;

        let (time, _) = timed(plan(db, &PHASE_0, &backups)).await;
        preflight.push(time);
        let (time, run) = timed(migrate(db, &actor, &PHASE_0)).await;
        run.expect("migrate");
        through_runbook.push(time);
        revert(db, &actor, &PHASE_0, db.name(), &backups)
            .await
            .expect("revert");
    }
    let (direct, through_runbook, preflight) =
        (median(direct), median(through_runbook), median(preflight));
    println!(
        "createIndexes issued directly (median of {ROUNDS}): {}",
        seconds(direct)
    );
    println!(
        "migrate (median of {ROUNDS}):                      {}",
        seconds(through_runbook)
    );
    println!(
        "  of which a dry run's worth of preflight:       {}",
        seconds(preflight)
    );
    println!(
        "ratio migrate / direct: {:.2} (goal <= 1.10)",
        through_runbook.as_secs_f64() / direct.as_secs_f64()
    );
    server.stop().await;
}
