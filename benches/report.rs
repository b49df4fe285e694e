//! The deployment report of a deployment with 10 000 events (`BENCH_SCALE`
//! scales them): audit entries, migrate runs of five changes each, and
//! probe results that turn every time, as the app writes them. Times the
//! report as the Report page and its HTML download make it (read, merge,
//! render the one-file HTML) against a bare `find` of the same documents.
//! Goal: at most 1 s; prints the medians and their ratio, and exits
//! non-zero when the goal is missed.

mod support;

use forest_runbook::app::report_document;
use forest_runbook::model::{ChangeResult, ProbeResult, RunKind, RunState};
use forest_runbook::ops::history::now_ms;
use forest_runbook::ops::migration::PHASE_0;
use forest_runbook::ops::report::{report, to_markdown};
use mongodb::bson::{DateTime, Document, RawDocumentBuf, doc};
use std::time::Duration;
use support::{Server, median, scaled, seconds, timed};

const ROUNDS: usize = 5;
const GOAL: Duration = Duration::from_secs(1);
/// Of every hundred events: audit entries, changes, probe turns.
const MIX: (usize, usize, usize) = (85, 5, 10);
const ACTIONS: [&str; 6] = [
    "checklist.tick",
    "checklist.ack",
    "backup.create",
    "approval.approve",
    "step.verify",
    "dedupe.apply",
];

fn audit_entry(n: usize, start_ms: i64) -> Document {
    doc! {
        "at": DateTime::from_millis(start_ms + i64::try_from(n).expect("n") * 1_000),
        "actor": format!("person{}", n % 7),
        "action": ACTIONS[n % ACTIONS.len()],
        "target": format!("add_mobile_sync_support/item{}", n % 6),
        "outcome": if n.is_multiple_of(50) { "failed" } else { "ok" },
        "detail": format!("note {n}: checked on staging | ok"),
    }
}

fn probe(n: usize) -> ProbeResult {
    let passed = n.is_multiple_of(2);
    ProbeResult {
        at: forest_runbook::db::now_rfc3339(),
        method: "GET".to_owned(),
        url: "http://forest.bench/api/health".to_owned(),
        expected_status: 200,
        status: passed.then_some(200),
        latency_ms: 20,
        passed,
        reason: if passed { "200 as expected" } else { "refused" }.to_owned(),
        body_excerpt: String::new(),
    }
}

#[tokio::main]
async fn main() {
    let server = Server::start("bench_report").await;
    let db = &server.db;
    db.prepare_app_collections().await.expect("prepare");
    let client = mongodb::Client::with_uri_str(&server.uri)
        .await
        .expect("client");
    let raw = client.database(db.name());
    let events = scaled(10_000);
    let (entries, changes, probes) = (
        events * MIX.0 / 100,
        events * MIX.1 / 100,
        events * MIX.2 / 100,
    );
    let start_ms = now_ms() - 86_400_000;

    let (loading, ()) = timed(async {
        let documents: Vec<Document> = (0..entries).map(|n| audit_entry(n, start_ms)).collect();
        for batch in documents.chunks(1_000) {
            raw.collection::<Document>("runbook_audit")
                .insert_many(batch)
                .await
                .expect("audit entries");
        }
        let per_run = PHASE_0.changes.len();
        for _ in 0..changes.div_ceil(per_run) {
            let pending: Vec<ChangeResult> = PHASE_0
                .changes
                .iter()
                .map(|change| ChangeResult {
                    key: change.key(),
                    description: change.describe(),
                    ..ChangeResult::default()
                })
                .collect();
            let run = db
                .start_run(PHASE_0.name, RunKind::Migrate, "bench", "bench", &pending)
                .await
                .expect("run");
            for (index, change) in pending.into_iter().enumerate() {
                db.start_change(&run, index).await.expect("start change");
                let done = ChangeResult {
                    outcome: forest_runbook::model::ChangeOutcome::Applied,
                    duration_ms: 40,
                    ..change
                };
                db.record_change(&run, index, &done)
                    .await
                    .expect("record change");
            }
            db.finish_run(&run, RunState::Succeeded, None)
                .await
                .expect("finish run");
        }
        let results: Vec<ProbeResult> = (0..probes).map(probe).collect();
        db.insert_probes(&results).await.expect("probes");
    })
    .await;
    println!(
        "{entries} audit entries, {changes} changes, {probes} probe results written in {}",
        seconds(loading)
    );

    let bare = || async {
        let mut documents = 0_u64;
        for (collection, sort) in [
            ("runbook_audit", doc! { "at": 1, "_id": 1 }),
            ("runbook_changelog", doc! { "startedAt": -1, "_id": -1 }),
            ("runbook_api_probes", doc! { "recordedAt": 1, "_id": 1 }),
        ] {
            let mut cursor = raw
                .collection::<RawDocumentBuf>(collection)
                .find(doc! {})
                .sort(sort)
                .await
                .expect("find");
            while cursor.advance().await.expect("advance") {
                documents += u64::from(!cursor.current().as_bytes().is_empty());
            }
        }
        documents
    };
    let made = || async {
        let report = report(db, &PHASE_0, now_ms(), 7).await.expect("report");
        let listed = report.events.len();
        (
            listed,
            report_document(report, "http://runbook.bench").len(),
        )
    };
    let (mut bare_times, mut report_times, mut markdown_times) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut listed = 0;
    for _ in 0..ROUNDS {
        let (took, documents) = timed(bare()).await;
        assert!(documents > 0, "the bare find reads the records");
        bare_times.push(took);
        let (took, (events, html)) = timed(made()).await;
        assert!(html > events * 100, "a row per event");
        listed = events;
        report_times.push(took);
        let (took, markdown) = timed(async {
            let report = report(db, &PHASE_0, now_ms(), 7).await.expect("report");
            to_markdown(&report, "http://runbook.bench").len()
        })
        .await;
        assert!(markdown > 0);
        markdown_times.push(took);
    }
    assert!(
        listed >= events * 9 / 10,
        "the report lists the deployment's events: {listed} of about {events}"
    );
    let (bare, made) = (median(bare_times), median(report_times));
    println!("bare find of the same documents: {}", seconds(bare));
    println!(
        "report with {listed} events, as one HTML file: {}",
        seconds(made)
    );
    println!("the same as Markdown: {}", seconds(median(markdown_times)));
    println!(
        "ratio report / bare find: {:.2}; report {:.0} ms (goal <= {} ms)",
        made.as_secs_f64() / bare.as_secs_f64(),
        made.as_secs_f64() * 1_000.0,
        GOAL.as_millis()
    );
    server.stop().await;
    if made > GOAL {
        eprintln!(
            "goal missed: the report took more than {} ms",
            GOAL.as_millis()
        );
        std::process::exit(1);
    }
}
