//! The deployment report of a scripted deployment: every audited change,
//! every change of every run and each turn of a probe, in time order; a
//! later deployment starts after the rollback that ended the one before;
//! the downloads answer people signed in and nobody else.

use crate::checklist::{Quiet, forest_db, person};
use crate::helpers::{body_text, settings_in};
use crate::roles::{cookie_for, seed_accounts};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::db::Database;
use forest_runbook::model::{
    Action, AuditFilter, ChangeOutcome, DeploymentReport, EventSource, Outcome, ProbeResult,
    ReportEvent,
};
use forest_runbook::ops::checklist::set_item;
use forest_runbook::ops::history::now_ms;
use forest_runbook::ops::migration::{PHASE_0, migrate, revert};
use forest_runbook::ops::report::{report, to_markdown};
use forest_runbook::server::{AppState, router};
use mongodb::bson::DateTime;
use tower::ServiceExt;

fn probe(passed: bool) -> ProbeResult {
    ProbeResult {
        at: forest_runbook::db::now_rfc3339(),
        method: "GET".to_owned(),
        url: "http://forest.test/api/health".to_owned(),
        expected_status: 200,
        status: passed.then_some(200),
        latency_ms: 12,
        passed,
        reason: if passed {
            "200 as expected"
        } else {
            "connection refused | <b>"
        }
        .to_owned(),
        body_excerpt: String::new(),
    }
}

fn millis(at: &str) -> i64 {
    DateTime::parse_rfc3339_str(at)
        .expect("RFC 3339")
        .timestamp_millis()
}

async fn report_now(db: &Database) -> DeploymentReport {
    report(db, &PHASE_0, now_ms(), 7).await.expect("report")
}

/// The audit log's entries that change something, oldest first, as the
/// report names them.
async fn audited_changes(db: &Database) -> Vec<String> {
    let mut entries = db
        .list_audit(&AuditFilter::default(), 10_000)
        .await
        .expect("audit");
    entries.reverse();
    entries
        .into_iter()
        .filter(|e| Action::parse(&e.action).is_none_or(|a| !a.only_reads()))
        .map(|e| format!("{} {}", e.action, e.target))
        .collect()
}

fn of(events: &[ReportEvent], source: EventSource) -> Vec<&ReportEvent> {
    events.iter().filter(|e| e.source == source).collect()
}

