//! Four-eyes against the real server: self-approval refused, a second admin
//! approves, the approval is used once, replays and the CLI are refused;
//! and one admin cannot get round it with an admin of their own making.

use crate::backup::{demo, store_in, take};
use crate::helpers::{raw, test_db};
use crate::roles::seed_accounts;
use forest_runbook::auth::{self, AccountChange};
use forest_runbook::db::Database;
use forest_runbook::model::Action;
use forest_runbook::model::{AuditFilter, CurrentUser, Manifest, Outcome, Role};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::{backup, four_eyes};
use mongodb::bson::{DateTime, doc};
use std::time::{Duration, SystemTime};

const ACTION: Action = Action::RollbackRevert;
const TARGET: &str = "add_mobile_sync_support";
const PLAN: &str = "drop index Task_clientId_key on tasks";
/// What the app enforces by default (`auth.approver_wait_hours`).
const DAY: Duration = Duration::from_secs(24 * 3_600);

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

    let own = four_eyes::approve(&db, &ada, &filed, Duration::ZERO).await;
    assert!(
        matches!(own, Err(OpsError::Conflict(_))),
        "self-approval: {own:?}"
    );
    let not_yet = four_eyes::authorize(&db, &Actor::User(ada.clone()), ACTION, TARGET, PLAN).await;
    assert!(not_yet.is_err(), "unapproved requests do not open the gate");

    // Bob became an admin just now; with no wait configured he may approve.
    let approved = four_eyes::approve(&db, &bob, &filed, Duration::ZERO)
        .await
        .expect("approve");
    assert_eq!(approved.approved_by.as_deref(), Some("admin2"));
    let twice = four_eyes::approve(&db, &bob, &filed, Duration::ZERO).await;
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

/// Makes `name`'s admin powers two days old, as if granted long ago.
async fn age(db: &Database, name: &str) {
    let long_ago = DateTime::from_system_time(SystemTime::now() - 2 * DAY);
    raw(db)
        .await
        .collection::<mongodb::bson::Document>("runbook_accounts")
        .update_one(
            doc! { "_id": name },
            doc! { "$set": { "adminSince": long_ago } },
        )
        .await
        .expect("age the account");
}

fn approval_needed<T: std::fmt::Debug>(result: Result<T, OpsError>) {
    assert!(
        matches!(result, Err(OpsError::ApprovalRequired { .. })),
        "{result:?}"
    );
}

/// The waiting request of `action`, with its plan.
async fn waiting(db: &Database, action: Action) -> forest_runbook::model::Approval {
    four_eyes::open_approvals(db)
        .await
        .expect("open requests")
        .into_iter()
        .find(|a| a.action == action.as_str() && a.approved_by.is_none())
        .unwrap_or_else(|| panic!("a request for {} waits", action.as_str()))
}

#[tokio::test]
async fn one_admin_cannot_get_round_four_eyes_with_an_admin_of_their_own() {
    let db = test_db("four_eyes_bypass").await;
    seed_accounts(&db).await;
    age(&db, "admin").await;
    let ada = admin("admin");
    let as_ada = Actor::User(ada.clone());
    let password = "a-long-password";
    // Made while four-eyes was off: an admin of Ada's own making.
    auth::create_account(&db, &as_ada, "mallory", Role::Admin, password)
        .await
        .expect("created while off");
    four_eyes::set_four_eyes(&db, &as_ada, true)
        .await
        .expect("turn on");

    // Ada asks for a revert; her fresh admin cannot approve it, so it never runs.
    approval_needed(four_eyes::authorize(&db, &as_ada, ACTION, TARGET, PLAN).await);
    let request = waiting(&db, ACTION).await;
    let refused = four_eyes::approve(&db, &admin("mallory"), &request.id, DAY).await;
    assert!(matches!(refused, Err(OpsError::Conflict(_))), "{refused:?}");
    approval_needed(four_eyes::authorize(&db, &as_ada, ACTION, TARGET, PLAN).await);

    // Nor can Ada make another admin, promote one, re-enable one, reset an
    // admin's password or switch four-eyes off on her own.
    approval_needed(auth::create_account(&db, &as_ada, "eve", Role::Admin, password).await);
    assert!(db.find_account("eve").await.expect("find").is_none());
    approval_needed(
        auth::change_account(&db, &as_ada, "release", AccountChange::Role(Role::Admin)).await,
    );
    auth::change_account(&db, &as_ada, "mallory", AccountChange::Disabled(true))
        .await
        .expect("disabling takes powers away; no approval needed");
    approval_needed(
        auth::change_account(&db, &as_ada, "mallory", AccountChange::Disabled(false)).await,
    );
    approval_needed(
        auth::change_account(
            &db,
            &as_ada,
            "mallory",
            AccountChange::Password("another-long-one".into()),
        )
        .await,
    );
    approval_needed(four_eyes::set_four_eyes(&db, &as_ada, false).await);
    let release = db
        .find_account("release")
        .await
        .expect("find")
        .expect("there");
    assert_eq!(release.role, Role::ReleaseManager);
    let mallory = db
        .find_account("mallory")
        .await
        .expect("find")
        .expect("there");
    assert!(mallory.disabled);
    assert!(four_eyes::settings(&db).await.expect("settings").four_eyes);

    // Each request waits with exactly what it would do.
    for (action, plan) in [
        (
            Action::UserCreateAdmin,
            "create the account eve with the Admin role",
        ),
        (
            Action::UserPromote,
            "give release (now Release manager) the Admin role",
        ),
        (
            Action::UserEnableAdmin,
            "re-enable the disabled admin mallory",
        ),
        (
            Action::UserPasswordResetAdmin,
            "set a new password for the admin mallory (disabled) and end their sessions",
        ),
    ] {
        assert_eq!(waiting(&db, action).await.plan, plan);
    }

    // An admin of long standing approves switching it off; then Ada may.
    auth::create_account(
        &db,
        &Actor::Cli("ops".into()),
        "grace",
        Role::Viewer,
        password,
    )
    .await
    .expect("grace");
    db.change_account(
        "grace",
        &forest_runbook::db::AccountField::Role(Role::Admin),
        false,
    )
    .await
    .expect("an admin from before adminSince was recorded");
    let off = waiting(&db, Action::SettingsFourEyesOff).await;
    four_eyes::approve(&db, &admin("grace"), &off.id, DAY)
        .await
        .expect("an older admin approves");
    four_eyes::set_four_eyes(&db, &as_ada, false)
        .await
        .expect("switched off with the approval");
    assert!(!four_eyes::settings(&db).await.expect("settings").four_eyes);
    db.drop_database().await.expect("drop");
}

