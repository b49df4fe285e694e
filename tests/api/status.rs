//! `GET /api/status`, the deployment at a glance: on the messy demo data it
//! says no-go with the duplicates that block migrate, and it answers only
//! a signed-in person or a client holding the metrics token.

use crate::helpers::{body_text, settings_in, test_db};
use crate::roles::{cookie_for, seed_accounts};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::db::DemoDataSpec;
use forest_runbook::server::{AppState, router};
use serde_json::Value;
use tower::ServiceExt;

const TOKEN: &str = "status-token-for-tests";

async fn get(app: &Router, headers: &[(header::HeaderName, &str)]) -> (StatusCode, Value) {
    let mut request = Request::get("/api/status");
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let body = body_text(response).await;
    (status, serde_json::from_str(&body).expect("JSON"))
}

#[tokio::test]
async fn the_status_is_no_go_on_messy_data_and_answers_people_and_the_token_only() {
    let db = test_db("status_glance").await;
    db.write_demo_data(
        DemoDataSpec {
            users: 20,
            tasks: 400,
            sessions: 100,
            messy: true,
            seed: 3,
        },
        false,
    )
    .await
    .expect("demo");
    seed_accounts(&db).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = settings_in(dir.path());
    settings.monitor.metrics_token = TOKEN.into();
    let app = router(AppState::new(settings, db.clone()));

    let (anonymous, body) = get(&app, &[]).await;
    assert_eq!(anonymous, StatusCode::UNAUTHORIZED);
    assert_eq!(body["success"], false);
    let (wrong, _) = get(&app, &[(header::AUTHORIZATION, "Bearer not-the-token")]).await;
    assert_eq!(wrong, StatusCode::UNAUTHORIZED);

    let bearer = format!("Bearer {TOKEN}");
    let (by_token, body) = get(&app, &[(header::AUTHORIZATION, &bearer)]).await;
    assert_eq!(by_token, StatusCode::OK, "{body}");
    let data = &body["data"];
    assert_eq!(data["migration"]["state"], "pending");
    assert_eq!(data["checklist"]["total"], 6);
    assert_eq!(data["verdict"]["call"], "no_go");
    let reasons: Vec<&str> = data["verdict"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("tasks.clientId")),
        "the duplicates that block migrate are named: {reasons:?}"
    );
    assert!(data["lastBackup"].is_null(), "no backup was taken");

    let cookie = cookie_for(&db, "viewer").await;
    let (by_person, body) = get(&app, &[(header::COOKIE, &cookie)]).await;
    assert_eq!(by_person, StatusCode::OK);
    assert_eq!(body["data"]["verdict"]["call"], "no_go");
    db.drop_database().await.expect("drop");
}
