//! `GET /api/health` in both states, driven through the real router.

use crate::helpers::{body_text, settings_in, test_db};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use forest_runbook::db::Database;
use forest_runbook::server::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

async fn get_health(db: Database) -> (StatusCode, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = router(AppState::new(settings_in(dir.path()), db));
    let response = app
        .oneshot(
            Request::get("/api/health")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = response.status();
    assert!(
        response.headers().contains_key("x-request-id"),
        "every answer carries its request id"
    );
    let body = body_text(response).await;
    (status, serde_json::from_str(&body).expect("JSON body"))
}

#[tokio::test]
async fn healthy_database_reports_version_latency_and_migration_state_from_the_changelog() {
    let db = test_db("health_healthy").await;
    let (status, body) = get_health(db.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["success"], true);
    let data = &body["data"];
    assert_eq!(data["status"], "healthy");
    assert_eq!(data["database"]["reachable"], true);
    assert!(
        data["database"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with(char::is_numeric))
    );
    assert!(data["database"]["latencyMs"].as_f64().is_some());
    assert_eq!(data["migration"]["name"], "add_mobile_sync_support");
    assert_eq!(data["migration"]["state"], "pending");
    assert!(data["uptimeSeconds"].as_u64().is_some());

    // The state comes from the changelog: record a run and see it.
    let client = mongodb::Client::with_uri_str(crate::helpers::server_uri())
        .await
        .expect("client");
    client
        .database(db.name())
        .collection::<mongodb::bson::Document>("runbook_changelog")
        .insert_one(mongodb::bson::doc! {
            "migration": "add_mobile_sync_support",
            "kind": "migrate",
            "state": "applied",
            "startedAt": mongodb::bson::DateTime::now(),
        })
        .await
        .expect("insert changelog entry");
    let (_, body) = get_health(db.clone()).await;
    assert_eq!(body["data"]["migration"]["state"], "applied");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn unreachable_database_answers_503_with_a_code_and_a_fixed_sentence() {
    // Nothing listens on port 1; the short timeout keeps the test quick.
    let db = Database::connect(
        "mongodb://127.0.0.1:1/forest?serverSelectionTimeoutMS=300",
        "x",
    )
    .await
    .expect("a well-formed URI connects lazily");
    let (status, body) = get_health(db).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "DATABASE_UNREACHABLE");
    assert_eq!(body["error"]["message"], "The database does not answer.");
    // The driver's text (hosts, ports) stays in the log, under this id.
    assert!(
        body["error"]["incidentId"]
            .as_str()
            .is_some_and(|id| id.len() == 12)
    );
    assert!(!body.to_string().contains("127.0.0.1"), "{body}");
}

#[tokio::test]
async fn the_database_is_named_by_the_uri_path_like_prismas_database_url() {
    let named = Database::connect("mongodb://127.0.0.1:1/forest_prod", "fallback")
        .await
        .expect("connects lazily");
    assert_eq!(named.name(), "forest_prod");
    let unnamed = Database::connect("mongodb://127.0.0.1:1/", "fallback")
        .await
        .expect("connects lazily");
    assert_eq!(unnamed.name(), "fallback");
    let err = Database::connect("postgres://nope", "x")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("connection string"), "{err}");
}
