//! Accounts and sessions against the real server: expiry, disabling,
//! password resets, rate limiting, the last admin, and the audit trail.

use crate::helpers::{server_uri, test_db};
use crate::roles::{app_with_accounts, call, cookie_for, seed_accounts};
use axum::http::StatusCode;
use forest_runbook::auth::{self, AccountChange, LoginLimiter, SessionToken};
use forest_runbook::model::{AuditFilter, CurrentUser, Outcome, Role};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::audit::Actor;
use std::time::{Duration, SystemTime};

const PASSWORD: &str = "a-long-password";

#[tokio::test]
async fn an_expired_session_is_not_accepted() {
    let db = test_db("acc_expiry").await;
    seed_accounts(&db).await;
    let token = SessionToken::generate();
    db.insert_session(
        &token.hashed(),
        "admin",
        SystemTime::now() - Duration::from_secs(1),
    )
    .await
    .expect("insert");
    assert_eq!(auth::authenticate(&db, &token).await.expect("lookup"), None);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_refuses_their_sign_in() {
    let db = test_db("acc_disable").await;
    let app = app_with_accounts(&db).await;
    let viewer_cookie = cookie_for(&db, "viewer").await;
    assert_eq!(
        call(&app, "list_audit", "filter[actor]=", Some(&viewer_cookie)).await,
        StatusCode::OK
    );

    let admin = Actor::User(CurrentUser {
        username: "admin".into(),
        role: Role::Admin,
    });
    auth::change_account(&db, &admin, "viewer", AccountChange::Disabled(true))
        .await
        .expect("disable");
    assert_eq!(
        call(&app, "list_audit", "filter[actor]=", Some(&viewer_cookie)).await,
        StatusCode::UNAUTHORIZED
    );
    let err = auth::login(
        &db,
        &LoginLimiter::default(),
        "viewer",
        PASSWORD,
        "ip",
        Duration::from_secs(60),
    )
    .await
    .expect_err("disabled");
    assert!(matches!(err, OpsError::LoginFailed), "{err:?}");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_failed_sign_in_does_not_say_whether_the_user_exists_and_is_rate_limited() {
    let db = test_db("acc_login").await;
    seed_accounts(&db).await;
    let limiter = LoginLimiter::default();
    let lifetime = Duration::from_secs(60);
    let unknown = auth::login(&db, &limiter, "ghost", PASSWORD, "10.0.0.1", lifetime)
        .await
        .expect_err("unknown user");
    let wrong = auth::login(
        &db,
        &limiter,
        "admin",
        "wrong-password!",
        "10.0.0.1",
        lifetime,
    )
    .await
    .expect_err("wrong password");
    assert_eq!(unknown.to_string(), wrong.to_string());

    for _ in 0..5 {
        let _ = auth::login(
            &db,
            &limiter,
            "admin",
            "wrong-password!",
            "10.0.0.2",
            lifetime,
        )
        .await;
    }
    // The guesser's address waits, even with the right password...
    let limited = auth::login(&db, &limiter, "admin", PASSWORD, "10.0.0.2", lifetime)
        .await
        .expect_err("slowed after five failures");
    assert!(
        matches!(limited, OpsError::RateLimited { .. }),
        "{limited:?}"
    );
    // ...while the owner, elsewhere, signs in.
    auth::login(&db, &limiter, "admin", PASSWORD, "10.0.0.3", lifetime)
        .await
        .expect("the owner is not locked out");

    let log = db
        .list_audit(&AuditFilter::default(), 100)
        .await
        .expect("audit");
    let logins = |outcome: Outcome| {
        log.iter()
            .filter(|e| e.action == "login" && e.outcome == outcome)
            .map(|e| e.count)
            .sum::<u64>()
    };
    assert_eq!(logins(Outcome::Failed), 7);
    assert_eq!(logins(Outcome::Denied), 1);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_password_reset_ends_sessions_and_the_last_admin_cannot_be_demoted() {
    let db = test_db("acc_admin").await;
    let app = app_with_accounts(&db).await;
    let admin = Actor::User(CurrentUser {
        username: "admin".into(),
        role: Role::Admin,
    });
    let release_cookie = cookie_for(&db, "release").await;
    auth::change_account(
        &db,
        &admin,
        "release",
        AccountChange::Password("another-long-one".into()),
    )
    .await
    .expect("reset");
    assert_eq!(
        call(&app, "list_audit", "filter[actor]=", Some(&release_cookie)).await,
        StatusCode::UNAUTHORIZED
    );

    let err = auth::change_account(&db, &admin, "admin", AccountChange::Role(Role::Viewer))
        .await
        .expect_err("last admin");
    assert!(matches!(err, OpsError::Conflict(_)), "{err:?}");
    let log = db
        .list_audit(
            &AuditFilter {
                actor: Some("admin".into()),
                action: Some("user.role".into()),
            },
            10,
        )
        .await
        .expect("audit");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].outcome, Outcome::Failed);
    assert_eq!(log[0].error_code.as_deref(), Some("CONFLICT"));
    db.drop_database().await.expect("drop");
}

#[test]
fn the_cli_adds_a_user_from_stdin_and_is_audited_as_cli() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let db_name = "t_acc_cli";
    let uri = server_uri().replace("/?", &format!("/{db_name}?"));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_forest-runbook"))
        .args([
            "user",
            "add",
            "grace",
            "--role",
            "release_manager",
            "--json",
        ])
        .env("MONGODB_URI", &uri)
        .env("FOREST_PATHS__LOGS_DIR", dir.path())
        .env("USER", "tester")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a-long-password\n")
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let db = forest_runbook::db::Database::connect(&uri, "x")
            .await
            .expect("connect");
        let account = db
            .find_account("grace")
            .await
            .expect("find")
            .expect("created");
        assert_eq!(account.role, Role::ReleaseManager);
        assert_ne!(account.password_hash, "a-long-password");
        let log = db
            .list_audit(&AuditFilter::default(), 10)
            .await
            .expect("audit");
        assert!(log.iter().any(|e| e.actor == "cli:tester"
            && e.action == "user.create"
            && e.outcome == Outcome::Ok));
        db.drop_database().await.expect("drop");
    });
}
