//! Backups and restore against the real server: the round trip through a
//! migration (content hashes equal, `devices` gone), gzip, files read back
//! by the independent `bson` reader, the lock, cancel, a killed restore
//! finished by the next one, and each bad input refused with nothing changed.

use crate::helpers::raw;
use crate::helpers::test_db;
use crate::migration::snapshot;
use forest_runbook::db::{Database, DemoDataSpec, Recount};
use forest_runbook::model::Action;
use forest_runbook::model::{
    BackupState, JobKind, JobState, Manifest, MigrationState, RestoreReport, RunKind, RunState,
};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::{self, BackupError, BackupStore, Confirmation, Jobs};
use forest_runbook::ops::migration::{PHASE_0, migrate};
use forest_runbook::ops::prisma::PrismaSource;
use mongodb::bson::{Document, doc};
use std::path::Path;
use std::time::Duration;

pub fn cli() -> Actor {
    Actor::Cli("test".into())
}

/// The database name typed, no options accepted.
pub fn typed(database: &str) -> Confirmation<'_> {
    Confirmation {
        database,
        accept_options: false,
    }
}

pub fn store_in(dir: &Path) -> BackupStore {
    BackupStore::new(dir.join("backups"), 0, Duration::from_secs(3_600))
}

pub async fn demo(name: &str, tasks: usize) -> Database {
    let db = test_db(name).await;
    db.prepare_app_collections().await.expect("app collections");
    db.write_demo_data(
        DemoDataSpec {
            users: 10,
            tasks,
            sessions: 200,
            messy: false,
            seed: 7,
        },
        false,
    )
    .await
    .expect("demo");
    db
}

/// Takes a backup as the command line does.
pub async fn take(db: &Database, store: &BackupStore, gzip: bool) -> Manifest {
    backup::backup(db, store, &Jobs::new(db.clone()), &cli(), gzip)
        .await
        .expect("backup")
}

/// Restores `name` into `db` as the command line does, typing the right
/// name and accepting no options.
pub async fn try_restore(
    db: &Database,
    store: &BackupStore,
    name: &str,
) -> Result<RestoreReport, OpsError> {
    let jobs = Jobs::new(db.clone());
    backup::restore(db, store, &jobs, &cli(), name, typed(db.name())).await
}

/// Restores `name` into `db`, typing the right name.
pub async fn restore_all(db: &Database, store: &BackupStore, name: &str) -> RestoreReport {
    try_restore(db, store, name).await.expect("restore")
}

fn backup_error(error: OpsError) -> BackupError {
    match error {
        OpsError::Backup(error) => error,
        other => panic!("expected a backup error, got {other:?}"),
    }
}

/// Every document of a `.bson` file, read by the `bson` crate alone.
fn read_bson(path: &Path) -> Vec<Document> {
    let bytes = std::fs::read(path).expect("read");
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
            .expect("gunzip");
        plain
    } else {
        bytes
    };
    let mut reader = &bytes[..];
    let mut documents = Vec::new();
    while !reader.is_empty() {
        documents.push(Document::from_reader(&mut reader).expect("a BSON document"));
    }
    documents
}

fn folder_of(store_dir: &Path, manifest: &Manifest) -> std::path::PathBuf {
    store_dir.join("backups").join(&manifest.name)
}

