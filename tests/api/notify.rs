//! Webhook notifications against stand-in receivers on loopback (axum on
//! port 0 recording every body, one that answers 500 twice then 200, and a
//! socket that accepts and never answers): the order and the fields of
//! both formats, the retries and their record, a receiver that hangs not
//! holding up a step, and a bad webhook URL refused by the setting's name.

use crate::helpers::{server_uri, settings_in, test_db};
use crate::process::program;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use forest_runbook::config::NotifySettings;
use forest_runbook::db::Database;
use forest_runbook::forest::Prober;
use forest_runbook::model::{CurrentUser, Role};
use forest_runbook::model::{NoticeKind, NotificationDelivery};
use forest_runbook::monitor::Monitor;
use forest_runbook::notify;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::migration::{PHASE_0, revert, verify};
use forest_runbook::ops::prisma::PrismaSource;
use forest_runbook::ops::{forest_api, four_eyes, notices, thresholds};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const LINK_BASE: &str = "http://runbook.test";

/// What the stand-in receiver was sent: the route's name and the body.
#[derive(Clone, Default)]
struct Received {
    bodies: Arc<Mutex<Vec<(String, Value)>>>,
    /// Requests to `/flaky`, which answers 500 to the first two.
    flaky_calls: Arc<AtomicUsize>,
}

impl Received {
    fn bodies(&self, route: &str) -> Vec<Value> {
        self.bodies
            .lock()
            .expect("lock")
            .iter()
            .filter(|(r, _)| r == route)
            .map(|(_, body)| body.clone())
            .collect()
    }
}

