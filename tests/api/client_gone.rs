//! A step outlives the browser that started it: the request for migrate is
//! dropped while the run is under way (the tab was closed), and the run
//! still ends applied, with the lock released; a backup whose start request
//! is dropped before it answers still ends complete.

use crate::helpers::{settings_in, test_db};
use crate::roles::{app_with_accounts, cookie_for, seed_accounts};
use axum::body::Body;
use axum::http::{Request, header};
use forest_runbook::db::{Database, DemoDataSpec};
use forest_runbook::model::{BackupState, MigrationState};
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::migration::PHASE_0;
use forest_runbook::server::{AppState, router};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Posts `body` to `endpoint` as `cookie`'s browser would, and closes the
/// tab (drops the request) once the work holds the migration lock.
async fn post_then_close_once_locked(
    app: axum::Router,
    db: &Database,
    endpoint: &str,
    cookie: String,
    body: &'static str,
) {
    let request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request");
    let browser = tokio::spawn(app.oneshot(request));
    let deadline = Instant::now() + Duration::from_secs(20);
    while db.lock_holder().await.expect("lock").is_none() {
        assert!(
            !browser.is_finished(),
            "{endpoint} answered before it was seen holding the lock"
        );
        assert!(Instant::now() < deadline, "{endpoint} never took the lock");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    browser.abort();
}

#[tokio::test]
async fn migrate_runs_to_its_end_when_the_browser_goes_away_mid_run() {
    let db = test_db("client_gone").await;
    let app = app_with_accounts(&db).await;
    let spec = DemoDataSpec {
        users: 20,
        tasks: 3_000,
        sessions: 500,
        messy: false,
        seed: 5,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    let cookie = cookie_for(&db, "admin").await;
    // The tab closes once the run holds the lock.
    post_then_close_once_locked(
        app,
        &db,
        "run_migrate",
        cookie,
        "without_backup=the+test+database+has+no+backup",
    )
    .await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let state = db.migration_state(PHASE_0.name).await.expect("state");
        let locked = db.lock_holder().await.expect("lock").is_some();
        if state == MigrationState::Applied && !locked {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run stopped with its browser: {state:?}, locked: {locked}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_backup_whose_start_request_is_dropped_still_ends_complete() {
    let db = test_db("client_gone_backup").await;
    seed_accounts(&db).await;
    let spec = DemoDataSpec {
        users: 20,
        tasks: 3_000,
        sessions: 500,
        messy: false,
        seed: 6,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    let dir = tempfile::tempdir().expect("dir");
    let settings = settings_in(dir.path());
    let store = BackupStore::new(&settings.paths.backups_dir, 0, Duration::ZERO);
    let app = router(AppState::new(settings, db.clone()));
    let cookie = cookie_for(&db, "release").await;
    // The page is left while the backup is being prepared, under the lock.
    post_then_close_once_locked(app, &db, "start_backup", cookie, "").await;

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let states: Vec<BackupState> = store
            .list()
            .expect("list")
            .iter()
            .map(|b| b.state)
            .collect();
        let locked = db.lock_holder().await.expect("lock").is_some();
        if states == [BackupState::Complete] && !locked {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the backup stopped with its page: {states:?}, locked: {locked}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    db.drop_database().await.expect("drop");
}