#[tokio::test]
async fn backup_migrate_restore_gives_back_every_collection_and_drops_devices() {
    let db = demo("bk_round_trip", 600).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let jobs = Jobs::new(db.clone());
    let before = snapshot(&db).await;
    let manifest = backup::backup(&db, &store, &jobs, &cli(), false)
        .await
        .expect("backup");
    assert_eq!(manifest.state, BackupState::Complete);
    assert_eq!(manifest.count_of("tasks"), Some(600));
    assert!(
        manifest.count_of("runbook_audit").is_none(),
        "the app's records stay out"
    );
    assert_eq!(
        jobs.snapshot().await.expect("reads").expect("job").state,
        JobState::Done
    );

    // The files are what mongorestore reads: the independent reader agrees.
    let folder = folder_of(dir.path(), &manifest);
    let tasks = read_bson(&folder.join(db.name()).join("tasks.bson"));
    assert_eq!(tasks.len(), 600);
    let metadata: serde_json::Value = serde_json::from_slice(
        &std::fs::read(folder.join(db.name()).join("tasks.metadata.json")).expect("metadata"),
    )
    .expect("json");
    assert_eq!(metadata["collectionName"], "tasks");
    assert_eq!(metadata["type"], "collection");
    assert!(
        metadata["indexes"][0]["v"]["$numberInt"].is_string(),
        "canonical: {metadata}"
    );
    let verified = backup::verify_backup(&db, &store, &cli(), &manifest.name)
        .await
        .expect("verifies");
    assert!(verified.verified_at.is_some());

    migrate(&db, &cli(), &PHASE_0).await.expect("migrate");
    let raw = raw(&db).await;
    raw.collection::<Document>("devices")
        .insert_one(doc! { "deviceId": "d-1", "platform": "ios" })
        .await
        .expect("a device registers");
    raw.collection::<Document>("tasks")
        .delete_many(doc! {})
        .await
        .expect("someone deletes the tasks");

    let report = backup::restore(&db, &store, &jobs, &cli(), &manifest.name, typed(db.name()))
        .await
        .expect("restore");
    assert_eq!(snapshot(&db).await, before, "every collection as it was");
    assert_eq!(report.dropped, ["devices"]);
    let exported = store
        .manifest(report.pre_image_backup.as_deref().expect("exported"))
        .expect("export manifest");
    assert_eq!(exported.count_of("devices"), Some(1), "the device is kept");
    assert_eq!(
        db.migration_state(PHASE_0.name).await.expect("state"),
        MigrationState::RolledBack
    );
    let runs = db.runs(PHASE_0.name, 10).await.expect("runs");
    assert!(
        runs.iter()
            .any(|r| r.kind == RunKind::Restore && r.state == RunState::Succeeded)
    );
    let job = jobs.snapshot().await.expect("reads").expect("job");
    assert_eq!(
        (job.kind, job.state, job.percent()),
        (JobKind::Restore, JobState::Done, 100)
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_gzip_backup_restores_and_its_files_read_back() {
    let db = demo("bk_gzip", 300).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let before = snapshot(&db).await;
    let manifest = take(&db, &store, true).await;
    let folder = folder_of(dir.path(), &manifest).join(db.name());
    assert_eq!(read_bson(&folder.join("tasks.bson.gz")).len(), 300);
    assert!(folder.join("tasks.metadata.json.gz").is_file());
    raw(&db)
        .await
        .collection::<Document>("users")
        .drop()
        .await
        .expect("drop users");
    restore_all(&db, &store, &manifest.name).await;
    assert_eq!(snapshot(&db).await, before);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn backup_and_restore_wait_for_the_migration_lock() {
    let db = demo("bk_lock", 100).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let jobs = Jobs::new(db.clone());
    let manifest = backup::backup(&db, &store, &jobs, &cli(), false)
        .await
        .expect("backup");
    assert!(
        db.acquire_lock("migrate-run", Duration::from_secs(60))
            .await
            .expect("lock")
            .is_ok()
    );
    let refused = backup::backup(&db, &store, &jobs, &cli(), false)
        .await
        .expect_err("lock held");
    assert!(matches!(refused, OpsError::LockHeld { ref owner, .. } if owner == "migrate-run"));
    let refused = backup::restore(&db, &store, &jobs, &cli(), &manifest.name, typed(db.name()))
        .await
        .expect_err("lock held");
    assert!(matches!(refused, OpsError::LockHeld { .. }));
    assert_eq!(
        store.list().expect("list").len(),
        1,
        "the refused backup wrote nothing"
    );
    db.release_lock("migrate-run").await.expect("release");

    // Concurrent backups and migrations: each runs alone or hears who holds the lock.
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (db, store) = (db.clone(), store.clone());
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                backup::backup(&db, &store, &Jobs::new(db.clone()), &cli(), false)
                    .await
                    .map(|_| ())
            } else {
                migrate(&db, &cli(), &PHASE_0).await.map(|_| ())
            }
        }));
    }
    for task in tasks {
        match task.await.expect("join") {
            Ok(()) | Err(OpsError::LockHeld { .. }) => {}
            Err(other) => panic!("neither ran nor waited: {other}"),
        }
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_cancelled_backup_is_marked_and_never_restored() {
    let db = demo("bk_cancel", 20_000).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let jobs = Jobs::new(db.clone());
    let name = backup::start_backup(db.clone(), store.clone(), jobs.clone(), cli(), false)
        .await
        .expect("starts");
    assert!(
        jobs.cancel().await.expect("asks"),
        "a running backup can be cancelled"
    );
    let mut job = jobs.snapshot().await.expect("reads").expect("job");
    for _ in 0..600 {
        if job.state != JobState::Running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        job = jobs.snapshot().await.expect("reads").expect("job");
    }
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    assert_eq!(
        store.manifest(&name).expect("manifest").state,
        BackupState::Cancelled
    );
    let refused = backup::restore(&db, &store, &jobs, &cli(), &name, typed(db.name()))
        .await
        .expect_err("not restorable");
    assert!(matches!(
        backup_error(refused),
        BackupError::NotRestorable { .. }
    ));
    // The background task releases the lock right after marking the job.
    let mut held = true;
    for _ in 0..100 {
        held = db.lock_holder().await.expect("lock").is_some();
        if !held {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!held, "the lock is released");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_killed_restore_is_finished_by_the_next_one() {
    let db = demo("bk_killed", 25_000).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let before = snapshot(&db).await;
    let manifest = take(&db, &store, false).await;
    let jobs = Jobs::new(db.clone());
    let restore = {
        let (db, store, jobs, name) = (
            db.clone(),
            store.clone(),
            jobs.clone(),
            manifest.name.clone(),
        );
        tokio::spawn(async move {
            backup::restore(&db, &store, &jobs, &cli(), &name, typed(db.name())).await
        })
    };
    // Kill it while `tasks` is half loaded: `focus_sessions` (first by name) is done.
    loop {
        assert!(
            !restore.is_finished(),
            "the restore finished before it could be killed"
        );
        let tasks = db.count_named("tasks").await.expect("count");
        if (1..25_000).contains(&tasks) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    restore.abort();
    assert!(restore.await.expect_err("aborted").is_cancelled());
    assert_ne!(snapshot(&db).await, before, "killed half-way");
    // Its lease runs out, as when the process dies.
    raw(&db)
        .await
        .collection::<Document>("runbook_locks")
        .update_one(
            doc! { "_id": "migration-lock" },
            doc! { "$set": { "expiresAt": mongodb::bson::DateTime::from_millis(0) } },
        )
        .await
        .expect("expire the lease");
    // Every instance now shows the job as stopped, not as running forever.
    let job = jobs.snapshot().await.expect("reads").expect("job");
    assert_eq!((job.kind, job.state), (JobKind::Restore, JobState::Failed));
    assert!(
        job.message
            .as_deref()
            .unwrap_or_default()
            .contains("stopped without finishing"),
        "{job:?}"
    );

    let report = restore_all(&db, &store, &manifest.name).await;
    assert_eq!(report.skipped, ["focus_sessions"]);
    assert_eq!(snapshot(&db).await, before);
    let runs = db.runs(PHASE_0.name, 10).await.expect("runs");
    assert!(
        runs.iter()
            .any(|r| r.kind == RunKind::Restore && r.state == RunState::Interrupted)
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn plan_verify_and_revert_use_the_backups() {
    use forest_runbook::ops::migration::{plan, revert, verify};
    let db = demo("bk_hooks", 100).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    assert!(
        plan(&db, &PHASE_0, &store, Recount::Now)
            .await
            .expect("plan")
            .recent_backup
            .is_none()
    );
    let manifest = take(&db, &store, false).await;
    assert!(
        plan(&db, &PHASE_0, &store, Recount::Now)
            .await
            .expect("plan")
            .recent_backup
            .is_none(),
        "an unverified backup does not count"
    );
    backup::verify_backup(&db, &store, &cli(), &manifest.name)
        .await
        .expect("verify");
    let planned = plan(&db, &PHASE_0, &store, Recount::Now)
        .await
        .expect("plan");
    assert!(
        planned
            .recent_backup
            .expect("recent")
            .contains(&manifest.name)
    );
    let stale = BackupStore::new(dir.path().join("backups"), 0, Duration::ZERO);
    assert!(
        plan(&db, &PHASE_0, &stale, Recount::Now)
            .await
            .expect("plan")
            .recent_backup
            .is_none()
    );

    migrate(&db, &cli(), &PHASE_0).await.expect("migrate");
    let checked = verify(&db, &cli(), &PHASE_0, &store, &PrismaSource::default())
        .await
        .expect("verify");
    let row = checked
        .checks
        .iter()
        .find(|c| c.name == "tasks lost no document since the latest verified backup")
        .expect("a count row per collection");
    assert!(row.passed, "{}", row.evidence);
    raw(&db)
        .await
        .collection::<Document>("tasks")
        .delete_one(doc! {})
        .await
        .expect("delete");
    let checked = verify(&db, &cli(), &PHASE_0, &store, &PrismaSource::default())
        .await
        .expect("verify");
    assert!(!checked.passed, "a lost document fails verify");

    raw(&db)
        .await
        .collection::<Document>("devices")
        .insert_one(doc! { "deviceId": "d-9" })
        .await
        .expect("a device");
    let run = revert(&db, &cli(), &PHASE_0, db.name(), &store)
        .await
        .expect("revert exports devices instead of refusing");
    let export = run
        .changes
        .iter()
        .find_map(|c| {
            c.description
                .strip_prefix("drop collection devices (its documents exported into backup ")
        })
        .expect("the drop names its backup")
        .trim_end_matches(')');
    assert_eq!(
        store.manifest(export).expect("export").count_of("devices"),
        Some(1)
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn with_four_eyes_on_a_restore_runs_only_after_a_second_admin_approves() {
    use forest_runbook::model::{CurrentUser, Role};
    use forest_runbook::ops::four_eyes;
    let db = demo("bk_four_eyes", 100).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let manifest = take(&db, &store, false).await;
    let admin = |name: &str| CurrentUser {
        username: name.to_owned(),
        role: Role::Admin,
    };
    let (ada, bob) = (admin("ada"), admin("bob"));
    four_eyes::set_four_eyes(&db, &Actor::User(ada.clone()), true)
        .await
        .expect("on");
    let restore_as = |user: CurrentUser| {
        let (db, store, name) = (db.clone(), store.clone(), manifest.name.clone());
        async move {
            backup::restore(
                &db,
                &store,
                &Jobs::new(db.clone()),
                &Actor::User(user),
                &name,
                typed(db.name()),
            )
            .await
        }
    };
    let refused = restore_as(ada.clone()).await.expect_err("needs approval");
    assert!(
        matches!(refused, OpsError::ApprovalRequired { .. }),
        "{refused:?}"
    );
    let request = four_eyes::request(
        &db,
        &ada,
        Action::RollbackRestore,
        &manifest.name,
        "restore",
    )
    .await
    .expect("request");
    // Bob has no account here, so no record of new admin powers: he may approve.
    four_eyes::approve(&db, &bob, &request.id, std::time::Duration::ZERO)
        .await
        .expect("approve");
    restore_as(ada).await.expect("restores once approved");
    db.drop_database().await.expect("drop");
}