async fn receive(
    State(received): State<Received>,
    Path(route): Path<String>,
    body: String,
) -> StatusCode {
    if route == "flaky" && received.flaky_calls.fetch_add(1, Ordering::SeqCst) < 2 {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let body = serde_json::from_str(&body).expect("a JSON body");
    received.bodies.lock().expect("lock").push((route, body));
    StatusCode::OK
}

async fn receiver() -> (SocketAddr, Received) {
    let received = Received::default();
    let app = Router::new()
        .route("/{route}", post(receive))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (address, received)
}

fn notify_settings(webhooks: Vec<String>) -> NotifySettings {
    let dir = tempfile::tempdir().expect("temp dir");
    NotifySettings {
        webhooks,
        first_retry_ms: 20,
        timeout_secs: 30,
        give_up_secs: 120,
        ..settings_in(dir.path()).notify
    }
}

/// `db` with its own outbox to `webhooks`.
fn announcing(db: &Database, webhooks: Vec<String>) -> Database {
    db.clone()
        .with_outbox(notify::start(&notify_settings(webhooks), LINK_BASE, db))
}

/// A fresh database, a stand-in receiver, and the database announcing to
/// it: each of `hooks` is `FORMAT /route`.
async fn with_receiver(test: &str, hooks: &[&str]) -> (Database, Received, Database) {
    let db = test_db(test).await;
    let (address, received) = receiver().await;
    let webhooks = hooks
        .iter()
        .map(|hook| hook.replacen(" /", &format!(" http://{address}/"), 1))
        .collect();
    let announcing = announcing(&db, webhooks);
    (db, received, announcing)
}

fn cli() -> Actor {
    Actor::Cli("test".into())
}

fn no_backups() -> BackupStore {
    BackupStore::new(
        "/nonexistent/forest-runbook-backups",
        0,
        Duration::from_secs(3_600),
    )
}

async fn run_verify(db: &Database) {
    verify(
        db,
        &cli(),
        &PHASE_0,
        &no_backups(),
        &PrismaSource::default(),
    )
    .await
    .expect("verify runs");
}

/// Waits (at most 20 s) until `done` holds.
async fn until(mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not reached within 20 s");
}

async fn deliveries(db: &Database) -> Vec<NotificationDelivery> {
    db.recent_deliveries(100).await.expect("deliveries")
}

#[tokio::test]
async fn a_steps_start_and_end_arrive_in_order_in_both_formats() {
    let (db, received, announcing) =
        with_receiver("notify_order", &["slack /slack", "json /json"]).await;
    run_verify(&announcing).await;
    let refused = revert(&announcing, &cli(), &PHASE_0, "wrong-name", &no_backups()).await;
    assert!(refused.is_err(), "a wrong typed name fails the revert");
    until(async || received.bodies("json").len() >= 4 && received.bodies("slack").len() >= 4).await;

    let json = received.bodies("json");
    let events: Vec<(&str, &str)> = json
        .iter()
        .map(|b| {
            (
                b["event"].as_str().expect("event"),
                b["step"].as_str().expect("step"),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("step_started", "verify"),
            ("step_ended", "verify"),
            ("step_started", "revert"),
            ("step_failed", "revert"),
        ]
    );
    for body in &json {
        assert_eq!(body["actor"], "cli:test");
        assert_eq!(body["link"], format!("{LINK_BASE}/runbook"));
        assert!(
            body["time"].as_str().is_some_and(|t| t.starts_with("20")),
            "{body}"
        );
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    assert_eq!(json[0]["outcome"], Value::Null);
    assert_eq!(json[1]["outcome"], "ok");
    assert_eq!(json[3]["outcome"], "failed");

    let slack: Vec<String> = received
        .bodies("slack")
        .iter()
        .map(|b| {
            assert_eq!(b.as_object().map(|o| o.len()), Some(1), "only text: {b}");
            b["text"].as_str().expect("text").to_owned()
        })
        .collect();
    assert!(
        slack[0].contains("cli:test started the verify"),
        "{}",
        slack[0]
    );
    assert!(
        slack[1].contains("the verify (add_mobile_sync_support) finished: ")
            && slack[1].contains("checks failed"),
        "{}",
        slack[1]
    );
    assert!(
        slack[3].contains("the revert (add_mobile_sync_support) failed"),
        "{}",
        slack[3]
    );
    assert!(
        slack
            .iter()
            .all(|t| t.contains("<http://runbook.test/runbook|"))
    );

    until(async || deliveries(&db).await.len() == 8).await;
    let records = deliveries(&db).await;
    assert!(
        records
            .iter()
            .all(|d| d.delivered && d.attempts == 1 && d.status == Some(200))
    );
    assert!(
        records
            .iter()
            .all(|d| !d.webhook.contains("/slack") && !d.webhook.contains("/json"))
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_third_attempt_and_the_record_says_three() {
    let (db, received, announcing) = with_receiver("notify_retry", &["json /flaky"]).await;
    notices::send_test(&announcing, &cli())
        .await
        .expect("queued");
    until(async || !deliveries(&db).await.is_empty()).await;

    let delivery = deliveries(&db).await.remove(0);
    assert!(delivery.delivered);
    assert_eq!(delivery.attempts, 3);
    assert_eq!(delivery.status, Some(200));
    assert_eq!(delivery.last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(delivery.kind, NoticeKind::Test);
    assert_eq!(received.flaky_calls.load(Ordering::SeqCst), 3);
    assert_eq!(received.bodies("flaky").len(), 1);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_receiver_that_never_answers_does_not_hold_up_the_step() {
    let db = test_db("notify_hang").await;
    // Accepts connections and never reads or answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&accepted);
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            held.push(socket);
        }
    });
    let announcing = announcing(&db, vec![format!("json http://{address}/hook")]);

    run_verify(&announcing).await;
    // The step has finished and recorded its verification ...
    assert!(
        db.latest_verification(PHASE_0.name)
            .await
            .expect("read")
            .is_some()
    );
    // ... while its first notice is still waiting for an answer: the
    // receiver has the connection, and no delivery has ended.
    until(async || accepted.load(Ordering::SeqCst) >= 1).await;
    assert!(deliveries(&db).await.is_empty());
    // Another step runs meanwhile, its notices queued behind.
    run_verify(&announcing).await;
    assert!(deliveries(&db).await.is_empty());
    assert_eq!(announcing.outbox().dropped(), 0);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_failing_probe_round_and_a_four_eyes_request_are_announced() {
    let (db, received, announcing) = with_receiver("notify_probe", &["json /events"]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut api = settings_in(dir.path()).forest_api;
    // Nothing listens on port 1: the connection is refused.
    api.base_urls = vec!["http://127.0.0.1:1".to_owned()];
    forest_api::probe_now(&announcing, &cli(), &Prober::new(api))
        .await
        .expect("the round runs");
    let ada = CurrentUser {
        username: "ada".into(),
        role: Role::Admin,
    };
    four_eyes::request(
        &announcing,
        &ada,
        forest_runbook::model::Action::StepRevert,
        "add_mobile_sync_support",
        "drop",
    )
    .await
    .expect("filed");
    until(async || received.bodies("events").len() == 2).await;
    let bodies = received.bodies("events");
    assert_eq!(bodies[0]["event"], "probe_failed");
    assert_eq!(bodies[0]["link"], format!("{LINK_BASE}/forest-api"));
    assert!(
        bodies[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("1 of 1") && m.contains("127.0.0.1:1")),
        "{}",
        bodies[0]
    );
    assert_eq!(bodies[1]["event"], "approval_requested");
    assert_eq!(bodies[1]["actor"], "ada");
    assert_eq!(bodies[1]["link"], format!("{LINK_BASE}/settings"));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_delivery_record_keeps_only_the_newest() {
    let db = test_db("notify_keep").await;
    for n in 0..5 {
        let delivery = NotificationDelivery {
            at: format!("2026-12-02T10:00:0{n}Z"),
            webhook: "json http://127.0.0.1/…".into(),
            format: "json".into(),
            kind: NoticeKind::Test,
            step: None,
            message: format!("notice {n}"),
            delivered: true,
            attempts: 1,
            status: Some(200),
            last_error: None,
            dropped_before: 0,
        };
        db.record_delivery(&delivery, 3).await.expect("recorded");
    }
    let kept: Vec<String> = deliveries(&db)
        .await
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert_eq!(kept, ["notice 4", "notice 3", "notice 2"]);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_breached_threshold_is_announced_once_while_it_stays_breached() {
    let (db, received, announcing) = with_receiver("notify_breach", &["json /breach"]).await;
    // No user has synced: 0 is above -1 from the first sample on.
    thresholds::set(&db, &cli(), "sync/users_synced", "above", -1.0)
        .await
        .expect("threshold");
    let monitor = Monitor::start(
        db.clone(),
        &PHASE_0,
        Duration::from_secs(1),
        Duration::from_secs(1),
        Duration::from_secs(3_600),
    );
    tokio::spawn(thresholds::announce_breaches(announcing, monitor.clone()));
    until(async || received.bodies("breach").len() == 1).await;
    let seen = monitor.rounds();
    until(async || monitor.rounds() >= seen + 2).await;
    let bodies = received.bodies("breach");
    assert_eq!(bodies.len(), 1, "once, not once per sample: {bodies:?}");
    assert_eq!(bodies[0]["event"], "threshold_breached");
    assert_eq!(bodies[0]["link"], format!("{LINK_BASE}/monitor"));
    assert!(
        bodies[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("sync/users_synced above -1")),
        "{}",
        bodies[0]
    );
    monitor.close();
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_line_step_is_announced_before_the_program_exits() {
    let db = test_db("notify_cli").await;
    let (address, received) = receiver().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut command = program(dir.path());
    command
        .env("MONGODB_URI", server_uri())
        .env("FOREST_DATABASE__NAME", db.name())
        .env(
            "FOREST_NOTIFY__WEBHOOKS",
            format!("json http://{address}/cli"),
        )
        .args(["verify", "--json"]);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("joined")
        .expect("run");
    // The empty database fails verification; the step still ran and was told.
    assert!(!output.status.success());
    let events: Vec<Value> = received
        .bodies("cli")
        .iter()
        .map(|b| b["event"].clone())
        .collect();
    assert_eq!(events, ["step_started", "step_ended"]);
    assert!(
        received.bodies("cli")[0]["actor"]
            .as_str()
            .is_some_and(|a| a.starts_with("cli:"))
    );
    assert_eq!(deliveries(&db).await.len(), 2);
    db.drop_database().await.expect("drop");
}

#[test]
fn a_bad_webhook_url_stops_the_program_naming_the_setting_not_the_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = program(dir.path())
        .env(
            "FOREST_NOTIFY__WEBHOOKS",
            "slack ftp://hooks.example/T0/B0/secret-token",
        )
        .arg("plan")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid setting notify.webhooks"),
        "{stderr}"
    );
    assert!(stderr.contains("ftp://hooks.example/…"), "{stderr}");
    assert!(!stderr.contains("secret-token"), "{stderr}");
}
