//! Cleaning duplicates against the real server: the right document kept
//! per rule, nothing deleted (counts and bytes of untouched documents the
//! same), identical copies deleted only when asked, undo byte for byte,
//! the typed confirmation, and writers changing groups while it runs.

use crate::backup::{cli, store_in};
use crate::helpers::{raw, test_db};
use forest_runbook::db::Database;
use forest_runbook::model::{DedupeAction, DedupeOutcome, KeepRule, ReportPage, RunKind};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::dedupe::{self, Options};
use forest_runbook::ops::migration::PHASE_0;
use mongodb::bson::{Bson, DateTime, Document, RawDocumentBuf, doc, oid::ObjectId};
use std::collections::BTreeMap;

pub const QUIET: &(dyn Fn(&str) + Send + Sync) = &|_: &str| {};

fn at(minutes: i64) -> DateTime {
    DateTime::from_millis(1_700_000_000_000 + minutes * 60_000)
}

/// A task holding `client_id`, created and updated at the given minutes.
fn task(client_id: Bson, created: i64, updated: i64, title: &str) -> Document {
    doc! {
        "_id": ObjectId::new(),
        "title": title,
        "clientId": client_id,
        "createdAt": at(created),
        "updatedAt": at(updated),
    }
}

/// Every document of `collection` as stored, by `_id`.
async fn documents(db: &Database, collection: &str) -> BTreeMap<String, Vec<u8>> {
    let mut cursor = raw(db)
        .await
        .collection::<RawDocumentBuf>(collection)
        .find(doc! {})
        .await
        .expect("find");
    let mut all = BTreeMap::new();
    while cursor.advance().await.expect("advance") {
        let document = cursor.current();
        let id = document.get_object_id("_id").expect("_id").to_hex();
        all.insert(id, document.as_bytes().to_vec());
    }
    all
}

async fn client_id_of(db: &Database, id: ObjectId) -> Option<Bson> {
    raw(db)
        .await
        .collection::<Document>("tasks")
        .find_one(doc! { "_id": id })
        .await
        .expect("find")
        .expect("still there")
        .get("clientId")
        .cloned()
}

/// The Forest app writing `tasks`.
pub async fn insert_tasks(db: &Database, tasks: Vec<Document>) {
    raw(db)
        .await
        .collection::<Document>("tasks")
        .insert_many(tasks)
        .await
        .expect("insert");
}

/// Three holders of "a" (oldest made first, newest updated last), two
/// identical copies of "b", one "c", two nulls and two numbers.
struct Messy {
    a_oldest: ObjectId,
    a_middle: ObjectId,
    a_newest: ObjectId,
    b_first: ObjectId,
}

async fn messy(name: &str) -> (Database, Messy) {
    let db = test_db(name).await;
    db.prepare_app_collections().await.expect("app collections");
    let a_newest = task(Bson::String("a".into()), 30, 90, "newest");
    let a_oldest = task(Bson::String("a".into()), 10, 20, "oldest");
    let a_middle = task(Bson::String("a".into()), 20, 40, "middle");
    let b_first = task(Bson::String("b".into()), 5, 5, "same");
    let mut b_copy = b_first.clone();
    b_copy.insert("_id", ObjectId::new());
    let ids = Messy {
        a_oldest: a_oldest.get_object_id("_id").expect("id"),
        a_middle: a_middle.get_object_id("_id").expect("id"),
        a_newest: a_newest.get_object_id("_id").expect("id"),
        b_first: b_first.get_object_id("_id").expect("id"),
    };
    let tasks = vec![
        a_newest,
        a_oldest,
        a_middle,
        b_first,
        b_copy,
        task(Bson::String("c".into()), 1, 1, "unique"),
        task(Bson::Null, 1, 1, "null one"),
        task(Bson::Null, 1, 1, "null two"),
        task(Bson::Int32(7), 1, 1, "number one"),
        task(Bson::Int32(7), 1, 1, "number two"),
    ];
    insert_tasks(&db, tasks).await;
    raw(&db)
        .await
        .collection::<Document>("focus_sessions")
        .insert_many([
            doc! { "clientId": "s", "createdAt": at(1) },
            doc! { "clientId": "s", "createdAt": at(2) },
        ])
        .await
        .expect("insert");
    (db, ids)
}