/// A backup of `db` in a new folder, then four-eyes switched on by Ada.
async fn backed_up_with_four_eyes_on(
    db: &Database,
) -> (tempfile::TempDir, BackupStore, Manifest, Actor) {
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let manifest = take(db, &store, false).await;
    let ada = Actor::User(admin("ada"));
    four_eyes::set_four_eyes(db, &ada, true)
        .await
        .expect("turn on");
    (dir, store, manifest, ada)
}

#[tokio::test]
async fn deleting_a_backup_needs_a_second_admin_who_reads_what_it_holds() {
    let db = demo("four_eyes_delete", 20).await;
    let (_dir, store, manifest, ada) = backed_up_with_four_eyes_on(&db).await;
    approval_needed(backup::delete(&db, &store, &ada, &manifest.name).await);
    assert!(
        store.manifest(&manifest.name).is_ok(),
        "the backup is still there"
    );
    let request = waiting(&db, Action::BackupDelete).await;
    assert_eq!(request.target, manifest.name);
    for collection in &manifest.collections {
        let listed = format!("{} ({} documents)", collection.name, collection.documents);
        assert!(
            request.plan.contains(&listed),
            "{listed} in {}",
            request.plan
        );
    }
    four_eyes::approve(&db, &admin("bob"), &request.id, DAY)
        .await
        .expect("approve");
    backup::delete(&db, &store, &ada, &manifest.name)
        .await
        .expect("deleted once approved");
    assert!(store.manifest(&manifest.name).is_err());
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_restores_approver_reads_each_collection_and_each_index_with_its_options() {
    let db = demo("four_eyes_restore_plan", 20).await;
    let unique_when_a_string = mongodb::IndexModel::builder()
        .keys(doc! { "clientId": 1 })
        .options(
            mongodb::options::IndexOptions::builder()
                .name("Task_clientId_key".to_owned())
                .unique(true)
                .partial_filter_expression(doc! { "clientId": { "$type": "string" } })
                .build(),
        )
        .build();
    raw(&db)
        .await
        .collection::<mongodb::bson::Document>("tasks")
        .create_index(unique_when_a_string)
        .await
        .expect("index");
    let (_dir, store, manifest, ada) = backed_up_with_four_eyes_on(&db).await;
    let confirmation = backup::Confirmation {
        database: db.name(),
        accept_options: true,
    };
    let jobs = backup::Jobs::new(db.clone());
    approval_needed(backup::restore(&db, &store, &jobs, &ada, &manifest.name, confirmation).await);
    let plan = waiting(&db, Action::RollbackRestore).await.plan;
    for collection in &manifest.collections {
        let listed = format!("{} ({} documents; ", collection.name, collection.documents);
        assert!(plan.contains(&listed), "{listed} in {plan}");
    }
    let index = r#"Task_clientId_key {"key":{"clientId":1},"unique":true,"partialFilterExpression":{"clientId":{"$type":"string"}}}"#;
    assert!(plan.contains(index), "{index} in {plan}");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_reverts_approver_reads_each_index_and_how_many_documents_a_drop_takes() {
    use forest_runbook::ops::migration::{PHASE_0, migrate, revert};
    let db = demo("four_eyes_revert_plan", 20).await;
    let cli = Actor::Cli("test".into());
    migrate(&db, &cli, &PHASE_0).await.expect("migrate");
    let devices: Vec<_> = (0..3)
        .map(|i| doc! { "deviceId": format!("device-{i}"), "platform": "ios" })
        .collect();
    raw(&db)
        .await
        .collection::<mongodb::bson::Document>("devices")
        .insert_many(devices)
        .await
        .expect("devices");
    let (_dir, store, _, ada) = backed_up_with_four_eyes_on(&db).await;
    approval_needed(revert(&db, &ada, &PHASE_0, db.name(), &store).await);
    let plan = waiting(&db, ACTION).await.plan;
    assert!(
        plan.contains("drop collection devices (3 documents, exported into a new backup first)"),
        "{plan}"
    );
    assert!(
        plan.contains("drop index Task_clientId_key on tasks"),
        "{plan}"
    );
    db.drop_database().await.expect("drop");
}
