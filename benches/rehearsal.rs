//! A rehearsal against the same sequence typed by hand with the bare
//! driver, on messy demo data (1M tasks, 300k focus sessions, 100k users;
//! `BENCH_SCALE` scales it): copy every collection with its indexes into a
//! scratch database (a cursor read and unordered `insert_many` of 1000,
//! then `createIndexes`), read every document (the "before" of the
//! comparison), clear the duplicated `clientId`s (`$group` and
//! `updateMany`), Phase 0's commands, `listIndexes`, the drops, read every
//! document again, drop the scratch database. The rehearsal also records
//! each step, verifies the backup's checksums as it restores, hashes what
//! it reads and runs verify's query plans; the ratio shows that cost.
//! Goal: at most `GOAL` times the bare sequence.

mod goals;
mod phase_0;
mod support;

use forest_runbook::db::DemoDataSpec;
use forest_runbook::model::{RehearsalState, RehearsalStep};
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::{self, BackupStore, Jobs};
use forest_runbook::ops::migration::PHASE_0;
use forest_runbook::ops::prisma::PrismaSource;
use forest_runbook::ops::rehearsal::{Rehearsing, Staging, rehearse};
use futures::TryStreamExt;
use goals::{exit_unless_all, within};
use mongodb::bson::{Bson, Document, doc};
use phase_0::{apply_directly, undo_directly};
use std::time::Duration;
use support::{Server, median, scaled, seconds, timed};

const GOAL: f64 = 2.0;
const ROUNDS: usize = 3;
const BATCH: usize = 1_000;

/// The collections a backup holds: all but the runbook's own records.
async fn data_collections(db: &mongodb::Database) -> Vec<String> {
    let mut names: Vec<String> = db
        .list_collection_names()
        .await
        .expect("list")
        .into_iter()
        .filter(|name| !name.starts_with("runbook_"))
        .collect();
    names.sort();
    names
}

/// Every document of `from` into `to`, then its indexes.
async fn bare_copy(from: &mongodb::Database, to: &mongodb::Database) -> u64 {
    let mut copied = 0;
    for name in data_collections(from).await {
        let source = from.collection::<Document>(&name);
        let target = to.collection::<Document>(&name);
        let mut cursor = source.find(doc! {}).await.expect("find");
        let mut batch = Vec::with_capacity(BATCH);
        while cursor.advance().await.expect("advance") {
            batch.push(cursor.deserialize_current().expect("document"));
            if batch.len() == BATCH {
                copied += insert(&target, &mut batch).await;
            }
        }
        copied += insert(&target, &mut batch).await;
        let indexes: Vec<_> = source
            .list_indexes()
            .await
            .expect("listIndexes")
            .try_collect::<Vec<_>>()
            .await
            .expect("indexes")
            .into_iter()
            .filter(|index| {
                index
                    .options
                    .as_ref()
                    .and_then(|options| options.name.as_deref())
                    != Some("_id_")
            })
            .collect();
        if !indexes.is_empty() {
            target.create_indexes(indexes).await.expect("createIndexes");
        }
    }
    copied
}

async fn insert(target: &mongodb::Collection<Document>, batch: &mut Vec<Document>) -> u64 {
    if batch.is_empty() {
        return 0;
    }
    let written = target
        .insert_many(batch.drain(..))
        .ordered(false)
        .await
        .expect("insert_many");
    u64::try_from(written.inserted_ids.len()).expect("a count")
}

/// Reads every document of every collection once.
async fn bare_read(db: &mongodb::Database) -> u64 {
    let mut read = 0;
    for name in data_collections(db).await {
        let mut cursor = db
            .collection::<Document>(&name)
            .find(doc! {})
            .await
            .expect("find");
        while cursor.advance().await.expect("advance") {
            read += 1;
        }
    }
    read
}

/// Keeps the first document of each duplicated `clientId` and unsets it
/// on the others, in `tasks` and `focus_sessions`.
async fn bare_dedupe(db: &mongodb::Database) -> u64 {
    let mut unset = 0;
    for name in ["tasks", "focus_sessions"] {
        let collection = db.collection::<Document>(name);
        let mut groups = collection
            .aggregate([
                doc! { "$match": { "clientId": { "$type": "string" } } },
                doc! { "$sort": { "createdAt": 1, "_id": 1 } },
                doc! { "$group": { "_id": "$clientId", "ids": { "$push": "$_id" } } },
                doc! { "$match": { "ids.1": { "$exists": true } } },
            ])
            .allow_disk_use(true)
            .await
            .expect("aggregate");
        let mut losers: Vec<Bson> = Vec::new();
        while groups.advance().await.expect("advance") {
            let group = groups.deserialize_current().expect("group");
            let ids = group.get_array("ids").expect("ids");
            losers.extend(ids.iter().skip(1).cloned());
        }
        unset += collection
            .update_many(
                doc! { "_id": { "$in": losers } },
                doc! { "$unset": { "clientId": "" } },
            )
            .await
            .expect("updateMany")
            .modified_count;
    }
    unset
}

