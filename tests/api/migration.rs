//! The migration steps against the real server: plan, refusal on
//! duplicates and conflicts (changing nothing), idempotent migrate, the
//! lock under 20 concurrent callers, interrupted runs, and revert.

use crate::helpers::{raw, test_db};
use forest_runbook::db::{Database, DemoDataSpec, Recount};
use forest_runbook::model::{
    Blocker, ChangeOutcome, ChangeStatus, MigrationState, RunKind, RunState,
};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::migration::{PHASE_0, migrate, plan, revert, verify};
use forest_runbook::ops::prisma::PrismaSource;
use mongodb::bson::{Document, doc};
use std::collections::BTreeMap;
use std::time::Duration;

fn spec(messy: bool) -> DemoDataSpec {
    DemoDataSpec {
        users: 10,
        tasks: 600,
        sessions: 200,
        messy,
        seed: 5,
    }
}

/// A backups folder that does not exist: the steps see no backup.
fn no_backups() -> BackupStore {
    BackupStore::new(
        "/nonexistent/forest-runbook-backups",
        0,
        Duration::from_secs(3_600),
    )
}

fn cli() -> Actor {
    Actor::Cli("test".into())
}

/// Every document and every index of every collection, as text: equal
/// snapshots mean nothing changed.
pub async fn snapshot(db: &Database) -> BTreeMap<String, String> {
    let raw = raw(db).await;
    let mut names = raw.list_collection_names().await.expect("names");
    names.retain(|n| !n.starts_with("runbook_"));
    let mut out = BTreeMap::new();
    for name in names {
        let coll = raw.collection::<Document>(&name);
        let mut cursor = coll
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .expect("find");
        let mut text = String::new();
        while cursor.advance().await.expect("advance") {
            text += &cursor.deserialize_current().expect("doc").to_string();
        }
        let mut listed = coll.list_indexes().await.expect("indexes");
        let mut indexes = Vec::new();
        while listed.advance().await.expect("advance") {
            indexes.push(format!(
                "{:?}",
                listed.deserialize_current().expect("index")
            ));
        }
        indexes.sort();
        out.insert(name, format!("{text}|{}", indexes.join(",")));
    }
    out
}

