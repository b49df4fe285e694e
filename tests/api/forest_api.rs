//! The Forest API probe against a stand-in Forest API (axum on port 0)
//! that answers healthy, unhealthy, slow, malformed, HTML, huge, and
//! redirects in a loop, on the same host and to another host.

use crate::helpers::{server_uri, settings_in, test_db};
use crate::process::program;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use forest_runbook::config::ForestApiSettings;
use forest_runbook::forest::Prober;
use forest_runbook::model::{AuditFilter, ProbeResult};
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::forest_api;
use forest_runbook::ops::migration::PHASE_0;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

async fn stand_in() -> SocketAddr {
    let healthy = || json!({"success": true, "data": {"status": "healthy", "uptime": 12}});
    let app = Router::new()
        .route(
            "/healthy",
            get(move || async move { axum::Json(healthy()) }),
        )
        .route(
            "/unhealthy",
            get(|| async {
                let body = json!({"success": false, "error": "database unreachable"});
                (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body))
            }),
        )
        .route(
            "/slow",
            get(move || async move {
                tokio::time::sleep(Duration::from_secs(5)).await;
                axum::Json(healthy())
            }),
        )
        .route(
            "/malformed",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        )
        .route(
            "/html",
            get(|| async { Html("<html><body>Bad gateway</body></html>") }),
        )
        .route(
            "/huge",
            get(|| async { "x".repeat(1_000_000).into_response() }),
        )
        .route("/loop", get(|| async { Redirect::temporary("/loop") }))
        .route("/hop", get(|| async { Redirect::temporary("/healthy") }))
        .route(
            "/elsewhere",
            get(|headers: HeaderMap| async move {
                let host = headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or_default()
                    .replace("127.0.0.1", "localhost");
                Redirect::temporary(&format!("http://{host}/healthy"))
            }),
        )
        .route(
            "/guarded",
            get(move |headers: HeaderMap| async move {
                if headers.get("x-forest-token").is_some_and(|t| t == "s3cret") {
                    (StatusCode::OK, axum::Json(healthy()))
                } else {
                    let body = json!({"success": false, "error": "unauthorized"});
                    (StatusCode::UNAUTHORIZED, axum::Json(body))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    address
}

fn settings(base: String, health_path: &str, endpoints: &[&str]) -> ForestApiSettings {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path()).forest_api;
    settings.base_urls = vec![base];
    settings.health_path = health_path.to_owned();
    settings.endpoints = endpoints.iter().map(|e| (*e).to_owned()).collect();
    settings.timeout_secs = 1;
    settings
}

async fn probe(address: SocketAddr, path: &str) -> ProbeResult {
    let prober = Prober::new(settings(format!("http://{address}"), path, &[]));
    let mut results = prober.probe_all().await;
    assert_eq!(results.len(), 1);
    results.remove(0)
}

#[tokio::test]
async fn each_answer_of_the_stand_in_gets_the_verdict_a_person_can_act_on() {
    let address = stand_in().await;
    let healthy = probe(address, "/healthy").await;
    assert!(healthy.passed, "{healthy:?}");
    assert_eq!(
        (healthy.status, healthy.reason.as_str()),
        (Some(200), "healthy")
    );
    assert!(healthy.body_excerpt.contains("\"healthy\""));

    let cases = [
        (
            "/unhealthy",
            Some(503),
            "success: false: database unreachable",
        ),
        ("/malformed", Some(200), "wrong shape"),
        ("/html", Some(200), "answered HTML"),
        ("/huge", Some(200), "longer than 65536 bytes"),
        ("/loop", None, "redirect loop"),
        ("/elsewhere", Some(307), "another host, not followed"),
        ("/guarded", Some(401), "success: false: unauthorized"),
    ];
    for (path, status, reason) in cases {
        let result = probe(address, path).await;
        assert!(!result.passed, "{path}: {result:?}");
        assert_eq!(result.status, status, "{path}: {result:?}");
        assert!(result.reason.contains(reason), "{path}: {}", result.reason);
    }
    let hop = probe(address, "/hop").await;
    assert!(
        hop.passed,
        "a redirect on the same host is followed: {hop:?}"
    );
}

#[tokio::test]
async fn a_hanging_api_times_out_and_a_closed_port_is_called_refused() {
    let address = stand_in().await;
    let slow = probe(address, "/slow").await;
    assert!(!slow.passed);
    assert!(slow.reason.contains("timed out"), "{}", slow.reason);
    assert!(
        slow.latency_ms < 3_000,
        "bounded by the 1 s timeout: {slow:?}"
    );

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let refused = probe(closed, "/api/health").await;
    assert_eq!(refused.status, None);
    assert!(
        refused.reason.starts_with("connection refused"),
        "{}",
        refused.reason
    );
}

#[tokio::test]
async fn credentials_are_sent_only_when_configured_and_further_endpoints_check_their_status() {
    let address = stand_in().await;
    let mut with_token = settings(format!("http://{address}"), "/guarded", &["GET /html 200"]);
    with_token.credentials_header = "X-Forest-Token: s3cret".into();
    let results = Prober::new(with_token).probe_all().await;
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.passed), "{results:?}");
    assert_eq!(results[1].reason, "answered HTTP 200 OK as expected");
}

