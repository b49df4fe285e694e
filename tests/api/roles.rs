//! Every server function checks the caller's role on the server. The table
//! below must name every registered server function: adding one without an
//! entry fails `every_server_function_is_in_the_role_table`.

use crate::helpers::{settings_in, test_db};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::auth::{self, LoginLimiter};
use forest_runbook::db::Database;
use forest_runbook::model::{AuditFilter, Outcome, Role};
use forest_runbook::ops::audit::Actor;
use forest_runbook::server::{AppState, router};
use std::time::Duration;
use tower::ServiceExt;

/// Endpoint, the least role that may call it (`None`: public), and a body
/// whose arguments parse, so that only the role decides the answer.
const TABLE: &[(&str, Option<Role>, &str)] = &[
    ("login", None, "username=nobody&password=not-the-password"),
    ("get_health", None, ""),
    ("who_am_i", None, ""),
    ("logout", Some(Role::Viewer), ""),
    (
        "list_audit",
        Some(Role::Viewer),
        "filter[actor]=&filter[action]=",
    ),
    ("get_settings", Some(Role::Viewer), ""),
    ("forest_api_overview", Some(Role::Viewer), ""),
    ("probe_now", Some(Role::ReleaseManager), ""),
    ("forest_logs", Some(Role::Viewer), ""),
    ("forest_pool", Some(Role::Viewer), ""),
    ("prisma_check", Some(Role::Viewer), ""),
    ("set_four_eyes", Some(Role::Admin), "enabled=false"),
    ("list_approvals", Some(Role::Admin), ""),
    ("get_notifications", Some(Role::Admin), ""),
    ("send_test_notification", Some(Role::Admin), ""),
    (
        "approve_request",
        Some(Role::Admin),
        "id=000000000000000000000000",
    ),
    ("get_runbook", Some(Role::Viewer), ""),
    ("get_rehearsal", Some(Role::Viewer), ""),
    ("run_rehearse", Some(Role::ReleaseManager), ""),
    ("get_status", Some(Role::Viewer), ""),
    ("get_deployment_report", Some(Role::Viewer), ""),
    ("dry_run", Some(Role::ReleaseManager), ""),
    ("run_migrate", Some(Role::ReleaseManager), ""),
    ("run_verify", Some(Role::ReleaseManager), ""),
    ("run_revert", Some(Role::Admin), "confirmation=wrong-name"),
    (
        "cancel_run",
        Some(Role::ReleaseManager),
        "run=000000000000000000000000",
    ),
    ("get_checklist", Some(Role::Viewer), ""),
    (
        "set_checklist_item",
        Some(Role::ReleaseManager),
        "item=no-such-item&done=true",
    ),
    (
        "acknowledge_item",
        Some(Role::ReleaseManager),
        "item=no-such-item&note=why",
    ),
    ("get_duplicates", Some(Role::Viewer), "key=&offset=0"),
    (
        "plan_dedupe",
        Some(Role::ReleaseManager),
        "keep=oldest&offset=0",
    ),
    (
        "apply_dedupe",
        Some(Role::ReleaseManager),
        "keep=oldest&confirmation=wrong-name",
    ),
    (
        "undo_dedupe",
        Some(Role::ReleaseManager),
        "confirmation=wrong-name",
    ),
    ("get_devices", Some(Role::Viewer), ""),
    ("get_monitor", Some(Role::Viewer), ""),
    ("get_monitor_history", Some(Role::Viewer), "range=24h"),
    (
        "set_threshold",
        Some(Role::Admin),
        "series=ops/insert&bound=above&limit=1000",
    ),
    ("clear_threshold", Some(Role::Admin), "series=ops/insert"),
    ("list_users", Some(Role::Admin), ""),
    ("list_backups", Some(Role::Viewer), ""),
    ("backup_progress", Some(Role::Viewer), ""),
    ("start_backup", Some(Role::ReleaseManager), ""),
    ("cancel_backup", Some(Role::ReleaseManager), ""),
    (
        "verify_backup",
        Some(Role::ReleaseManager),
        "name=no-such-backup",
    ),
    ("delete_backup", Some(Role::Admin), "name=no-such-backup"),
    ("import_backup", Some(Role::Admin), "path=/nonexistent/dump"),
    (
        "start_restore",
        Some(Role::Admin),
        "name=no-such-backup&confirmation=wrong-name",
    ),
    (
        "create_user",
        Some(Role::Admin),
        "username=zed&role=viewer&password=a-long-password",
    ),
    (
        "set_user_role",
        Some(Role::Admin),
        "username=nobody&role=viewer",
    ),
    (
        "set_user_disabled",
        Some(Role::Admin),
        "username=nobody&disabled=false",
    ),
    (
        "reset_user_password",
        Some(Role::Admin),
        "username=nobody&password=a-long-password",
    ),
];