#[tokio::test]
async fn the_oldest_keeps_its_value_the_others_lose_it_and_nothing_is_deleted() {
    let (db, ids) = messy("dedupe_oldest").await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let before = documents(&db, "tasks").await;
    let options = Options::default();

    let plan = dedupe::plan(&db, &PHASE_0, options, ReportPage::ALL)
        .await
        .expect("plan");
    let tasks = plan
        .keys
        .iter()
        .find(|k| k.key == "tasks.clientId")
        .expect("tasks");
    assert_eq!((tasks.values, tasks.to_unset, tasks.to_delete), (2, 3, 0));
    assert_eq!(tasks.identical, 1, "the copy of b is found");
    assert_eq!(plan.total, 4, "3 tasks and 1 focus session would change");
    for change in plan.changes.iter().filter(|c| c.value == "a") {
        assert_eq!(change.kept_id, ids.a_oldest.to_hex());
        assert_eq!(change.action, DedupeAction::Unset);
    }
    assert_eq!(
        documents(&db, "tasks").await,
        before,
        "planning changes nothing"
    );

    let outcome = dedupe::apply(&db, &cli(), &PHASE_0, options, db.name(), &store, QUIET)
        .await
        .expect("apply");
    assert_eq!((outcome.unset, outcome.deleted), (4, 0));
    assert!(outcome.remaining.is_empty());
    assert_eq!(
        client_id_of(&db, ids.a_oldest).await,
        Some(Bson::String("a".into()))
    );
    assert_eq!(client_id_of(&db, ids.a_middle).await, None);
    assert_eq!(client_id_of(&db, ids.a_newest).await, None);
    assert_eq!(
        client_id_of(&db, ids.b_first).await,
        Some(Bson::String("b".into()))
    );

    let after = documents(&db, "tasks").await;
    assert_eq!(after.len(), before.len(), "no document is deleted");
    let changed: Vec<&String> = before
        .iter()
        .filter(|(id, bytes)| after.get(*id) != Some(bytes))
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        changed.len(),
        3,
        "only the three losers changed: {changed:?}"
    );
    assert!(
        dedupe::plan(&db, &PHASE_0, options, ReportPage::ALL)
            .await
            .expect("plan")
            .total
            == 0,
        "nothing left to clean"
    );
    let runs = db.runs(PHASE_0.name, 5).await.expect("runs");
    assert_eq!(runs[0].kind, RunKind::Dedupe);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_newest_by_updated_at_keeps_its_value() {
    let (db, ids) = messy("dedupe_newest").await;
    let dir = tempfile::tempdir().expect("dir");
    let options = Options {
        keep: KeepRule::Newest,
        drop_identical: false,
    };
    dedupe::apply(
        &db,
        &cli(),
        &PHASE_0,
        options,
        db.name(),
        &store_in(dir.path()),
        QUIET,
    )
    .await
    .expect("apply");
    assert_eq!(
        client_id_of(&db, ids.a_newest).await,
        Some(Bson::String("a".into()))
    );
    assert_eq!(client_id_of(&db, ids.a_oldest).await, None);
    assert_eq!(client_id_of(&db, ids.a_middle).await, None);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn identical_copies_are_deleted_only_when_asked_and_undo_restores_every_byte() {
    let (db, ids) = messy("dedupe_undo").await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let before = (
        documents(&db, "tasks").await,
        documents(&db, "focus_sessions").await,
    );
    let options = Options {
        keep: KeepRule::Oldest,
        drop_identical: true,
    };
    let refused = dedupe::apply(
        &db,
        &cli(),
        &PHASE_0,
        options,
        "not-the-name",
        &store,
        QUIET,
    )
    .await;
    assert!(matches!(
        refused,
        Err(OpsError::InvalidInput {
            field: "confirmation",
            ..
        })
    ));
    assert_eq!(
        documents(&db, "tasks").await,
        before.0,
        "a refusal changes nothing"
    );

    let outcome = dedupe::apply(&db, &cli(), &PHASE_0, options, db.name(), &store, QUIET)
        .await
        .expect("apply");
    assert_eq!((outcome.unset, outcome.deleted), (3, 1));
    assert_eq!(documents(&db, "tasks").await.len(), before.0.len() - 1);
    assert_eq!(
        client_id_of(&db, ids.b_first).await,
        Some(Bson::String("b".into()))
    );

    let undone = dedupe::undo(&db, &cli(), &PHASE_0, None, db.name(), &store)
        .await
        .expect("undo");
    assert_eq!((undone.restored, undone.left_alone.len()), (4, 0));
    assert_eq!(
        documents(&db, "tasks").await,
        before.0,
        "every byte is back"
    );
    assert_eq!(documents(&db, "focus_sessions").await, before.1);
    let again = dedupe::undo(&db, &cli(), &PHASE_0, None, db.name(), &store).await;
    assert!(matches!(again, Err(OpsError::NotFound(_))), "{again:?}");
    db.drop_database().await.expect("drop");
}

/// Groups "v000".."v599", two tasks each: more than one batch.
async fn many_groups(name: &str) -> Database {
    let db = test_db(name).await;
    db.prepare_app_collections().await.expect("app collections");
    let tasks: Vec<Document> = (0..600)
        .flat_map(|i| {
            let value = Bson::String(format!("v{i:03}"));
            [
                task(value.clone(), i, i, "first"),
                task(value, i + 1, i + 1, "second"),
            ]
        })
        .collect();
    insert_tasks(&db, tasks).await;
    db
}

pub async fn apply_oldest(
    db: &Database,
    store: &BackupStore,
    progress: &(dyn Fn(&str) + Send + Sync),
) -> DedupeOutcome {
    let options = Options::default();
    dedupe::apply(db, &cli(), &PHASE_0, options, db.name(), store, progress)
        .await
        .expect("apply")
}

/// Every string value still held by exactly one task.
async fn holders_per_value(db: &Database) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut cursor = raw(db)
        .await
        .collection::<Document>("tasks")
        .find(doc! { "clientId": { "$type": "string" } })
        .await
        .expect("find");
    while cursor.advance().await.expect("advance") {
        let document = cursor.deserialize_current().expect("document");
        *counts
            .entry(document.get_str("clientId").expect("string").to_owned())
            .or_default() += 1;
    }
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_changed_while_the_cleanup_runs_is_planned_again_never_half_applied() {
    let db = many_groups("dedupe_concurrent").await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let tasks = raw(&db).await.collection::<Document>("tasks");
    let last = tasks
        .find_one(doc! { "clientId": "v599", "title": "second" })
        .await
        .expect("find")
        .expect("v599");
    let last_id = last.get_object_id("_id").expect("id");
    // After the first batch, the Forest app edits a document of a group
    // not yet written, and uploads another copy of a value already cleaned.
    let written = std::sync::atomic::AtomicBool::new(false);
    let writer = |_: &str| {
        if written.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let tasks = tasks.clone();
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async move {
                tasks
                    .update_one(
                        doc! { "_id": last_id },
                        doc! { "$set": { "title": "edited meanwhile" } },
                    )
                    .await
                    .expect("edit");
                tasks
                    .insert_one(task(Bson::String("v000".into()), 2_000, 2_000, "new copy"))
                    .await
                    .expect("insert");
            });
        });
    };
    let outcome = apply_oldest(&db, &store, &writer).await;
    assert!(outcome.replanned >= 1, "{outcome:?}");
    assert!(outcome.rounds >= 2, "{outcome:?}");
    assert!(outcome.remaining.is_empty(), "{outcome:?}");
    let holders = holders_per_value(&db).await;
    assert_eq!(holders.len(), 600, "every value is still held");
    assert!(holders.values().all(|n| *n == 1), "and by exactly one task");
    let edited = tasks
        .find_one(doc! { "_id": last_id })
        .await
        .expect("find")
        .expect("edited task");
    assert_eq!(
        edited.get_str("title"),
        Ok("edited meanwhile"),
        "the app's edit is kept"
    );
    assert_eq!(
        documents(&db, "tasks").await.len(),
        1_201,
        "nothing deleted"
    );

    let undone = dedupe::undo(&db, &cli(), &PHASE_0, None, db.name(), &store)
        .await
        .expect("undo");
    assert!(undone.left_alone.is_empty(), "{undone:?}");
    assert_eq!(undone.restored, 601);
    let restored = tasks
        .find_one(doc! { "_id": last_id })
        .await
        .expect("find")
        .expect("restored");
    assert_eq!(restored.get_str("title"), Ok("edited meanwhile"));
    assert_eq!(restored.get_str("clientId"), Ok("v599"));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_writer_running_all_along_loses_no_value_and_no_document() {
    let db = many_groups("dedupe_writer").await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let tasks = raw(&db).await.collection::<Document>("tasks");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (tasks, stop) = (tasks.clone(), stop.clone());
        tokio::spawn(async move {
            let mut inserted = 0_u64;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let value = format!("v{:03}", fastrand::u32(0..600));
                tasks
                    .update_many(
                        doc! { "clientId": &value },
                        doc! { "$set": { "touched": true } },
                    )
                    .await
                    .expect("update");
                tasks
                    .insert_one(task(Bson::String(value), 5_000, 5_000, "uploaded again"))
                    .await
                    .expect("insert");
                inserted += 1;
            }
            inserted
        })
    };
    apply_oldest(&db, &store, QUIET).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let inserted = writer.await.expect("writer");
    let holders = holders_per_value(&db).await;
    assert_eq!(holders.len(), 600, "no value lost all its holders");
    assert_eq!(
        documents(&db, "tasks").await.len() as u64,
        1_200 + inserted,
        "nothing deleted"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_cleanup_whose_export_the_disk_cannot_hold_changes_nothing() {
    let (db, _) = messy("dedupe_no_room").await;
    let dir = tempfile::tempdir().expect("dir");
    // A reserve no disk has: the first round's export is refused.
    let store = BackupStore::new(
        dir.path().join("backups"),
        u64::MAX / 2,
        std::time::Duration::from_secs(3_600),
    );
    let before = documents(&db, "tasks").await;
    let refused = dedupe::apply(
        &db,
        &cli(),
        &PHASE_0,
        Options::default(),
        db.name(),
        &store,
        QUIET,
    )
    .await;
    // The run records the change as failed, with why.
    match refused {
        Err(OpsError::ChangeFailed { message, .. }) => {
            assert!(message.contains("not enough disk space"), "{message}");
        }
        other => panic!("expected a refusal for room, got {other:?}"),
    }
    assert_eq!(documents(&db, "tasks").await, before, "no document changed");
    db.drop_database().await.expect("drop");
}