#[tokio::test]
async fn probes_on_demand_are_stored_and_audited_and_a_held_lock_means_a_deployment() {
    let db = test_db("forest_api_probe").await;
    db.prepare_app_collections().await.expect("indexes");
    let address = stand_in().await;
    let prober = Prober::new(settings(
        format!("http://{address}"),
        "/healthy",
        &["GET /unhealthy 503"],
    ));
    let actor = Actor::Cli("test".into());
    let results = forest_api::probe_now(&db, &actor, &prober)
        .await
        .expect("probe");
    assert_eq!(results.len(), 2);

    let overview = forest_api::overview(&db, &PHASE_0, &prober)
        .await
        .expect("overview");
    assert!(!overview.deployment_in_progress);
    assert_eq!(overview.results.len(), 2);
    assert!(overview.results.iter().all(|r| r.passed));
    assert_eq!(
        overview.targets,
        [
            format!("GET http://{address}/healthy → 200"),
            format!("GET http://{address}/unhealthy → 503"),
        ]
    );
    let audit = db
        .list_audit(&AuditFilter::default(), 10)
        .await
        .expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "forest_api.probe" && e.actor == "cli:test")
    );

    let taken = db
        .acquire_lock("test", Duration::from_secs(60))
        .await
        .expect("lock");
    assert!(taken.is_ok());
    assert!(
        forest_api::deployment_in_progress(&db, &PHASE_0)
            .await
            .expect("state")
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn rounds_are_probed_every_interval_only_while_a_deployment_is_in_progress() {
    let db = test_db("forest_api_rounds").await;
    let address = stand_in().await;
    let mut every_second = settings(format!("http://{address}"), "/healthy", &[]);
    every_second.interval_secs = 1;
    let rounds = tokio::spawn(forest_api::probe_during_deployments(
        db.clone(),
        &PHASE_0,
        Prober::new(every_second),
    ));
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert!(db.recent_probes(10).await.expect("probes").is_empty());

    let taken = db
        .acquire_lock("test", Duration::from_secs(60))
        .await
        .expect("lock");
    assert!(taken.is_ok());
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let probes = db.recent_probes(10).await.expect("probes");
    assert!(!probes.is_empty(), "probed while the lock was held");
    assert!(probes.iter().all(|p| p.passed));
    rounds.abort();
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_probe_command_prints_json_and_exits_non_zero_when_a_probe_fails() {
    let db = test_db("cli_probe").await;
    let address = stand_in().await;
    let uri = server_uri().replacen("/?", "/t_cli_probe?", 1);
    let run = |health_path: &'static str| {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = program(dir.path());
        command
            .args(["probe", "--json"])
            .env("MONGODB_URI", &uri)
            .env("FOREST_FOREST_API__BASE_URLS", format!("http://{address}"))
            .env("FOREST_FOREST_API__HEALTH_PATH", health_path);
        tokio::task::spawn_blocking(move || (command.output().expect("run probe"), dir))
    };
    let (passing, _dir) = run("/healthy").await.expect("join");
    assert!(passing.status.success(), "{passing:?}");
    let results: Vec<ProbeResult> = serde_json::from_slice(&passing.stdout).expect("JSON");
    assert_eq!(results.len(), 1);
    assert!(results[0].passed);

    let (failing, _dir) = run("/unhealthy").await.expect("join");
    assert!(!failing.status.success());
    assert!(
        String::from_utf8_lossy(&failing.stderr).contains("a probe of the Forest API failed"),
        "{failing:?}"
    );
    assert_eq!(db.recent_probes(10).await.expect("stored").len(), 2);
    db.drop_database().await.expect("drop");
}