const PASSWORD: &str = "a-long-password";

/// Creates a viewer, a release manager and an admin, each with `PASSWORD`.
pub async fn seed_accounts(db: &Database) {
    db.prepare_app_collections().await.expect("indexes");
    let cli = Actor::Cli("test".into());
    for (name, role) in [
        ("viewer", Role::Viewer),
        ("release", Role::ReleaseManager),
        ("admin", Role::Admin),
    ] {
        auth::create_account(db, &cli, name, role, PASSWORD)
            .await
            .expect("create account");
    }
}

pub async fn app_with_accounts(db: &Database) -> Router {
    seed_accounts(db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    // A folder that cannot be made: the calls that would write a backup
    // fail after their role check, and nothing outlives the test.
    settings.paths.backups_dir = "/dev/null/forest-runbook-backups".into();
    router(AppState::new(settings, db.clone()))
}

pub async fn cookie_for(db: &Database, name: &str) -> String {
    let (_, token) = auth::login(
        db,
        &LoginLimiter::default(),
        name,
        PASSWORD,
        "127.0.0.1",
        Duration::from_secs(600),
    )
    .await
    .expect("login");
    format!("{}={}", auth::SESSION_COOKIE, token.as_str())
}

pub async fn call(app: &Router, endpoint: &str, body: &str, cookie: Option<&str>) -> StatusCode {
    let mut request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let request = request.body(Body::from(body.to_owned())).expect("request");
    app.clone()
        .oneshot(request)
        .await
        .expect("response")
        .status()
}

#[test]
fn every_server_function_is_in_the_role_table() {
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    assert!(!registered.is_empty(), "server functions are registered");
    for path in &registered {
        assert!(
            TABLE.iter().any(|(endpoint, _, _)| endpoint == path),
            "server function {path} has no entry in the role table of tests/api/roles.rs"
        );
    }
    for (endpoint, _, _) in TABLE {
        assert!(
            registered.contains(&(*endpoint).to_owned()),
            "{endpoint} is not registered"
        );
    }
}

#[tokio::test]
async fn each_role_is_refused_below_the_required_one_and_each_refusal_is_audited() {
    let db = test_db("roles_table").await;
    let app = app_with_accounts(&db).await;
    let cookies = [
        (Role::Viewer, cookie_for(&db, "viewer").await),
        (Role::ReleaseManager, cookie_for(&db, "release").await),
        (Role::Admin, cookie_for(&db, "admin").await),
    ];
    for (endpoint, required, body) in TABLE {
        let Some(required) = required else { continue };
        let status = call(&app, endpoint, body, None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{endpoint} without a session"
        );
        for (role, cookie) in &cookies {
            if *endpoint == "logout" {
                continue; // it would end the session the later calls use
            }
            let status = call(&app, endpoint, body, Some(cookie)).await;
            if role.includes(*required) {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{endpoint} as {role}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint} as {role}");
            }
        }
    }
    let denied = db
        .list_audit(&AuditFilter::default(), 1_000)
        .await
        .expect("audit");
    let denied_as = |actor: &str, code: &str| {
        denied.iter().any(|e| {
            e.actor == actor
                && e.outcome == Outcome::Denied
                && e.error_code.as_deref() == Some(code)
        })
    };
    assert!(denied_as("anonymous", "UNAUTHENTICATED"));
    assert!(denied_as("viewer", "FORBIDDEN"));
    assert!(denied_as("release", "FORBIDDEN"));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_it_runs() {
    let db = test_db("roles_csrf").await;
    let app = app_with_accounts(&db).await;
    let cookie = cookie_for(&db, "admin").await;
    let request = Request::post("/api/create_user")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::COOKIE, &cookie)
        .body(Body::from(
            "username=mallory&role=admin&password=a-long-password",
        ))
        .expect("request");
    let status = app
        .clone()
        .oneshot(request)
        .await
        .expect("response")
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(db.find_account("mallory").await.expect("find").is_none());
    db.drop_database().await.expect("drop");
}
