//! The duplicates report of `tasks.clientId` against the bare aggregation
//! a person would type in the shell, on 1M tasks (`BENCH_SCALE` scales it)
//! of which 1% hold a duplicated `clientId`. Prints the median of each over
//! the rounds and their ratio (goal: at most 1.2).

mod duplicated_tasks;
mod goals;
mod support;

use duplicated_tasks::{bare_duplicated_values, load_duplicated_tasks};
use forest_runbook::model::ReportPage;
use forest_runbook::ops::duplicates;
use forest_runbook::ops::migration::PHASE_0;
use goals::{exit_unless_all, within};
use mongodb::bson::Document;
use support::{Server, median, scaled, seconds, timed};

const ROUNDS: usize = 3;

#[tokio::main]
async fn main() {
    let server = Server::start("bench_duplicates").await;
    let client = mongodb::Client::with_uri_str(&server.uri)
        .await
        .expect("client");
    let tasks = client
        .database(server.db.name())
        .collection::<Document>("tasks");
    let count = scaled(1_000_000);
    let loading = load_duplicated_tasks(&tasks, count).await;
    println!(
        "{count} tasks, 1% duplicated clientIds, written in {}",
        seconds(loading)
    );

    let bare = || async { bare_duplicated_values(&tasks).await.len() as u64 };
    let page = ReportPage {
        offset: 0,
        limit: 25,
    };
    let (mut bare_times, mut report_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (time, groups) = timed(bare()).await;
        bare_times.push(time);
        let (time, report) = timed(duplicates::report(
            &server.db,
            &PHASE_0,
            "tasks.clientId",
            page,
        ))
        .await;
        let report = report.expect("report");
        assert_eq!(
            report.duplicated_values, groups,
            "both find the same groups"
        );
        report_times.push(time);
    }
    let (bare, report) = (median(bare_times), median(report_times));
    println!("bare aggregation (median of {ROUNDS}): {}", seconds(bare));
    println!(
        "duplicates report (median of {ROUNDS}): {}",
        seconds(report)
    );
    let met = within(
        "ratio report / bare",
        report.as_secs_f64() / bare.as_secs_f64(),
        1.20,
    );
    server.stop().await;
    exit_unless_all(&[met]);
}
