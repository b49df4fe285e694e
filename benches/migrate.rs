//! `migrate` against issuing the same commands directly, on a large demo
//! database (1M tasks, 300k focus sessions, 100k users; `BENCH_SCALE`
//! scales it). Prints the median of each over the rounds: migrate right
//! after a dry run, as people run it (it reuses the dry run's duplicate
//! count; goal: at most 1.1 times the direct commands, exits non-zero
//! when missed), and migrate with nothing counted before it.

mod goals;
mod phase_0;
mod support;

use forest_runbook::db::{DemoDataSpec, Recount};
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::migration::{PHASE_0, migrate, plan, revert};
use goals::{exit_unless_all, within};
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
    let (mut direct, mut after_dry_run, mut cold, mut dry_runs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (time, ()) = timed(apply_directly(db)).await;
        direct.push(time);
        undo_directly(db).await;

        // As a release manager runs it: a dry run, then migrate, which
        // reuses the dry run's count of the duplicates.
        let (time, _) = timed(plan(db, &PHASE_0, &backups, Recount::Now)).await;
        dry_runs.push(time);
        let (time, run) = timed(migrate(db, &actor, &PHASE_0)).await;
        run.expect("migrate");
        after_dry_run.push(time);
        revert(db, &actor, &PHASE_0, db.name(), &backups)
            .await
            .expect("revert");

        // With no count since the revert: migrate counts first.
        let (time, run) = timed(migrate(db, &actor, &PHASE_0)).await;
        run.expect("migrate");
        cold.push(time);
        revert(db, &actor, &PHASE_0, db.name(), &backups)
            .await
            .expect("revert");
    }
    let [direct, after_dry_run, cold, dry_run] =
        [direct, after_dry_run, cold, dry_runs].map(median);
    println!(
        "createIndexes issued directly (median of {ROUNDS}): {}",
        seconds(direct)
    );
    println!(
        "migrate right after a dry run:                 {}",
        seconds(after_dry_run)
    );
    println!(
        "migrate with nothing counted before it:        {}   (ratio {:.2})",
        seconds(cold),
        cold.as_secs_f64() / direct.as_secs_f64()
    );
    println!(
        "the dry run before it:                         {}",
        seconds(dry_run)
    );
    let met = within(
        "ratio migrate after a dry run / direct",
        after_dry_run.as_secs_f64() / direct.as_secs_f64(),
        1.10,
    );
    server.stop().await;
    exit_unless_all(&[met]);
}
