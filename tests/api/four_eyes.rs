//! Four-eyes against the real server: self-approval refused, a second admin
//! approves, the approval is used once, replays and the CLI are refused.

use crate::helpers::test_db;
use crate::roles::seed_accounts;
use forest_runbook::auth;
use forest_runbook::model::{AuditFilter, CurrentUser, Outcome, Role};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::four_eyes;

const ACTION: &str = "rollback.revert";
const TARGET: &str = "add_mobile_sync_support";
const PLAN: &str = "drop index Task_clientId_key on tasks";

fn admin(name: &str) -> CurrentUser {
    CurrentUser {
        username: name.to_owned(),
        role: Role::Admin,
    }
}

#[tokio::test]
async fn a_guarded_action_runs_once_after_a_second_admin_approves_it() {
    let db = test_db("four_eyes").await;
    seed_accounts(&db).await;
    auth::create_account(
        &db,
        &Actor::Cli("test".into()),
        "admin2",
        Role::Admin,
        "a-long-password",
    )
    .await
    .expect("second admin");
    let (ada, bob) = (admin("admin"), admin("admin2"));

    // Off: the gate lets the action through without an approval.
    let gate = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN).await;
    assert!(matches!(gate, Ok(None)), "{gate:?}");

    four_eyes::set_four_eyes(&db, &Actor::User(ada.clone()), true)
        .await
        .expect("turn on");
    let refused = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN).await;
    assert!(
        matches!(refused, Err(OpsError::ApprovalRequired { .. })),
        "{refused:?}"
    );
    // The refusal filed Ada's request, with what will run, once.
    let again = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN).await;
    assert!(again.is_err());
    let waiting = four_eyes::open_approvals(&db).await.expect("open requests");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(
        (waiting[0].requested_by.as_str(), waiting[0].plan.as_str()),
        ("admin", PLAN)
    );
    let filed = waiting[0].id.clone();
    // The approver reads it in the list and approves; the requester runs.

    let own = four_eyes::approve(&db, &ada, &filed).await;
    assert!(
        matches!(own, Err(OpsError::Conflict(_))),
        "self-approval: {own:?}"
    );
    let not_yet = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN).await;
    assert!(not_yet.is_err(), "unapproved requests do not open the gate");

    let approved = four_eyes::approve(&db, &bob, &filed)
        .await
        .expect("approve");
    assert_eq!(approved.approved_by.as_deref(), Some("admin2"));
    let twice = four_eyes::approve(&db, &bob, &filed).await;
    assert!(matches!(twice, Err(OpsError::Conflict(_))), "{twice:?}");

    // Another target, the approver, and the CLI do not get Ada's approval.
    assert!(
        four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, "other", PLAN)
            .await
            .is_err()
    );
    assert!(
        four_eyes::authorize(&db, &Actor::User(bob.clone()), ACTION, TARGET, PLAN)
            .await
            .is_err()
    );
    assert!(
        four_eyes::authorize(&db, &Actor::Cli("ops".into()), ACTION, TARGET, PLAN)
            .await
            .is_err()
    );

    let used = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN)
        .await
        .expect("approved");
    assert_eq!(used.map(|a| a.id), Some(filed.clone()));
    let replay = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN).await;
    assert!(
        matches!(replay, Err(OpsError::ApprovalRequired { .. })),
        "replay: {replay:?}"
    );

    let log = db
        .list_audit(
            &AuditFilter {
                actor: None,
                action: Some("approval.use".into()),
            },
            100,
        )
        .await
        .expect("audit");
    assert_eq!(log.iter().filter(|e| e.outcome == Outcome::Ok).count(), 1);
    assert!(
        log.iter()
            .any(|e| e.actor == "cli:ops" && e.outcome == Outcome::Denied)
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_uses_of_one_approval_let_exactly_one_through() {
    let db = test_db("four_eyes_race").await;
    seed_accounts(&db).await;
    let ada = admin("admin");
    four_eyes::set_four_eyes(&db, &Actor::User(ada.clone()), true)
        .await
        .expect("turn on");
    let request = four_eyes::request(&db, &ada, ACTION, TARGET, "plan")
        .await
        .expect("request");
    db.approve(&request.id, "someone-else")
        .await
        .expect("approve")
        .expect("open");
    let attempts = (0..20).map(|_| {
        let db = db.clone();
        let actor = Actor::User(ada.clone());
        tokio::spawn(async move { four_eyes::authorize(&db, &actor, ACTION, TARGET, PLAN).await })
    });
    // Spawn all twenty before waiting for any.
    let attempts: Vec<_> = attempts.collect();
    let mut through = 0;
    for attempt in attempts {
        if attempt.await.expect("task").is_ok() {
            through += 1;
        }
    }
    assert_eq!(through, 1);
    db.drop_database().await.expect("drop");
}
