//! A backup sizes itself without scanning what the backup before it
//! already measured, and stops at the disk's reserve when the data has
//! outgrown that estimate, recorded as failed and never offered for
//! restore.

use crate::backup::{cli, demo, store_in, take};
use crate::helpers::raw;
use forest_runbook::model::{BackupState, JobState};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::backup::{self, BackupError, BackupStore, Jobs};
use mongodb::bson::doc;
use std::path::Path;
use std::time::Duration;

fn counts_sent(db: &forest_runbook::db::Database) -> u64 {
    db.driver_tally()
        .commands
        .get("count")
        .map_or(0, |totals| totals.started)
}

#[tokio::test]
async fn a_backup_after_another_counts_only_the_collections_new_since() {
    let db = demo("room_counts", 60).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let before = counts_sent(&db);
    let first = take(&db, &store, false).await;
    assert_eq!(
        counts_sent(&db) - before,
        first.collections.len() as u64,
        "the first backup counts every collection"
    );

    let devices = raw(&db).await.collection("devices");
    devices
        .insert_many([doc! { "deviceId": "a" }, doc! { "deviceId": "b" }])
        .await
        .expect("devices");
    let before = counts_sent(&db);
    let second = take(&db, &store, false).await;
    assert_eq!(
        counts_sent(&db) - before,
        1,
        "only devices, which the first backup does not hold, is counted"
    );
    assert_eq!(second.count_of("devices"), Some(2));
    assert_eq!(second.count_of("tasks"), first.count_of("tasks"));
    db.drop_database().await.expect("drop");
}

fn available(dir: &Path) -> u64 {
    let stats = nix::sys::statvfs::statvfs(dir).expect("statvfs");
    stats
        .blocks_available()
        .saturating_mul(stats.fragment_size())
}

#[tokio::test]
async fn a_backup_that_outgrows_its_estimate_stops_at_the_disk_reserve() {
    let db = demo("room_reserve", 20).await;
    let dir = tempfile::tempdir().expect("dir");
    take(&db, &store_in(dir.path()), false).await;
    // 24 MB of notes the first backup never saw, in 1200 tasks of 20 kB.
    let note = "n".repeat(20_000);
    let tasks: Vec<_> = (0..1_200)
        .map(|i| doc! { "title": format!("grown {i}"), "note": &note })
        .collect();
    raw(&db)
        .await
        .collection("tasks")
        .insert_many(tasks)
        .await
        .expect("grow");

    // The estimate (from the first backup) fits with 12 MB to spare; the
    // data does not.
    let reserve = available(dir.path()).saturating_sub(12 * 1024 * 1024);
    let store = BackupStore::new(dir.path().join("backups"), reserve, Duration::ZERO);
    let jobs = Jobs::new(db.clone());
    let error = backup::backup(&db, &store, &jobs, &cli(), false)
        .await
        .expect_err("the reserve stops it");
    assert!(
        matches!(
            error,
            OpsError::Backup(BackupError::ReserveReached { reserve: r, .. }) if r == reserve
        ),
        "{error}"
    );
    let listed = store.list().expect("list");
    let stopped = listed
        .iter()
        .find(|b| b.state != BackupState::Complete)
        .expect("the stopped backup is listed");
    assert_eq!(stopped.state, BackupState::Failed);
    assert!(
        stopped
            .error
            .as_deref()
            .is_some_and(|e| e.contains("stopped before filling the disk")),
        "{stopped:?}"
    );
    let job = jobs.snapshot().await.expect("job").expect("a job");
    assert_eq!(job.state, JobState::Failed);
    let written = std::fs::metadata(
        dir.path()
            .join("backups")
            .join(&stopped.name)
            .join(db.name())
            .join("tasks.bson"),
    )
    .expect("the partial file")
    .len();
    assert!(
        written < 20 * 1024 * 1024,
        "it stopped about 12 MB in, not at the end: {written} bytes"
    );
    let refused = backup::verify_backup(&db, &store, &cli(), &stopped.name)
        .await
        .expect_err("never restorable");
    assert!(
        matches!(refused, OpsError::Backup(BackupError::NotRestorable { .. })),
        "{refused}"
    );
    db.drop_database().await.expect("drop");
}
