//! The migration lock against the real server: expiry by the server's
//! clock, and a step that loses its lease mid-run stops at the next safe
//! point with a record of why, after which another run can proceed.

use crate::helpers::{raw, test_db};
use forest_runbook::db::{Collection, DemoDataSpec, IndexSpec};
use forest_runbook::model::{ChangeOutcome, RunState};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::migration::lease::{self, Timing};
use forest_runbook::ops::migration::{Change, Migration, migrate};
use mongodb::bson::{DateTime, Document, doc};
use std::time::Duration;

fn cli() -> Actor {
    Actor::Cli("test".into())
}

const fn task_index(name: &'static str, keys: &'static [(&'static str, i32)]) -> Change {
    Change::CreateIndex(IndexSpec {
        collection: Collection::Tasks,
        name,
        keys,
        unique: false,
        string_only: None,
    })
}

/// Several index builds over a large collection: time between safe points.
pub static SLOW: Migration = Migration {
    name: "lease_test",
    description: "index builds that take a while",
    changes: &[
        task_index("t_title", &[("title", 1)]),
        task_index("t_status_created", &[("status", 1), ("createdAt", -1)]),
        task_index("t_priority_title", &[("priority", 1), ("title", 1)]),
        task_index("t_user_created", &[("userId", 1), ("createdAt", 1)]),
        task_index("t_due_title", &[("dueDate", 1), ("title", -1)]),
        task_index("t_updated_title", &[("updatedAt", 1), ("title", 1)]),
    ],
};

#[tokio::test]
async fn a_lock_expires_by_the_servers_clock() {
    let db = test_db("lock_server_clock").await;
    let locks = raw(&db).await.collection::<Document>("runbook_locks");
    let far = DateTime::from_millis(DateTime::now().timestamp_millis() + 3_600_000);
    let past = DateTime::from_millis(DateTime::now().timestamp_millis() - 1_000);
    locks
        .insert_one(doc! { "_id": "migration-lock", "locked": true, "owner": "other host", "since": past, "expiresAt": far })
        .await
        .expect("plant");
    let refused = db.acquire_lock("me", lease::LEASE).await.expect("ask");
    assert_eq!(refused.expect_err("held").owner, "other host");
    locks
        .update_one(
            doc! { "_id": "migration-lock" },
            doc! { "$set": { "expiresAt": past } },
        )
        .await
        .expect("expire");
    assert!(db.lock_holder().await.expect("holder").is_none());
    assert!(
        db.acquire_lock("me", lease::LEASE)
            .await
            .expect("ask")
            .is_ok()
    );
    let taken = locks
        .find_one(doc! { "_id": "migration-lock" })
        .await
        .expect("read")
        .expect("lock");
    let expires = taken.get_datetime("expiresAt").expect("server time");
    let since = taken.get_datetime("since").expect("server time");
    assert_eq!(
        expires.timestamp_millis() - since.timestamp_millis(),
        60_000,
        "the lease is the server's now plus 60 s"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_lease_taken_by_someone_else_is_reported_lost_by_the_renewer() {
    let db = test_db("lock_renewer_lost").await;
    let timing = Timing {
        lease: Duration::from_millis(1_500),
        renew_every: Duration::from_millis(100),
    };
    let held = lease::take_with(&db, &cli(), timing).await.expect("take");
    held.confirm().await.expect("still ours");
    raw(&db)
        .await
        .collection::<Document>("runbook_locks")
        .update_one(
            doc! { "_id": "migration-lock" },
            doc! { "$set": { "owner": "thief" } },
        )
        .await
        .expect("steal");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let lost = held.confirm().await.expect_err("lost");
    assert!(
        matches!(&lost, OpsError::LeaseLost { reason } if reason.contains("another run took the lock")),
        "{lost}"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_run_that_loses_the_lock_stops_at_the_next_change_and_a_later_run_finishes() {
    let db = test_db("lock_lost_mid_run").await;
    db.write_demo_data(
        DemoDataSpec {
            users: 50,
            tasks: 30_000,
            sessions: 0,
            messy: false,
            seed: 9,
        },
        false,
    )
    .await
    .expect("demo");
    let raw = raw(&db).await;
    let changelog = raw.collection::<Document>("runbook_changelog");
    let running = {
        let db = db.clone();
        tokio::spawn(async move { migrate(&db, &cli(), &SLOW).await })
    };
    // Once the first change is done, another run takes the lock by hand.
    loop {
        let first_done = changelog
            .find_one(doc! { "migration": SLOW.name, "changes.0.outcome": "applied" })
            .await
            .expect("read");
        if first_done.is_some() {
            break;
        }
        assert!(
            !running.is_finished(),
            "the run ended before the lock was taken"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    raw.collection::<Document>("runbook_locks")
        .update_one(
            doc! { "_id": "migration-lock" },
            doc! { "$set": { "owner": "thief" } },
        )
        .await
        .expect("steal");

    let stopped = running.await.expect("join").expect_err("stopped");
    assert!(matches!(stopped, OpsError::LeaseLost { .. }), "{stopped}");
    let runs = db.runs(SLOW.name, 10).await.expect("runs");
    let run = &runs[0];
    assert_eq!(run.state, RunState::Failed);
    assert!(
        run.error
            .as_deref()
            .unwrap_or_default()
            .contains("no longer holds the migration lock"),
        "the run says why it stopped: {:?}",
        run.error
    );
    let pending = run
        .changes
        .iter()
        .filter(|c| c.outcome == ChangeOutcome::Pending)
        .count();
    assert!(
        pending > 0,
        "the changes after the safe point never started: {:?}",
        run.changes
    );
    assert!(
        run.changes
            .iter()
            .all(|c| c.outcome != ChangeOutcome::Running),
        "no change is left half-done"
    );

    raw.collection::<Document>("runbook_locks")
        .update_one(
            doc! { "_id": "migration-lock" },
            doc! { "$set": { "locked": false } },
        )
        .await
        .expect("the thief releases");
    let finished = migrate(&db, &cli(), &SLOW)
        .await
        .expect("a later run proceeds");
    assert_eq!(finished.state, RunState::Succeeded);
    assert!(
        finished
            .changes
            .iter()
            .all(|c| matches!(c.outcome, ChangeOutcome::Applied | ChangeOutcome::Skipped))
    );
    db.drop_database().await.expect("drop");
}
