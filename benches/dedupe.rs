//! The duplicate cleanup of `tasks.clientId` on 1M tasks (`BENCH_SCALE`
//! scales it) of which 1% hold a duplicated value, against what a person
//! would type in the shell: the bare duplicate aggregation plus a `find`
//! of those documents (the plan), and then a bare `updateMany` `$unset` of
//! the losers (the apply). The cleanup also exports the prior state to
//! disk, writes in transactions and re-checks; the ratios show that cost.

mod duplicated_tasks;
mod support;

use duplicated_tasks::{bare_duplicated_values, load_duplicated_tasks};
use forest_runbook::model::ReportPage;
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::dedupe::{self, Options};
use forest_runbook::ops::migration::PHASE_0;
use mongodb::bson::{Bson, Document, doc};
use support::{Server, median, scaled, seconds, timed};

const ROUNDS: usize = 3;

/// The duplicated values, then every document holding one, by value: the
/// first of each keeps it. Answers the `_id`s of the others.
async fn bare_plan(tasks: &mongodb::Collection<Document>) -> Vec<Bson> {
    let values = bare_duplicated_values(tasks).await;
    let mut holders = tasks
        .find(doc! { "clientId": { "$in": values } })
        .sort(doc! { "clientId": 1, "_id": 1 })
        .await
        .expect("find");
    let (mut losers, mut previous) = (Vec::new(), None);
    while holders.advance().await.expect("advance") {
        let document = holders.deserialize_current().expect("document");
        let value = document.get_str("clientId").expect("value").to_owned();
        if previous.as_ref() == Some(&value) {
            losers.push(document.get("_id").cloned().expect("_id"));
        }
        previous = Some(value);
    }
    losers
}

#[tokio::main]
async fn main() {
    let server = Server::start("bench_dedupe").await;
    let client = mongodb::Client::with_uri_str(&server.uri)
        .await
        .expect("client");
    let bare_db = server.db.sibling("bench_dedupe_bare");
    let count = scaled(1_000_000);
    let bare_tasks = client
        .database(bare_db.name())
        .collection::<Document>("tasks");
    let tasks = client
        .database(server.db.name())
        .collection::<Document>("tasks");
    let loading = load_duplicated_tasks(&tasks, count).await;
    load_duplicated_tasks(&bare_tasks, count).await;
    println!(
        "{count} tasks, 1% duplicated clientIds, written in {}",
        seconds(loading)
    );
    server
        .db
        .prepare_app_collections()
        .await
        .expect("app collections");

    let options = Options::default();
    let (mut bare_times, mut plan_times) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (time, losers) = timed(bare_plan(&bare_tasks)).await;
        bare_times.push(time);
        let (time, plan) =
            timed(dedupe::plan(&server.db, &PHASE_0, options, ReportPage::ALL)).await;
        assert_eq!(
            plan.expect("plan").total,
            losers.len() as u64,
            "the same documents"
        );
        plan_times.push(time);
    }
    let (bare_plan_time, plan_time) = (median(bare_times), median(plan_times));
    println!(
        "bare aggregation + find (median of {ROUNDS}): {}",
        seconds(bare_plan_time)
    );
    println!("dedupe plan (median of {ROUNDS}): {}", seconds(plan_time));

    let (bare_apply, unset) = timed(async {
        let losers = bare_plan(&bare_tasks).await;
        bare_tasks
            .update_many(
                doc! { "_id": { "$in": losers } },
                doc! { "$unset": { "clientId": "" } },
            )
            .await
            .expect("updateMany")
            .modified_count
    })
    .await;
    let folder = tempfile::tempdir().expect("backups folder");
    let store = BackupStore::new(folder.path(), 0, std::time::Duration::ZERO);
    let quiet = |_: &str| {};
    let (apply, outcome) = timed(dedupe::apply(
        &server.db,
        &Actor::Cli("bench".into()),
        &PHASE_0,
        options,
        server.db.name(),
        &store,
        &quiet,
    ))
    .await;
    assert_eq!(
        outcome.expect("apply").unset,
        unset,
        "the same documents unset"
    );
    println!(
        "bare aggregation + find + updateMany: {} ({unset} unset)",
        seconds(bare_apply)
    );
    println!(
        "dedupe apply (export, transactions, re-check): {}",
        seconds(apply)
    );
    println!(
        "ratio plan / bare: {:.2}; apply / bare: {:.2}",
        plan_time.as_secs_f64() / bare_plan_time.as_secs_f64(),
        apply.as_secs_f64() / bare_apply.as_secs_f64()
    );
    bare_db.drop_database().await.expect("drop");
    server.stop().await;
}
