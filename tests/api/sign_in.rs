//! Sign-in and anonymous traffic against the real server, as an attacker
//! tried them: parallel guesses, locking the owner out, growing the audit
//! log, oversized bodies, DNS rebinding, the cookie over HTTPS, and the
//! demo accounts' passwords.

use crate::helpers::{body_text, settings_in, test_db};
use crate::roles::seed_accounts;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::auth::{self, LoginLimiter};
use forest_runbook::config::Settings;
use forest_runbook::db::Database;
use forest_runbook::model::{AuditFilter, Outcome, Role};
use forest_runbook::ops::OpsError;
use forest_runbook::server::{AppState, router};
use futures::TryStreamExt;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const PASSWORD: &str = "a-long-password";
const MINUTE: Duration = Duration::from_secs(60);

fn app(db: &Database, change: impl FnOnce(&mut Settings)) -> Router {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    change(&mut settings);
    router(AppState::new(settings, db.clone()))
}

/// A sign-in through the router, as the login form posts it.
fn login_request(host: Option<&str>, origin: Option<&str>, body: String) -> Request<Body> {
    let mut request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(host) = host {
        request = request.header(header::HOST, host);
    }
    if let Some(origin) = origin {
        request = request.header(header::ORIGIN, origin);
    }
    request.body(Body::from(body)).expect("request")
}