#[tokio::test]
async fn migrate_refuses_on_duplicates_and_changes_nothing_then_runs_after_cleanup() {
    let db = test_db("mig_dups").await;
    db.write_demo_data(spec(true), false).await.expect("demo");
    let planned = plan(&db, &PHASE_0, &no_backups(), Recount::Now)
        .await
        .expect("plan");
    assert!(
        planned
            .changes
            .iter()
            .all(|c| c.status == ChangeStatus::Absent)
    );
    let tasks = planned
        .duplicates
        .iter()
        .find(|d| d.collection == "tasks")
        .expect("tasks");
    assert!(tasks.duplicated_values > 0 && tasks.nulls > 0 && tasks.missing > 0);
    assert!(
        planned
            .blockers
            .iter()
            .any(|b| matches!(b, Blocker::Duplicated { key, .. } if key == "tasks.clientId"))
    );

    let before = snapshot(&db).await;
    let refused = migrate(&db, &cli(), &PHASE_0).await.expect_err("refused");
    assert!(matches!(refused, OpsError::Preflight(_)), "{refused:?}");
    assert_eq!(
        snapshot(&db).await,
        before,
        "a refused migrate changes nothing"
    );

    // Clean up the duplicates as an operator would: unset the repeated values.
    let raw = raw(&db).await;
    for collection in ["tasks", "focus_sessions"] {
        let coll = raw.collection::<Document>(collection);
        let mut seen = std::collections::HashSet::new();
        let mut cursor = coll
            .find(doc! { "clientId": { "$type": "string" } })
            .await
            .expect("find");
        let mut repeated = Vec::new();
        while cursor.advance().await.expect("advance") {
            let d = cursor.deserialize_current().expect("doc");
            if !seen.insert(d.get_str("clientId").expect("string").to_owned()) {
                repeated.push(d.get_object_id("_id").expect("id"));
            }
        }
        coll.update_many(
            doc! { "_id": { "$in": repeated } },
            doc! { "$unset": { "clientId": "" } },
        )
        .await
        .expect("clean");
    }
    let run = migrate(&db, &cli(), &PHASE_0).await.expect("migrates");
    assert_eq!(run.state, RunState::Succeeded);
    assert!(
        run.changes
            .iter()
            .all(|c| c.outcome == ChangeOutcome::Applied)
    );

    // Explicit nulls and missing fields still insert; a duplicate string does not.
    let tasks = raw.collection::<Document>("tasks");
    tasks
        .insert_one(doc! { "title": "a", "clientId": null })
        .await
        .expect("null");
    tasks
        .insert_one(doc! { "title": "b", "clientId": null })
        .await
        .expect("second null");
    tasks
        .insert_one(doc! { "title": "c" })
        .await
        .expect("missing");
    tasks
        .insert_one(doc! { "title": "d", "clientId": "dup-1" })
        .await
        .expect("first");
    let err = tasks
        .insert_one(doc! { "title": "e", "clientId": "dup-1" })
        .await
        .expect_err("duplicate string");
    assert!(err.to_string().contains("E11000"), "{err}");

    let again = migrate(&db, &cli(), &PHASE_0).await.expect("idempotent");
    assert!(
        again
            .changes
            .iter()
            .all(|c| c.outcome == ChangeOutcome::Skipped)
    );
    assert!(
        verify(
            &db,
            &cli(),
            &PHASE_0,
            &no_backups(),
            &PrismaSource::default()
        )
        .await
        .expect("verify")
        .passed
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_index_with_the_same_name_but_other_options_is_a_reported_conflict() {
    let db = test_db("mig_conflict").await;
    db.write_demo_data(spec(false), false).await.expect("demo");
    raw(&db)
        .await
        .run_command(doc! {
            "createIndexes": "tasks",
            "indexes": [{ "key": { "clientId": 1 }, "name": "Task_clientId_key", "unique": true, "sparse": true }],
        })
        .await
        .expect("seed's sparse index");
    let planned = plan(&db, &PHASE_0, &no_backups(), Recount::Now)
        .await
        .expect("plan");
    let task = planned
        .changes
        .iter()
        .find(|c| c.description.contains("Task_clientId_key"))
        .expect("change");
    match &task.status {
        ChangeStatus::Conflict { reason } => assert!(reason.contains("sparse"), "{reason}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    let before = snapshot(&db).await;
    assert!(matches!(
        migrate(&db, &cli(), &PHASE_0).await,
        Err(OpsError::Preflight(_))
    ));
    assert_eq!(snapshot(&db).await, before);
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_migrations_apply_once_and_the_others_hear_who_holds_the_lock() {
    let db = test_db("mig_race").await;
    db.write_demo_data(spec(false), false).await.expect("demo");
    let calls = (0..20).map(|i| {
        let db = db.clone();
        tokio::spawn(async move { migrate(&db, &Actor::Cli(format!("caller{i}")), &PHASE_0).await })
    });
    // Spawn all twenty before waiting for any.
    let calls: Vec<_> = calls.collect();
    let (mut applied, mut held, mut skipped_only) = (0, 0, 0);
    for call in calls {
        match call.await.expect("task") {
            Ok(run)
                if run
                    .changes
                    .iter()
                    .any(|c| c.outcome == ChangeOutcome::Applied) =>
            {
                applied += 1
            }
            Ok(_) => skipped_only += 1,
            Err(OpsError::LockHeld { owner, .. }) => {
                assert!(owner.starts_with("cli:caller"), "{owner}");
                held += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(applied, 1, "exactly one run applies the changes");
    assert!(
        held >= 1,
        "the others are told the lock is held: applied {applied}, held {held}, skipped {skipped_only}"
    );
    assert_eq!(applied + held + skipped_only, 20);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_run_whose_process_died_is_interrupted_and_the_next_run_finishes_it() {
    let db = test_db("mig_interrupted").await;
    db.write_demo_data(spec(false), false).await.expect("demo");
    // A process took the lock, created the devices collection, and died.
    // Long enough that a loaded machine still finds it held below.
    let lease = std::time::Duration::from_millis(2_000);
    assert!(
        db.acquire_lock("dead-process", lease)
            .await
            .expect("lock")
            .is_ok()
    );
    let changes: Vec<_> = PHASE_0
        .changes
        .iter()
        .map(|c| forest_runbook::model::ChangeResult {
            key: c.key(),
            description: c.describe(),
            ..Default::default()
        })
        .collect();
    let run = db
        .start_run(
            PHASE_0.name,
            RunKind::Migrate,
            &PHASE_0.checksum(),
            "cli:dead",
            &changes,
        )
        .await
        .expect("run");
    db.create_collection(forest_runbook::db::Collection::Devices)
        .await
        .expect("devices");
    let mut first = changes[0].clone();
    first.outcome = ChangeOutcome::Applied;
    db.start_change(&run, 0).await.expect("start");
    db.record_change(&run, 0, &first).await.expect("record");
    // ... and died building the next one.
    db.start_change(&run, 1).await.expect("start");

    let refused = migrate(&db, &cli(), &PHASE_0)
        .await
        .expect_err("lock still held");
    assert!(matches!(refused, OpsError::LockHeld { ref owner, .. } if owner == "dead-process"));
    tokio::time::sleep(lease * 2).await;
    assert_eq!(
        plan(&db, &PHASE_0, &no_backups(), Recount::Now)
            .await
            .expect("plan")
            .state,
        MigrationState::Interrupted
    );

    let finished = migrate(&db, &cli(), &PHASE_0).await.expect("continues");
    assert_eq!(finished.changes[0].outcome, ChangeOutcome::Skipped);
    assert!(
        finished.changes[1..]
            .iter()
            .all(|c| c.outcome == ChangeOutcome::Applied)
    );
    assert!(
        finished
            .changes
            .iter()
            .all(|c| c.started_at.is_some() && c.finished_at.is_some()),
        "each change records when it started and finished"
    );
    let runs = db.runs(PHASE_0.name, 10).await.expect("runs");
    let dead = runs.iter().find(|r| r.id == run).expect("the dead run");
    assert_eq!(dead.state, RunState::Interrupted);
    assert_eq!(
        dead.changes
            .iter()
            .map(|c| c.outcome)
            .take(3)
            .collect::<Vec<_>>(),
        [
            ChangeOutcome::Applied,
            ChangeOutcome::Running,
            ChangeOutcome::Pending
        ],
        "the record says what was done, what was cut short and what never started"
    );
    assert_eq!(
        db.index_build_progress(&forest_runbook::db::IndexSpec {
            collection: forest_runbook::db::Collection::Tasks,
            name: "Task_clientId_key",
            keys: &[("clientId", 1)],
            unique: true,
            string_only: Some("clientId"),
        })
        .await
        .expect("currentOp answers"),
        None,
        "no build is running now"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn revert_restores_the_index_set_keeps_history_and_needs_the_typed_name() {
    let db = test_db("mig_revert").await;
    db.write_demo_data(spec(false), false).await.expect("demo");
    let before = snapshot(&db).await;
    migrate(&db, &cli(), &PHASE_0).await.expect("migrate");
    assert_ne!(snapshot(&db).await, before);

    let wrong = revert(&db, &cli(), &PHASE_0, "not-the-name", &no_backups()).await;
    assert!(
        matches!(wrong, Err(OpsError::InvalidInput { .. })),
        "{wrong:?}"
    );
    let run = revert(&db, &cli(), &PHASE_0, db.name(), &no_backups())
        .await
        .expect("revert");
    assert_eq!(run.kind, RunKind::Revert);
    assert_eq!(
        snapshot(&db).await,
        before,
        "back to the pre-migration collections and indexes"
    );

    let runs = db.runs(PHASE_0.name, 10).await.expect("runs");
    assert_eq!(runs.len(), 2, "history keeps both runs");
    assert!(
        runs.iter()
            .any(|r| r.kind == RunKind::Migrate && r.state == RunState::RolledBack)
    );
    assert_eq!(
        plan(&db, &PHASE_0, &no_backups(), Recount::Now)
            .await
            .expect("plan")
            .state,
        MigrationState::RolledBack
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn revert_drops_what_was_applied_even_when_the_descriptions_were_reworded() {
    let db = test_db("mig_revert_reworded").await;
    db.write_demo_data(spec(false), false).await.expect("demo");
    let before = snapshot(&db).await;
    migrate(&db, &cli(), &PHASE_0).await.expect("migrate");
    // A later version of the app words its changes differently.
    raw(&db)
        .await
        .collection::<Document>("runbook_changelog")
        .update_many(
            doc! { "migration": PHASE_0.name },
            vec![doc! { "$set": { "changes": { "$map": {
                "input": "$changes",
                "in": { "$mergeObjects": ["$$this", { "description": "reworded" }] },
            } } } }],
        )
        .await
        .expect("reword");
    let run = revert(&db, &cli(), &PHASE_0, db.name(), &no_backups())
        .await
        .expect("revert");
    assert_eq!(
        run.changes.len(),
        PHASE_0.changes.len(),
        "{:?}",
        run.changes
    );
    assert_eq!(
        snapshot(&db).await,
        before,
        "every applied change was undone"
    );
    db.drop_database().await.expect("drop");
}
