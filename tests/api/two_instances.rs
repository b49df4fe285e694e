//! Two instances of the app on one database, each with its own driver
//! client and its own router, as behind a load balancer: only one migrates
//! at a time, a backup started on one is watched and cancelled from the
//! other, and the sign-in limiter counts the attempts made on both.

use crate::backup::{demo, store_in};
use crate::helpers::{body_text, server_uri, settings_in};
use crate::lock::SLOW;
use crate::roles::{cookie_for, seed_accounts};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use forest_runbook::db::Database;
use forest_runbook::model::{BackupState, JobProgress, JobState, RunState};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::migration::migrate;
use forest_runbook::server::{AppState, router};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tower::ServiceExt;

/// A demo database with the test accounts, and two instances on it.
async fn two_instances(
    name: &str,
    tasks: usize,
) -> (Database, tempfile::TempDir, [(Database, Router); 2]) {
    let db = demo(name, tasks).await;
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("dir");
    let first = instance(&db, dir.path()).await;
    let second = instance(&db, dir.path()).await;
    (db, dir, [first, second])
}

/// One instance: its own client on the shared database, and its router.
/// Both instances keep their backups in `dir`, as two hosts sharing a volume.
async fn instance(db: &Database, dir: &Path) -> (Database, Router) {
    let own = Database::connect(server_uri(), db.name())
        .await
        .expect("a client of its own");
    let app = router(AppState::new(settings_in(dir), own.clone()));
    (own, app)
}

/// Posts a server function's form from `peer`; the status and the body.
async fn post(
    app: &Router,
    endpoint: &str,
    body: &str,
    cookie: Option<&str>,
    peer: &str,
) -> (StatusCode, String) {
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let mut request = request.body(Body::from(body.to_owned())).expect("request");
    let peer: SocketAddr = peer.parse().expect("peer");
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    (status, body_text(response).await)
}

async fn progress(app: &Router, cookie: &str) -> JobProgress {
    let (status, body) = post(app, "backup_progress", "", Some(cookie), "127.0.0.1:1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let job: Option<JobProgress> = serde_json::from_str(&body).expect("progress");
    job.expect("a job is shown")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_started_on_one_instance_is_watched_and_cancelled_on_the_other() {
    let (db, dir, [(_, first), (_, second)]) = two_instances("two_backup", 20_000).await;
    let cookie = cookie_for(&db, "release").await;

    let (status, body) = post(&first, "start_backup", "", Some(&cookie), "127.0.0.1:1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let name: String = serde_json::from_str(&body).expect("the backup's name");

    let watched = progress(&second, &cookie).await;
    assert_eq!(watched.backup, name, "the other instance shows the job");
    assert_eq!(watched.state, JobState::Running);

    let (status, body) = post(&second, "cancel_backup", "", Some(&cookie), "127.0.0.1:1").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "true"));
    let mut job = progress(&second, &cookie).await;
    for _ in 0..600 {
        if job.state != JobState::Running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        job = progress(&second, &cookie).await;
    }
    assert_eq!(job.state, JobState::Cancelled, "{job:?}");
    assert_eq!(progress(&first, &cookie).await, job, "both show the same");
    assert_eq!(
        store_in(dir.path())
            .manifest(&name)
            .expect("manifest")
            .state,
        BackupState::Cancelled
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_wrong_sign_ins_spread_over_two_instances_get_five_password_checks() {
    let (db, _dir, [(_, first), (_, second)]) = two_instances("two_sign_in", 0).await;
    let guesses: Vec<_> = (0..40)
        .map(|i| {
            let app = if i % 2 == 0 { &first } else { &second }.clone();
            tokio::spawn(async move {
                let guess = format!("username=admin&password=guess-number-{i}");
                post(&app, "login", &guess, None, "203.0.113.9:4000")
                    .await
                    .0
            })
        })
        .collect();
    let (mut checked, mut limited) = (0, 0);
    for guess in guesses {
        match guess.await.expect("joins") {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("{other}"),
        }
    }
    assert_eq!((checked, limited), (5, 35), "one limit for both instances");

    // The guesser waits on either instance, even with the right password...
    let right = "username=admin&password=a-long-password";
    for app in [&first, &second] {
        let (status, _) = post(app, "login", right, None, "203.0.113.9:4001").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
    // ...while the owner, from their own address, signs in on either.
    for app in [&first, &second] {
        let (status, body) = post(app, "login", right, None, "198.51.100.7:4000").await;
        assert!(
            status.is_success() || status.is_redirection(),
            "{status} {body}"
        );
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_instance_migrates_at_a_time() {
    let (db, _dir, [(first, _), (second, second_app)]) = two_instances("two_lock", 30_000).await;
    let cookie = cookie_for(&db, "release").await;
    let actor = Actor::Cli("test".into());

    let running = {
        let (first, actor) = (first.clone(), actor.clone());
        tokio::spawn(async move { migrate(&first, &actor, &SLOW).await })
    };
    while second.lock_holder().await.expect("lock").is_none() {
        assert!(!running.is_finished(), "the first run ended unseen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refused = migrate(&second, &actor, &SLOW)
        .await
        .expect_err("the second instance waits");
    assert!(matches!(refused, OpsError::LockHeld { .. }), "{refused}");
    let (status, body) = post(
        &second_app,
        "start_backup",
        "",
        Some(&cookie),
        "127.0.0.1:1",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a backup waits too: {body}");

    let applied = running
        .await
        .expect("join")
        .expect("the first run finishes");
    assert_eq!(applied.state, RunState::Succeeded);
    let after = migrate(&second, &actor, &SLOW)
        .await
        .expect("then the second may run");
    assert_eq!(after.state, RunState::Succeeded);
    db.drop_database().await.expect("drop");
}