fn form(username: &str, password: &str) -> String {
    format!("username={username}&password={password}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_parallel_guesses_get_five_password_checks_and_the_owner_still_signs_in() {
    let db = test_db("sign_in_parallel").await;
    seed_accounts(&db).await;
    let limiter = Arc::new(LoginLimiter::default());
    let guesses: Vec<_> = (0..40)
        .map(|i| {
            let (db, limiter) = (db.clone(), limiter.clone());
            tokio::spawn(async move {
                let guess = format!("guess-number-{i}");
                auth::login(&db, &limiter, "admin", &guess, "203.0.113.9", MINUTE).await
            })
        })
        .collect();
    let (mut checked, mut limited) = (0, 0);
    for guess in guesses {
        match guess.await.expect("joins") {
            Err(OpsError::LoginFailed) => checked += 1,
            Err(OpsError::RateLimited { .. }) => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((checked, limited), (5, 35));

    // The owner, from their own address, is not locked out by the guesser.
    let (user, _) = auth::login(&db, &limiter, "admin", PASSWORD, "198.51.100.7", MINUTE)
        .await
        .expect("the owner signs in");
    assert_eq!(user.role, Role::Admin);

    // The audit holds the guesses as two rows with counts, not forty.
    let log = db
        .list_audit(
            &AuditFilter {
                actor: Some("anonymous".into()),
                action: Some("login".into()),
            },
            100,
        )
        .await
        .expect("audit");
    let count = |outcome: Outcome| {
        log.iter()
            .filter(|e| e.outcome == outcome)
            .map(|e| e.count)
            .sum::<u64>()
    };
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!((count(Outcome::Failed), count(Outcome::Denied)), (5, 35));
    assert!(
        log.iter()
            .all(|e| e.address.as_deref() == Some("203.0.113.9"))
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_strangers_requests_write_a_bounded_amount_and_big_bodies_get_413() {
    let db = test_db("sign_in_bounded").await;
    seed_accounts(&db).await;
    let limiter = LoginLimiter::default();
    let huge = "a".repeat(1_536 * 1_024);
    for _ in 0..10 {
        let refused = auth::login(&db, &limiter, &huge, PASSWORD, "203.0.113.9", MINUTE).await;
        assert!(refused.is_err());
    }
    let log = db
        .list_audit(&AuditFilter::default(), 100)
        .await
        .expect("audit");
    let anonymous: Vec<_> = log.iter().filter(|e| e.actor == "anonymous").collect();
    assert_eq!(anonymous.len(), 2, "{anonymous:?}");
    assert!(anonymous.iter().all(|e| e.target.len() <= 64));
    assert_eq!(anonymous.iter().map(|e| e.count).sum::<u64>(), 10);

    let app = app(&db, |_| {});
    let response = app
        .oneshot(login_request(None, None, form(&huge, PASSWORD)))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_page_under_another_host_name_cannot_sign_in_or_call_anything() {
    let db = test_db("sign_in_rebinding").await;
    seed_accounts(&db).await;
    let local = app(&db, |s| {
        s.server.address = "127.0.0.1:3100".parse().expect("addr")
    });
    let rebound = login_request(
        Some("evil.example:3100"),
        Some("http://evil.example:3100"),
        form("admin", PASSWORD),
    );
    let response = local.clone().oneshot(rebound).await.expect("response");
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(!response.headers().contains_key(header::SET_COOKIE));
    let page = Request::get("/api/health")
        .header(header::HOST, "evil.example:3100")
        .body(Body::empty())
        .expect("request");
    let response = local.clone().oneshot(page).await.expect("response");
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);

    let own = login_request(
        Some("localhost:3100"),
        Some("http://localhost:3100"),
        form("admin", PASSWORD),
    );
    let response = local.clone().oneshot(own).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);

    let listed = app(&db, |s| {
        s.server.allowed_hosts = vec!["runbook.example".into()]
    });
    let named = login_request(
        Some("runbook.example"),
        Some("http://runbook.example"),
        form("viewer", PASSWORD),
    );
    let response = listed.oneshot(named).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_form_posted_without_javascript_comes_back_to_its_page_with_its_error() {
    let db = test_db("sign_in_no_js").await;
    seed_accounts(&db).await;
    let local = app(&db, |s| {
        s.server.address = "127.0.0.1:3100".parse().expect("addr")
    });
    let post = |password: &str| {
        Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::HOST, "127.0.0.1:3100")
            .header(header::ORIGIN, "http://127.0.0.1:3100")
            .header(header::REFERER, "http://127.0.0.1:3100/login")
            .body(Body::from(form("admin", password)))
            .expect("request")
    };
    let refused = local
        .clone()
        .oneshot(post("not-the-password"))
        .await
        .expect("response");
    assert!(refused.status().is_redirection(), "{}", refused.status());
    let back_to = refused.headers()[header::LOCATION]
        .to_str()
        .expect("location");
    assert!(
        back_to.starts_with("http://127.0.0.1:3100/login?") && back_to.contains("__err="),
        "{back_to}"
    );
    assert!(back_to.contains("__path=%2Fapi%2Flogin"), "{back_to}");
    assert!(!refused.headers().contains_key(header::SET_COOKIE));

    let page = Request::get(back_to.trim_start_matches("http://127.0.0.1:3100"))
        .header(header::HOST, "127.0.0.1:3100")
        .body(Body::empty())
        .expect("request");
    let shown = body_text(local.clone().oneshot(page).await.expect("page")).await;
    assert!(shown.contains("Wrong user name or password"), "{shown}");

    let signed_in = local.oneshot(post(PASSWORD)).await.expect("response");
    assert!(signed_in.status().is_redirection());
    assert!(
        !signed_in.headers()[header::LOCATION]
            .to_str()
            .expect("location")
            .contains("__err")
    );
    assert!(signed_in.headers().contains_key(header::SET_COOKIE));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_host_only_and_plain_http_origins_are_refused() {
    let db = test_db("sign_in_https").await;
    seed_accounts(&db).await;
    let host = "127.0.0.1:3000";
    let plain = app(&db, |_| {});
    // A client's X-Forwarded-Proto no longer decides anything.
    let mut request = login_request(Some(host), None, form("viewer", PASSWORD));
    request
        .headers_mut()
        .insert("x-forwarded-proto", "https".parse().expect("value"));
    let response = plain.oneshot(request).await.expect("response");
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(cookie.starts_with("forest_session=") && !cookie.contains("Secure"));

    let https = app(&db, |s| s.server.https = true);
    let from_http = login_request(
        Some(host),
        Some("http://127.0.0.1:3000"),
        form("viewer", PASSWORD),
    );
    let response = https.clone().oneshot(from_http).await.expect("response");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let from_https = login_request(
        Some(host),
        Some("https://127.0.0.1:3000"),
        form("viewer", PASSWORD),
    );
    let response = https.clone().oneshot(from_https).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("text")
        .to_owned();
    assert!(cookie.starts_with("__Host-forest_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );

    // The session works under its own name only.
    let session = cookie.split(';').next().expect("name=value").to_owned();
    let who = |cookie: String| {
        Request::post("/api/who_am_i")
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .expect("request")
    };
    let response = https
        .clone()
        .oneshot(who(session.clone()))
        .await
        .expect("response");
    assert!(body_text(response).await.contains("viewer"));
    let plain_name = session.replace("__Host-forest_session", "forest_session");
    let response = https.oneshot(who(plain_name)).await.expect("response");
    assert_eq!(body_text(response).await, "null");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_audit_csv_shows_a_formula_shaped_name_as_text() {
    let db = test_db("sign_in_csv").await;
    seed_accounts(&db).await;
    let limiter = LoginLimiter::default();
    let formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    let _ = auth::login(&db, &limiter, formula, PASSWORD, "203.0.113.9", MINUTE).await;
    let cookie = crate::roles::cookie_for(&db, "viewer").await;
    let request = Request::get("/audit.csv?actor=anonymous")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let response = app(&db, |_| {}).oneshot(request).await.expect("response");
    let csv = body_text(response).await;
    assert!(csv.contains("\"'=HYPERLINK("), "{csv}");
    assert!(
        !csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"),
        "{csv}"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn demo_accounts_get_random_passwords_that_are_stored_only_as_hashes() {
    let db = test_db("sign_in_demo").await;
    db.prepare_app_collections().await.expect("indexes");
    let created = auth::create_demo_accounts(&db, None).await.expect("demo");
    assert_eq!(created.len(), 3);
    let limiter = LoginLimiter::default();
    for account in &created {
        assert!(account.password.len() >= 16, "{account:?}");
        let stored = db
            .find_account(account.name)
            .await
            .expect("find")
            .expect("created");
        assert!(!stored.password_hash.contains(&account.password));
        // The password that used to be published no longer signs in.
        let published = format!("forest-{}-demo", account.name);
        let old = auth::login(&db, &limiter, account.name, &published, "ip", MINUTE).await;
        assert!(matches!(old, Err(OpsError::LoginFailed)), "{old:?}");
        auth::login(&db, &limiter, account.name, &account.password, "ip", MINUTE)
            .await
            .expect("the printed password signs in");
    }
    assert_ne!(created[0].password, created[1].password);
    db.drop_database().await.expect("drop");
}

/// Moves every limiter key's last counted attempt `back` into the past,
/// as if that much time had gone by on the server.
async fn time_passes(db: &Database, back: Duration) {
    let millis = i64::try_from(back.as_millis()).expect("millis");
    crate::helpers::raw(db)
        .await
        .collection::<mongodb::bson::Document>("runbook_sign_in_limits")
        .update_many(
            mongodb::bson::doc! {},
            vec![mongodb::bson::doc! { "$set": { "last": {
                "$dateSubtract": { "startDate": "$last", "unit": "millisecond", "amount": millis }
            } } }],
        )
        .await
        .expect("move the clock");
}

#[tokio::test]
async fn waits_double_up_to_the_cap_are_forgotten_after_an_hour_and_new_keys_stop_at_the_bound() {
    let db = test_db("sign_in_backoff").await;
    db.prepare_app_collections().await.expect("indexes");
    let limiter = LoginLimiter::default();
    let attempt = |account: &'static str, address: &'static str| {
        let (db, limiter) = (db.clone(), limiter);
        async move {
            limiter
                .attempt(&db, account, address)
                .await
                .expect("the limiter answers")
                .map(drop)
        }
    };
    for i in 0..5 {
        assert_eq!(attempt("ada", "192.0.2.1").await, Ok(()), "free try {i}");
    }
    assert_eq!(attempt("Ada", "192.0.2.1").await, Err(1), "the sixth waits");
    for wait in [2, 4, 8] {
        time_passes(&db, Duration::from_secs(wait / 2)).await;
        assert_eq!(attempt("ada", "192.0.2.1").await, Ok(()));
        assert_eq!(attempt("ada", "192.0.2.1").await, Err(wait), "doubled");
    }
    // The owner elsewhere, and others at that address, are not slowed.
    assert_eq!(attempt("ada", "198.51.100.1").await, Ok(()));
    assert_eq!(attempt("grace", "192.0.2.1").await, Ok(()));
    // Past the address's free 20 too, so both keys wait their longest.
    for _ in 0..40 {
        time_passes(&db, Duration::from_secs(15 * 60)).await;
        let _ = attempt("ada", "192.0.2.1").await;
    }
    assert_eq!(
        attempt("ada", "192.0.2.1").await,
        Err(15 * 60),
        "the wait is capped"
    );
    time_passes(&db, Duration::from_secs(2 * 3_600)).await;
    for i in 0..5 {
        assert_eq!(attempt("ada", "192.0.2.1").await, Ok(()), "forgotten {i}");
    }

    // Keys are bounded: when the collection is full, a new key waits and
    // nothing is written for it.
    let raw = crate::helpers::raw(&db).await;
    let limits = raw.collection::<mongodb::bson::Document>("runbook_sign_in_limits");
    let kept = limits
        .count_documents(mongodb::bson::doc! {})
        .await
        .expect("count");
    let full = LoginLimiter {
        max_keys: kept,
        ..limiter
    };
    let refused = full
        .attempt(&db, "newcomer", "203.0.113.50")
        .await
        .expect("answers");
    assert_eq!(refused.map(drop), Err(1));
    assert_eq!(
        limits
            .count_documents(mongodb::bson::doc! {})
            .await
            .expect("count"),
        kept
    );
    // Each key expires (TTL) an hour after its last counted attempt.
    let ttl = limits
        .list_indexes()
        .await
        .expect("indexes")
        .try_collect::<Vec<mongodb::IndexModel>>()
        .await
        .expect("indexes");
    assert!(
        ttl.iter()
            .any(|index| index.keys == mongodb::bson::doc! { "expiresAt": 1 }
                && index.options.as_ref().and_then(|o| o.expire_after) == Some(Duration::ZERO)),
        "{ttl:?}"
    );
    db.drop_database().await.expect("drop");
}
