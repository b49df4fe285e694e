//! The monitor against a real server: a known load moves the operation
//! counts and the pool; 50 subscribers over HTTP each receive every sample
//! while the sampler reads `serverStatus` once per interval; `/metrics`
//! and the thresholds through the router.

use crate::helpers::{body_text, raw, settings_in, test_db};
use crate::roles::{call, cookie_for, seed_accounts};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::db::{DemoDataSpec, OpCounters};
use forest_runbook::model::{AuditFilter, Bound, Outcome};
use forest_runbook::monitor::Monitor;
use forest_runbook::server::{AppState, router};
use http_body_util::BodyExt;
use mongodb::bson::{DateTime, Document, doc};
use std::time::Duration;
use tower::ServiceExt;

const ONE_SECOND: Duration = Duration::from_secs(1);
const A_WEEK: Duration = Duration::from_secs(7 * 86_400);

/// Waits until the sampler has made at least `rounds` rounds.
async fn wait_for_rounds(monitor: &Monitor, rounds: u64) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while monitor.rounds() < rounds {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the sampler keeps sampling");
}

fn inserts(monitor: &Monitor) -> u64 {
    let reading = monitor.latest_reading().expect("a reading");
    let status = reading.status.as_ref().expect("serverStatus is readable");
    status.opcounters.map_or(0, |c: OpCounters| c.insert)
}

/// Commands named `name` this app has had answered so far.
fn commands(db: &forest_runbook::db::Database, name: &str) -> u64 {
    db.driver_tally()
        .commands
        .get(name)
        .map_or(0, |c| c.finished)
}

/// A monitor sampling `db` every second, its counts every `counts_every`.
fn sampling(db: &forest_runbook::db::Database, counts_every: Duration) -> Monitor {
    let migration = forest_runbook::ops::migration::current();
    Monitor::start(db.clone(), migration, ONE_SECOND, counts_every, A_WEEK)
}