#[tokio::test]
async fn a_scripted_deployment_is_reported_whole_and_in_order() {
    let db = forest_db("report_scripted").await;
    let quiet = Quiet::new();
    let (ada, root) = (person("ada"), person("root"));
    set_item(
        &db,
        &ada,
        &PHASE_0,
        quiet.watched(),
        "staging",
        true,
        "tried on staging",
    )
    .await
    .expect("tick");
    db.insert_probes(&[probe(true)]).await.expect("probe");
    db.insert_probes(&[probe(false)]).await.expect("probe");
    migrate(&db, &ada, &PHASE_0).await.expect("migrate");
    db.insert_probes(&[probe(false)]).await.expect("probe");
    db.insert_probes(&[probe(true)]).await.expect("probe");
    revert(&db, &root, &PHASE_0, db.name(), &quiet.backups)
        .await
        .expect("revert");

    let first = report_now(&db).await;
    assert_eq!(first.since, None, "no rollback before this deployment");
    let times: Vec<i64> = first.events.iter().map(|e| millis(&e.at)).collect();
    assert!(times.is_sorted(), "oldest first: {times:?}");
    let actions: Vec<String> = of(&first.events, EventSource::Action)
        .iter()
        .map(|e| e.what.clone())
        .collect();
    let expected: Vec<String> = audited_changes(&db)
        .await
        .into_iter()
        .map(|what| what.trim_end().to_owned())
        .collect();
    assert_eq!(actions, expected, "every audited change, in order");
    assert_eq!(
        actions.first().map(String::as_str),
        Some("checklist.tick add_mobile_sync_support/staging")
    );
    assert_eq!(
        first.events[0].detail.as_deref(),
        Some("tried on staging"),
        "a tick says why"
    );
    let changes = of(&first.events, EventSource::Change);
    let applied = PHASE_0.changes.len();
    assert!(
        changes.len() > applied,
        "each change of migrate, then revert's"
    );
    assert!(
        changes[..applied]
            .iter()
            .all(|e| e.what.starts_with("migrate: "))
    );
    assert!(
        changes[applied..]
            .iter()
            .all(|e| e.what.starts_with("revert: "))
    );
    assert!(
        changes
            .iter()
            .all(|e| e.duration_ms.is_some() && e.outcome == Outcome::Ok)
    );
    let probes: Vec<Outcome> = of(&first.events, EventSource::Probe)
        .iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(
        probes,
        [Outcome::Failed, Outcome::Ok],
        "a failure and its recovery"
    );
    let position = |what: &str| first.events.iter().position(|e| e.what.starts_with(what));
    assert!(
        position("step.migrate") < position("revert: "),
        "migrate before revert's changes"
    );
    assert_eq!(first.tally.ticks, 1);
    assert_eq!(first.tally.rollbacks, 1);
    assert_eq!(
        first.tally.changes,
        u64::try_from(changes.len()).expect("small")
    );
    assert_eq!(first.tally.probe_failures, 1);
    assert_eq!(first.plan.len(), applied, "the plan as migrate left it");
    assert!(
        first
            .plan
            .iter()
            .all(|c| c.outcome == ChangeOutcome::Applied)
    );

    let markdown = to_markdown(&first, "https://runbook.example");
    let rows: Vec<&str> = markdown.lines().filter(|l| l.starts_with("| 20")).collect();
    assert!(markdown.contains("## The plan\n\n- create collection devices: applied ("));
    assert_eq!(rows.len(), first.events.len(), "a row per event");
    assert!(
        markdown.contains("connection refused \\| \\<b\\>"),
        "escaped: {markdown}"
    );
    assert!(markdown.contains("](https://runbook.example/runbook)"));

    migrate(&db, &ada, &PHASE_0).await.expect("migrate again");
    let second = report_now(&db).await;
    let since = second.since.clone().expect("starts after the revert");
    assert!(
        second.events.iter().all(|e| e.at >= since),
        "nothing from before"
    );
    let changes = of(&second.events, EventSource::Change);
    assert_eq!(changes.len(), applied, "only the new migrate's changes");
    assert!(
        second
            .events
            .iter()
            .all(|e| !e.what.starts_with("checklist.tick"))
    );
    assert!(
        second
            .events
            .iter()
            .all(|e| !e.what.starts_with("step.revert")),
        "the revert belongs to the deployment it ended"
    );
    db.drop_database().await.expect("drop");
}

async fn get(app: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, body_text(response).await)
}

#[tokio::test]
async fn the_downloads_answer_people_signed_in_in_three_formats() {
    let db = forest_db("report_downloads").await;
    seed_accounts(&db).await;
    migrate(&db, &person("ada"), &PHASE_0)
        .await
        .expect("migrate");
    let dir = tempfile::tempdir().expect("temp dir");
    let app = router(AppState::new(settings_in(dir.path()), db.clone()));

    for path in ["/report.html", "/report.md", "/report.json"] {
        let (status, _, _) = get(&app, path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} needs a person");
    }
    let cookie = cookie_for(&db, "viewer").await;
    let (status, kind, html) = get(&app, "/report.html", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<style>") && html.contains(".chart polyline"),
        "styles inlined"
    );
    assert!(!html.contains("/pkg/"), "nothing loaded from the runbook");
    assert!(html.contains("step.migrate"));
    assert!(html.contains("migrate: "), "the changes are listed");

    let (status, kind, markdown) = get(&app, "/report.md", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/markdown"));
    assert!(markdown.starts_with("# Deployment report: add_mobile_sync_support"));

    let (status, _, json) = get(&app, "/report.json", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let parsed: DeploymentReport = serde_json::from_str(&json).expect("a report");
    assert_eq!(parsed.migration, "add_mobile_sync_support");
    assert!(
        parsed
            .events
            .iter()
            .any(|e| e.what.starts_with("step.migrate"))
    );
    db.drop_database().await.expect("drop");
}
