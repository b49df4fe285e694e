//! Long steps as background work: migrate answers with its running run at
//! once and goes on to its end; a run asked to stop stops at its next safe
//! point (before its next change), says who stopped it, and leaves what it
//! did not reach as it was; only an admin stops what only an admin starts.

use crate::backup::{cli, store_in};
use crate::dedupe::{QUIET, apply_oldest};
use crate::helpers::{raw, test_db};
use crate::roles::{app_with_accounts, cookie_for};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::db::{Database, DemoDataSpec};
use forest_runbook::model::{ChangeOutcome, CurrentUser, Role, RunKind, RunRecord, RunState};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::dedupe::{self, Options};
use forest_runbook::ops::migration::{self, PHASE_0};
use mongodb::bson::{Bson, doc};
use std::time::{Duration, Instant};
use tower::ServiceExt;

async fn demo(name: &str, tasks: usize, messy: bool) -> Database {
    let db = test_db(name).await;
    let spec = DemoDataSpec {
        users: 20,
        tasks,
        sessions: 2_000,
        messy,
        seed: 17,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    db
}

/// Documents holding a value of `field` that another document also holds.
async fn duplicated(db: &Database, collection: &str) -> u64 {
    let pipeline = vec![
        doc! { "$match": { "clientId": { "$type": "string" } } },
        doc! { "$group": { "_id": "$clientId", "n": { "$sum": 1 } } },
        doc! { "$match": { "n": { "$gt": 1 } } },
        doc! { "$group": { "_id": null, "documents": { "$sum": "$n" } } },
    ];
    let mut cursor = raw(db)
        .await
        .collection::<mongodb::bson::Document>(collection)
        .aggregate(pipeline)
        .await
        .expect("aggregate");
    if !cursor.advance().await.expect("advance") {
        return 0;
    }
    let found = cursor.deserialize_current().expect("document");
    match found.get("documents") {
        Some(Bson::Int32(n)) => u64::try_from(*n).expect("a count"),
        Some(Bson::Int64(n)) => u64::try_from(*n).expect("a count"),
        other => panic!("not a count: {other:?}"),
    }
}

fn user(name: &str, role: Role) -> Actor {
    Actor::User(CurrentUser {
        username: name.to_owned(),
        role,
    })
}

#[tokio::test]
async fn migrate_answers_with_its_running_run_and_goes_on_to_the_end() {
    let db = demo("stop_answer", 40_000, false).await;
    let app = app_with_accounts(&db).await;
    let request = Request::post("/api/run_migrate")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie_for(&db, "admin").await)
        .body(Body::from("without_backup=a+test+database"))
        .expect("request");
    let response = app.oneshot(request).await.expect("answers");
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let answered: RunRecord = serde_json::from_slice(&body).expect("a run");
    assert_eq!(
        (answered.kind, answered.state),
        (RunKind::Migrate, RunState::Running),
        "the answer comes while the run goes on: {answered:?}"
    );
    assert_eq!(answered.changes.len(), PHASE_0.changes.len());

    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let runs = db.runs(PHASE_0.name, 5).await.expect("runs");
        let run = runs.iter().find(|r| r.id == answered.id).expect("the run");
        let locked = db.lock_holder().await.expect("lock").is_some();
        // The run is recorded as ended just before the lock is let go:
        // between the two it has succeeded and the lock is still held.
        if run.state == RunState::Succeeded && !locked {
            assert!(
                run.changes
                    .iter()
                    .all(|c| c.outcome == ChangeOutcome::Applied),
                "{run:?}"
            );
            break;
        }
        assert!(
            matches!(run.state, RunState::Running | RunState::Succeeded),
            "{run:?}"
        );
        assert!(Instant::now() < deadline, "the run never ended: {run:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cleanup_asked_to_stop_stops_before_its_next_key_and_says_who() {
    let db = demo("stop_cleanup", 3_000, true).await;
    let sessions_before = duplicated(&db, "focus_sessions").await;
    assert!(
        duplicated(&db, "tasks").await > 0 && sessions_before > 0,
        "the messy demo duplicates both keys"
    );
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    // Someone asks the cleanup to stop while it writes its first key.
    let asked = std::sync::atomic::AtomicBool::new(false);
    let stop_once = |_: &str| {
        if asked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let handle = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let run = db.runs(PHASE_0.name, 1).await.expect("runs").remove(0);
                let stopping =
                    migration::cancel(&db, &user("rm", Role::ReleaseManager), &PHASE_0, &run.id)
                        .await
                        .expect("asks");
                assert!(stopping, "the running cleanup takes the request");
            });
        });
    };
    let stopped = dedupe::apply(
        &db,
        &cli(),
        &PHASE_0,
        Options::default(),
        db.name(),
        &store,
        &stop_once,
    )
    .await
    .expect_err("stops");
    let OpsError::Cancelled { by, before } = &stopped else {
        panic!("{stopped:?}");
    };
    assert_eq!(by, "rm");
    assert!(before.contains("focus_sessions.clientId"), "{before}");

    let run = db.runs(PHASE_0.name, 1).await.expect("runs").remove(0);
    assert_eq!((run.kind, run.state), (RunKind::Dedupe, RunState::Failed));
    assert_eq!(run.cancel_requested_by.as_deref(), Some("rm"));
    assert!(
        run.error
            .as_deref()
            .unwrap_or_default()
            .contains("cancelled by rm"),
        "{run:?}"
    );
    let last = run.changes.last().expect("a change");
    assert_eq!(last.outcome, ChangeOutcome::Pending, "{run:?}");
    assert_eq!(
        duplicated(&db, "tasks").await,
        0,
        "the key under way finished"
    );
    assert_eq!(
        duplicated(&db, "focus_sessions").await,
        sessions_before,
        "the key it did not reach is as it was"
    );
    assert!(
        db.lock_holder().await.expect("lock").is_none(),
        "the lock is released"
    );

    // Stopped is not stuck: the next cleanup finishes the rest.
    apply_oldest(&db, &store, QUIET).await;
    assert_eq!(duplicated(&db, "focus_sessions").await, 0);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn only_an_admin_stops_a_revert_and_a_run_that_ended_is_not_stopped() {
    let db = test_db("stop_roles").await;
    let revert = db
        .start_run(PHASE_0.name, RunKind::Revert, "x", "admin", &[])
        .await
        .expect("a running revert");
    let refused = migration::cancel(&db, &user("rm", Role::ReleaseManager), &PHASE_0, &revert)
        .await
        .expect_err("a release manager may not");
    assert!(
        matches!(
            refused,
            OpsError::Forbidden {
                required: Role::Admin,
                ..
            }
        ),
        "{refused:?}"
    );
    let stopping = migration::cancel(&db, &user("boss", Role::Admin), &PHASE_0, &revert)
        .await
        .expect("an admin may");
    assert!(stopping);
    let run = db.runs(PHASE_0.name, 1).await.expect("runs").remove(0);
    assert_eq!(run.cancel_requested_by.as_deref(), Some("boss"));

    db.finish_run(&revert, RunState::Succeeded, None)
        .await
        .expect("ends");
    let ended = migration::cancel(&db, &user("boss", Role::Admin), &PHASE_0, &revert)
        .await
        .expect("answers");
    assert!(!ended, "a run that ended is not running to stop");
    let unknown = migration::cancel(&db, &cli(), &PHASE_0, "not-a-run")
        .await
        .expect_err("no such run");
    assert!(matches!(unknown, OpsError::NotFound(_)), "{unknown:?}");
    db.drop_database().await.expect("drop");
}