#[tokio::test]
async fn a_known_load_moves_the_operation_counts_and_the_pool() {
    let db = test_db("monitor_load").await;
    let monitor = sampling(&db, ONE_SECOND);
    wait_for_rounds(&monitor, 2).await;
    let before = inserts(&monitor);
    let sent_before = commands(&db, "insert");
    let open_before: u64 = db.driver_tally().pools.values().map(|p| p.open).sum();

    let spec = DemoDataSpec {
        users: 50,
        tasks: 400,
        sessions: 150,
        messy: false,
        seed: 7,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    // Thirty commands at once need more than one pooled connection.
    let pings: Vec<_> = (0..30)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.ping().await })
        })
        .collect();
    for ping in pings {
        ping.await.expect("joins").expect("ping");
    }
    let rounds = monitor.rounds();
    wait_for_rounds(&monitor, rounds + 2).await;

    // mongod counts each inserted document, secantusd-rs each insert
    // command; other tests share the server. Either way the counter grew by
    // at least the insert commands this test sent.
    let sent = commands(&db, "insert") - sent_before;
    let grew = inserts(&monitor) - before;
    assert!(sent >= 3, "one insert per collection at least, sent {sent}");
    assert!(
        grew >= sent,
        "opcounters.insert grew by {grew} for {sent} inserts"
    );
    let window = monitor.window();
    let insert_rates = &window.series["ops/insert"];
    assert!(insert_rates.points.iter().any(|p| p.value > 0.0));
    assert!(
        window
            .latest("connections/current")
            .is_some_and(|c| c >= 1.0)
    );
    assert!(
        window.series.contains_key("commands/insert"),
        "this app's insert latency is charted"
    );

    let open_after: u64 = db.driver_tally().pools.values().map(|p| p.open).sum();
    assert!(
        open_after > open_before,
        "pool grew from {open_before} to {open_after}"
    );
    let server = db
        .driver_tally()
        .pools
        .keys()
        .next()
        .cloned()
        .expect("a pool");
    assert!(window.series.contains_key(&format!("pool/{server}/idle")));
    assert!(window.unavailable.is_empty(), "{:?}", window.unavailable);
    let migration = window
        .migration
        .clone()
        .expect("sampled")
        .expect("readable");
    assert_eq!(migration.state.as_str(), "pending");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn devices_and_sync_activity_are_counted_as_the_mobile_client_writes_them() {
    let db = test_db("monitor_sync_counts").await;
    let raw = raw(&db).await;
    let now = DateTime::now();
    let yesterday = DateTime::from_millis(now.timestamp_millis() - 86_400_000);
    raw.collection::<Document>("devices")
        .insert_many([
            doc! { "deviceId": "a", "createdAt": now },
            doc! { "deviceId": "b", "createdAt": now },
            doc! { "deviceId": "c", "createdAt": yesterday },
        ])
        .await
        .expect("devices");
    raw.collection::<Document>("tasks")
        .insert_many([
            doc! { "clientId": "t1" },
            doc! { "clientId": "t2" },
            doc! { "clientId": "t3" },
            doc! { "clientId": "t4" },
            doc! { "clientId": null },
            doc! { "title": "written by the web app" },
        ])
        .await
        .expect("tasks");
    raw.collection::<Document>("focus_sessions")
        .insert_many([
            doc! { "clientId": "s1" },
            doc! { "clientId": "s2" },
            doc! { "clientId": 7 },
        ])
        .await
        .expect("sessions");
    raw.collection::<Document>("users")
        .insert_many([
            doc! { "email": "a@x", "lastSyncedAt": now },
            doc! { "email": "b@x", "lastSyncedAt": now },
            doc! { "email": "c@x", "lastSyncedAt": yesterday },
            doc! { "email": "d@x" },
        ])
        .await
        .expect("users");

    let monitor = sampling(&db, ONE_SECOND);
    wait_for_rounds(&monitor, 1).await;
    let window = monitor.window();
    for (series, expected) in [
        ("devices/total", 3.0),
        ("devices/new", 2.0),
        ("sync/tasks_with_client_id", 4.0),
        ("sync/sessions_with_client_id", 2.0),
        ("sync/users_synced", 2.0),
    ] {
        assert_eq!(window.latest(series), Some(expected), "{series}");
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_sync_counts_are_read_once_per_count_interval_and_repeated_between() {
    let db = test_db("monitor_count_interval").await;
    let monitor = sampling(&db, Duration::from_secs(3_600));
    wait_for_rounds(&monitor, 3).await;
    // count_documents runs as one aggregate per count: five per reading.
    let aggregates = db.driver_tally().commands["aggregate"].started;
    assert_eq!(aggregates, 5, "the counts were read once in three rounds");
    let window = monitor.window();
    assert_eq!(window.series["sync/users_synced"].points.len(), 3);
    db.drop_database().await.expect("drop");
}

/// The sample ids one subscriber received after its window, reading its
/// event stream until it has `wanted` of them.
async fn sample_ids(app: axum::Router, cookie: String, wanted: usize) -> Vec<u64> {
    let request = Request::get("/api/monitor/events")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let mut text = String::new();
    let mut ids = Vec::new();
    let mut saw_window = false;
    while ids.len() < wanted {
        let frame = body.frame().await.expect("stream open").expect("frame");
        if let Some(data) = frame.data_ref() {
            text.push_str(std::str::from_utf8(data).expect("utf-8"));
        }
        while let Some((event, rest)) = text.split_once("\n\n") {
            if event.contains("event: window") {
                assert!(ids.is_empty(), "the window comes first");
                saw_window = true;
            } else if event.contains("event: sample") {
                assert!(saw_window, "the window comes before samples");
                let id = event
                    .lines()
                    .find_map(|l| l.strip_prefix("id: "))
                    .expect("an id")
                    .parse()
                    .expect("numeric id");
                ids.push(id);
            }
            text = rest.to_owned();
        }
    }
    ids
}

#[tokio::test]
async fn fifty_subscribers_each_receive_every_sample_while_the_sampler_reads_once_per_interval() {
    let db = test_db("monitor_fanout").await;
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.monitor.sample_interval_secs = 1;
    let state = AppState::new(settings, db.clone());
    let monitor = state.monitor.clone();
    let app = router(state);
    let cookie = cookie_for(&db, "viewer").await;
    wait_for_rounds(&monitor, 1).await;

    let subscribers: Vec<_> = (0..50)
        .map(|_| tokio::spawn(sample_ids(app.clone(), cookie.clone(), 3)))
        .collect();
    let mut all = Vec::new();
    for subscriber in subscribers {
        all.push(subscriber.await.expect("joins"));
    }
    for ids in &all {
        assert!(
            ids.windows(2).all(|pair| pair[1] == pair[0] + 1),
            "no sample skipped or repeated: {ids:?}"
        );
    }
    let rounds = monitor.rounds();
    let status_reads = db.driver_tally().commands["serverStatus"].started;
    // One serverStatus per round (the next may be in flight), not one per viewer.
    assert!(
        status_reads == rounds || status_reads == rounds + 1,
        "{status_reads} serverStatus reads for {rounds} rounds and 50 subscribers"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn closing_the_monitor_ends_every_event_stream() {
    let db = test_db("monitor_close").await;
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let state = AppState::new(settings_in(dir.path()), db.clone());
    let monitor = state.monitor.clone();
    let app = router(state);
    let request = Request::get("/api/monitor/events")
        .header(header::COOKIE, cookie_for(&db, "viewer").await)
        .body(Body::empty())
        .expect("request");
    let mut body = app.oneshot(request).await.expect("response").into_body();
    let first = body.frame().await.expect("a frame").expect("readable");
    let text = String::from_utf8(first.into_data().expect("data").to_vec()).expect("utf-8");
    assert!(text.starts_with("event: window"), "{text}");
    monitor.close();
    let end = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("the stream ends promptly");
    assert!(end.is_none(), "no more events after closing");
    let rounds = monitor.rounds();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(monitor.rounds() <= rounds + 1, "the sampler stopped");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_signed_out_browser_gets_no_events() {
    let db = test_db("monitor_signed_out").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let app = router(AppState::new(settings_in(dir.path()), db.clone()));
    let request = Request::get("/api/monitor/events")
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    db.drop_database().await.expect("drop");
}

/// `GET /metrics`, with a bearer `token` and from `peer` when given.
async fn get_metrics(
    app: &axum::Router,
    token: Option<&str>,
    peer: Option<&str>,
) -> (StatusCode, String) {
    let mut request = Request::get("/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = request.body(Body::empty()).expect("request");
    if let Some(peer) = peer {
        let peer: std::net::SocketAddr = peer.parse().expect("address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
    }
    let response = app.clone().oneshot(request).await.expect("response");
    (response.status(), body_text(response).await)
}

/// An app whose sampler has read once, with `metrics_token` set to `token`.
async fn sampled_app(db: &forest_runbook::db::Database, token: &str) -> axum::Router {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.monitor.sample_interval_secs = 1;
    settings.monitor.metrics_token = token.into();
    let state = AppState::new(settings, db.clone());
    wait_for_rounds(&state.monitor, 1).await;
    router(state)
}

#[tokio::test]
async fn metrics_serve_the_sampled_series_and_honour_the_token() {
    let db = test_db("monitor_metrics").await;
    let app = sampled_app(&db, "scrape-me").await;

    assert_eq!(
        get_metrics(&app, None, None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_metrics(&app, Some("wrong"), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, text) = get_metrics(&app, Some("scrape-me"), None).await;
    assert_eq!(status, StatusCode::OK);
    for expected in [
        "mongodb_up 1",
        "mongodb_ss_connections{conn_type=\"current\"}",
        "mongodb_ss_opcounters{legacy_op_type=\"insert\"}",
        "mongodb_ss_opLatencies_latency{op_type=\"reads\"}",
        "forest_runbook_pool_connections{server=",
        "forest_runbook_command_duration_microseconds_count{command=\"serverStatus\"}",
        "forest_runbook_devices 0",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_admin_sets_and_clears_a_threshold_and_each_change_is_audited() {
    let db = test_db("monitor_thresholds").await;
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let app = router(AppState::new(settings_in(dir.path()), db.clone()));
    let admin = cookie_for(&db, "admin").await;

    let body = "series=latency/reads&bound=above&limit=25.5";
    assert_eq!(
        call(&app, "set_threshold", body, Some(&admin)).await,
        StatusCode::OK
    );
    let bad = "series=nonsense&bound=above&limit=1";
    assert_eq!(
        call(&app, "set_threshold", bad, Some(&admin)).await,
        StatusCode::BAD_REQUEST
    );
    let stored = db.monitor_thresholds().await.expect("thresholds");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].series, "latency/reads");
    assert_eq!(stored[0].bound, Bound::Above);
    assert!((stored[0].limit - 25.5).abs() < f64::EPSILON);

    let clear = "series=latency/reads";
    assert_eq!(
        call(&app, "clear_threshold", clear, Some(&admin)).await,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "clear_threshold", clear, Some(&admin)).await,
        StatusCode::NOT_FOUND
    );
    assert!(
        db.monitor_thresholds()
            .await
            .expect("thresholds")
            .is_empty()
    );

    let audit = db
        .list_audit(&AuditFilter::default(), 100)
        .await
        .expect("audit");
    let recorded = |action: &str, outcome: Outcome| {
        audit
            .iter()
            .any(|e| e.action == action && e.outcome == outcome && e.actor == "admin")
    };
    assert!(recorded("monitor.threshold.set", Outcome::Ok));
    assert!(recorded("monitor.threshold.set", Outcome::Failed));
    assert!(recorded("monitor.threshold.clear", Outcome::Ok));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_event_stream_ends_within_a_sample_of_signing_out() {
    let db = test_db("monitor_sign_out").await;
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.monitor.sample_interval_secs = 1;
    let app = router(AppState::new(settings, db.clone()));
    let request = Request::get("/api/monitor/events")
        .header(header::COOKIE, cookie_for(&db, "viewer").await)
        .body(Body::empty())
        .expect("request");
    let mut body = app.oneshot(request).await.expect("response").into_body();
    body.frame().await.expect("the window").expect("readable");
    db.delete_sessions_of("viewer").await.expect("sign out");
    tokio::time::timeout(Duration::from_secs(4), async {
        while body.frame().await.is_some() {}
    })
    .await
    .expect("the stream ends within a sample or two of the session ending");
    db.drop_database().await.expect("drop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_viewers_cost_the_database_what_one_does() {
    let db = test_db("monitor_viewers").await;
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.monitor.sample_interval_secs = 1;
    let state = AppState::new(settings, db.clone());
    let app = router(state.clone());
    let cookie = cookie_for(&db, "viewer").await;
    let open = || async {
        let request = Request::get("/api/monitor/events")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .expect("request");
        let mut body = app
            .clone()
            .oneshot(request)
            .await
            .expect("response")
            .into_body();
        body.frame().await.expect("the window").expect("readable");
        body
    };
    // The finds of three samples: the sampler's, and the viewers' sessions.
    let three_samples = || async {
        let before = commands(&db, "find");
        tokio::time::sleep(Duration::from_secs(3)).await;
        commands(&db, "find") - before
    };
    let mut viewers = vec![open().await];
    let one = three_samples().await;
    for _ in 1..100 {
        viewers.push(open().await);
    }
    assert_eq!(state.monitor_sessions.watched(), 100);
    let hundred = three_samples().await;
    // Checked one by one, a hundred sessions would be 600 more finds.
    assert!(
        hundred <= one * 2 + 10,
        "one viewer: {one} finds, a hundred: {hundred}"
    );
    drop(viewers);
    assert_eq!(
        state.monitor_sessions.watched(),
        0,
        "a closed stream is no longer watched"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn without_a_token_metrics_are_for_this_machine_only_and_name_no_address() {
    let db = test_db("monitor_metrics_local").await;
    let app = sampled_app(&db, "").await;
    for stranger in [Some("203.0.113.9:40000"), None] {
        let (status, _) = get_metrics(&app, None, stranger).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{stranger:?}");
    }
    let (status, text) = get_metrics(&app, None, Some("127.0.0.1:40000")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("forest_runbook_pool_connections{server=\"0\""),
        "{text}"
    );
    assert!(!text.contains("127.0.0.1"), "no internal address:\n{text}");
    db.drop_database().await.expect("drop");
}