async fn list_indexes(db: &mongodb::Database) {
    for name in data_collections(db).await {
        db.collection::<Document>(&name)
            .list_index_names()
            .await
            .expect("listIndexes");
    }
}

/// The sequence by hand, into a scratch database of the same server: each
/// step's time, the documents copied and the `clientId`s cleared.
async fn by_hand_once(
    client: &mongodb::Client,
    server: &Server,
) -> (Vec<(&'static str, Duration)>, u64, u64) {
    let production = client.database(server.db.name());
    let scratch_db = server.db.sibling("bench_rehearsal_by_hand");
    let scratch = client.database(scratch_db.name());
    let mut steps = Vec::new();
    let (time, copied) = timed(bare_copy(&production, &scratch)).await;
    steps.push(("copy with indexes", time));
    let (time, _) = timed(bare_read(&scratch)).await;
    steps.push(("read every document", time));
    let (time, unset) = timed(bare_dedupe(&scratch)).await;
    steps.push(("clear duplicated clientIds", time));
    let (time, ()) = timed(apply_directly(&scratch_db)).await;
    steps.push(("Phase 0's commands", time));
    let (time, ()) = timed(list_indexes(&scratch)).await;
    steps.push(("listIndexes", time));
    let (time, ()) = timed(undo_directly(&scratch_db)).await;
    steps.push(("drop what they made", time));
    let (time, _) = timed(bare_read(&scratch)).await;
    steps.push(("read every document again", time));
    let (time, ()) = timed(async { scratch.drop().await.expect("dropDatabase") }).await;
    steps.push(("dropDatabase", time));
    (steps, copied, unset)
}

#[tokio::main]
async fn main() {
    let server = Server::start("bench_rehearsal").await;
    let db = &server.db;
    let spec = DemoDataSpec {
        users: scaled(100_000),
        tasks: scaled(1_000_000),
        sessions: scaled(300_000),
        messy: true,
        seed: 7,
    };
    let (loading, _) = timed(db.write_demo_data(spec, false)).await;
    println!(
        "messy demo database: {} users, {} tasks, {} focus sessions, written in {}",
        spec.users,
        spec.tasks,
        spec.sessions,
        seconds(loading)
    );
    db.prepare_app_collections().await.expect("app collections");
    let client = mongodb::Client::with_uri_str(&server.uri)
        .await
        .expect("client");

    let folder = tempfile::tempdir().expect("backups folder");
    let backups = BackupStore::new(folder.path(), 0, Duration::from_secs(86_400));
    let actor = Actor::Cli("bench".into());
    let jobs = Jobs::new(db.clone());
    let taken = backup::backup(db, &backups, &jobs, &actor, false)
        .await
        .expect("backup");
    backup::verify_backup(db, &backups, &actor, &taken.name)
        .await
        .expect("verify the backup");
    let ctx = Rehearsing {
        db: db.clone(),
        backups,
        prisma: PrismaSource::default(),
        staging: Staging::new(""),
    };

    let (mut by_hand, mut rehearsals) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let (steps, copied, unset) = by_hand_once(&client, &server).await;
        let total: Duration = steps.iter().map(|(_, time)| *time).sum();
        by_hand.push(total);
        println!("round {round}, by hand ({copied} documents copied, {unset} clientIds cleared):");
        for (step, time) in &steps {
            println!("  {step:<28} {}", seconds(*time));
        }
        println!("  {:<28} {}", "total", seconds(total));

        let (time, rehearsal) = timed(rehearse(&ctx, &actor, &PHASE_0, Box::new(|_| ()))).await;
        let rehearsal = rehearsal.expect("rehearse");
        assert_eq!(rehearsal.state, RehearsalState::Passed, "{rehearsal:#?}");
        rehearsals.push(time);
        println!("round {round}, rehearsal:");
        for step in RehearsalStep::ALL {
            if let Some(record) = rehearsal.step(step) {
                let took = Duration::from_millis(record.duration_ms);
                println!("  {:<28} {}", step.title(), seconds(took));
            }
        }
        println!("  {:<28} {}", "total", seconds(time));
    }
    let (by_hand, rehearsal) = (median(by_hand), median(rehearsals));
    println!(
        "median of {ROUNDS}: by hand {}, rehearsal {}",
        seconds(by_hand),
        seconds(rehearsal)
    );
    let met = within(
        "ratio rehearsal / by hand",
        rehearsal.as_secs_f64() / by_hand.as_secs_f64(),
        GOAL,
    );
    server.stop().await;
    exit_unless_all(&[met]);
}
