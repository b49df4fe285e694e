//! What a crafted backup cannot do, each attack tried for real: replace the
//! app's own records, apply a TTL or any unknown option unseen, restore
//! half of a legacy dump, destroy what the restore overwrites, or inflate
//! a gzip bomb into memory.

use crate::backup::{cli, demo, restore_all, store_in, take};
use crate::backup_input::{backups_folder, bson_of, gzip, refusal};
use crate::helpers::{raw, test_db};
use crate::migration::snapshot;
use forest_runbook::db::Database;
use forest_runbook::db::dump::DumpError;
use forest_runbook::model::{BackupCollection, BackupFile, Manifest};
use forest_runbook::ops::backup::{self, BackupError, BackupStore, Confirmation, Jobs};
use forest_runbook::ops::digest::hex;
use forest_runbook::ops::migration::PHASE_0;
use mongodb::bson::{Document, doc};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

/// Puts collection `name` into backup `manifest` as someone who can write
/// the backups folder would: its files, and a manifest entry whose sizes
/// and checksums match, so that the backup verifies.
fn plant(
    store_dir: &Path,
    manifest: &Manifest,
    name: &str,
    bson: Vec<u8>,
    count: u64,
    metadata: &str,
) {
    let folder = store_dir.join("backups").join(&manifest.name);
    let mut manifest: Manifest =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).expect("manifest"))
            .expect("manifest json");
    let mut files = Vec::new();
    for (file, bytes) in [
        (format!("{name}.bson"), bson),
        (
            format!("{name}.metadata.json"),
            metadata.as_bytes().to_vec(),
        ),
    ] {
        let path = format!("{}/{file}", manifest.database);
        std::fs::write(folder.join(&path), &bytes).expect("write");
        files.push(BackupFile {
            path,
            bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(&bytes)),
        });
    }
    manifest.collections.retain(|c| c.name != name);
    manifest.collections.push(BackupCollection {
        name: name.to_owned(),
        documents: count,
        files,
    });
    std::fs::write(
        folder.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest).expect("json"),
    )
    .expect("manifest");
}

/// The `.bson` bytes of `collection` in backup `manifest`.
fn bson_in(store_dir: &Path, manifest: &Manifest, collection: &str) -> Vec<u8> {
    std::fs::read(
        store_dir
            .join("backups")
            .join(&manifest.name)
            .join(&manifest.database)
            .join(format!("{collection}.bson")),
    )
    .expect("bson")
}

async fn documents(db: &Database, collection: &str) -> Vec<Document> {
    let mut cursor = raw(db)
        .await
        .collection::<Document>(collection)
        .find(doc! {})
        .sort(doc! { "_id": 1 })
        .await
        .expect("find");
    let mut found = Vec::new();
    while cursor.advance().await.expect("advance") {
        found.push(cursor.deserialize_current().expect("document"));
    }
    found
}

pub async fn indexes_of(db: &Database, collection: &str) -> Vec<Document> {
    let mut listed = raw(db)
        .await
        .collection::<Document>(collection)
        .list_indexes()
        .await
        .expect("indexes")
        .with_type::<Document>();
    let mut found = Vec::new();
    while listed.advance().await.expect("advance") {
        found.push(listed.deserialize_current().expect("index"));
    }
    found
}

/// A fresh database with the app's collections, a folder and its store.
async fn empty_db(name: &str) -> (Database, tempfile::TempDir, BackupStore) {
    let db = test_db(name).await;
    db.prepare_app_collections().await.expect("app");
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    (db, dir, store)
}

/// `<dir>/dump/<database>/`, made, as `mongodump --out` leaves it.
fn dump_folder(dir: &Path, db: &Database) -> std::path::PathBuf {
    let folder = dir.join("dump").join(db.name());
    std::fs::create_dir_all(&folder).expect("dir");
    folder
}

/// A demo database and a backup of it whose `tasks` metadata is replaced
/// by `metadata` (the documents stay), then every task deleted: a change
/// a restore would undo.
async fn backup_with_tasks_metadata(
    name: &str,
    metadata: &str,
) -> (Database, tempfile::TempDir, BackupStore, Manifest) {
    let db = demo(name, 50).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let manifest = take(&db, &store, false).await;
    let tasks = manifest.count_of("tasks").expect("tasks");
    let bson = bson_in(dir.path(), &manifest, "tasks");
    plant(dir.path(), &manifest, "tasks", bson, tasks, metadata);
    clear_tasks(&db).await;
    (db, dir, store, manifest)
}

async fn clear_tasks(db: &Database) {
    raw(db)
        .await
        .collection::<Document>("tasks")
        .delete_many(doc! {})
        .await
        .expect("a change a restore would undo");
}

/// Restores `name` without accepting options; answers why it was refused.
async fn refused_restore(db: &Database, store: &BackupStore, name: &str) -> BackupError {
    refusal(
        crate::backup::try_restore(db, store, name)
            .await
            .expect_err("refused"),
    )
}

const PLAIN_METADATA: &str = r#"{"options":{},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}]}"#;

#[tokio::test]
async fn a_backup_holding_the_app_s_own_records_is_refused_on_import_and_on_restore() {
    let db = demo("rg_app_records", 50).await;
    forest_runbook::ops::four_eyes::set_four_eyes(&db, &cli(), true)
        .await
        .expect("four-eyes on");
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let mallory = [doc! { "_id": "mallory", "username": "mallory", "role": "admin" }];
    let accounts = documents(&db, "runbook_accounts").await;
    let settings = documents(&db, "runbook_settings").await;
    let audit = documents(&db, "runbook_audit").await;

    let folder = dump_folder(dir.path(), &db);
    std::fs::write(folder.join("users.bson"), bson_of(&[doc! { "_id": 1 }])).expect("users");
    std::fs::write(folder.join("users.metadata.json"), PLAIN_METADATA).expect("users meta");
    std::fs::write(folder.join("runbook_accounts.bson"), bson_of(&mallory)).expect("accounts");
    std::fs::write(
        folder.join("runbook_accounts.metadata.json"),
        PLAIN_METADATA,
    )
    .expect("meta");
    let error = refusal(
        backup::import(&db, &store, &cli(), &dir.path().join("dump"))
            .await
            .expect_err("an import of the app's records"),
    );
    assert!(error.to_string().contains("runbook_accounts"), "{error}");
    assert!(
        backups_folder(dir.path()).is_empty(),
        "the import left nothing"
    );

    let manifest = take(&db, &store, false).await;
    clear_tasks(&db).await;
    let before = snapshot(&db).await;
    // Four-eyes stays on: each refusal comes before it, naming the collection.
    for (name, options) in [
        ("runbook_accounts", "{}"),
        ("runbook_settings", "{}"),
        ("system.js", "{}"),
        // A second `create` would have made `tasks`'s create command make the accounts.
        ("tasks", r#"{"create": "runbook_accounts"}"#),
    ] {
        let metadata = format!(r#"{{"options":{options},"indexes":[]}}"#);
        plant(dir.path(), &manifest, name, bson_of(&mallory), 1, &metadata);
        let error = refused_restore(&db, &store, &manifest.name).await;
        let said = if name == "tasks" { "\"create\"" } else { name };
        assert!(error.to_string().contains(said), "{name}: {error}");
        assert!(!error.is_internal(), "{name}: {error}");
        // Put the planted entry back out for the next case.
        let folder = dir.path().join("backups").join(&manifest.name);
        let mut clean: Manifest =
            serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).expect("manifest"))
                .expect("json");
        clean.collections = manifest.collections.clone();
        std::fs::write(
            folder.join("manifest.json"),
            serde_json::to_vec(&clean).expect("json"),
        )
        .expect("write");
        std::fs::write(
            folder.join(db.name()).join("tasks.bson"),
            bson_in(dir.path(), &manifest, "tasks"),
        )
        .expect("tasks");
    }
    assert_eq!(
        documents(&db, "runbook_accounts").await,
        accounts,
        "accounts unchanged"
    );
    assert_eq!(
        documents(&db, "runbook_settings").await,
        settings,
        "four-eyes still on"
    );
    let audit_now = documents(&db, "runbook_audit").await;
    assert_eq!(
        audit_now[..audit.len()],
        audit[..],
        "the audit log is only appended to"
    );
    assert_eq!(
        snapshot(&db).await,
        before,
        "no refusal touched the database"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_ttl_index_in_a_backup_is_shown_and_refused_until_it_is_accepted() {
    let (db, _dir, store, manifest) = backup_with_tasks_metadata(
        "rg_ttl",
        r#"{"options":{},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"},
            {"v":2,"key":{"createdAt":1},"name":"createdAt_ttl","expireAfterSeconds":0}]}"#,
    )
    .await;
    let before = snapshot(&db).await;
    let error = refused_restore(&db, &store, &manifest.name).await;
    let BackupError::OptionsNotAccepted(notices) = &error else {
        panic!("expected the options to need acceptance: {error}");
    };
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(
        (
            notices[0].collection.as_str(),
            notices[0].index.as_deref(),
            notices[0].option.as_str()
        ),
        ("tasks", Some("createdAt_ttl"), "expireAfterSeconds 0")
    );
    assert!(error.to_string().contains("--accept-options"), "{error}");
    assert_eq!(snapshot(&db).await, before, "nothing restored");
    assert_eq!(store.list().expect("list").len(), 1, "no pre-image either");

    let accepted = Confirmation {
        database: db.name(),
        accept_options: true,
    };
    let report = backup::restore(
        &db,
        &store,
        &Jobs::new(db.clone()),
        &cli(),
        &manifest.name,
        accepted,
    )
    .await
    .expect("restores once accepted");
    assert_eq!(report.accepted_options, *notices);
    let ttl = indexes_of(&db, "tasks")
        .await
        .into_iter()
        .find(|index| index.get_str("name") == Ok("createdAt_ttl"))
        .expect("the accepted TTL index exists");
    assert_eq!(
        ttl.get("expireAfterSeconds")
            .and_then(|v| v.as_i64().or(v.as_i32().map(i64::from))),
        Some(0)
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn legacy_index_specs_import_with_their_conversions_said_and_restore_whole() {
    let (db, dir, store) = empty_db("rg_legacy").await;
    let folder = dump_folder(dir.path(), &db);
    let docs: Vec<Document> = (0..3)
        .map(|i| doc! { "_id": i, "a": i, "b": format!("b{i}"), "c": i * 2 })
        .collect();
    std::fs::write(folder.join("legacy.bson"), bson_of(&docs)).expect("bson");
    let ns = format!("{}.legacy", db.name());
    let metadata = format!(
        r#"{{"options":{{}},"indexes":[
            {{"v":1,"key":{{"_id":1}},"name":"_id_","ns":"{ns}"}},
            {{"v":1,"key":{{"a":1.0}},"name":"a_1","ns":"{ns}","safe":true,"background":true}},
            {{"v":1,"key":{{"b":"1"}},"name":"b_1","ns":"{ns}","unique":true,"dropDups":true}},
            {{"v":1,"key":{{"c":""}},"name":"c_1","ns":"{ns}","safe":null}}
        ]}}"#
    );
    std::fs::write(
        folder.join("legacy.metadata.json.gz"),
        gzip(metadata.as_bytes()),
    )
    .expect("meta");
    let manifest = backup::import(&db, &store, &cli(), &dir.path().join("dump"))
        .await
        .expect("imports");
    for said in [
        "index a_1: key a: 1.0 read as 1",
        "index a_1: safe: true left out",
        "index a_1: background: true left out",
        "index b_1: key b: \"1\" read as 1",
        "index b_1: dropDups: true left out",
        "index c_1: key c: \"\" read as 1",
    ] {
        assert!(
            manifest.converted.iter().any(|line| line.ends_with(said)),
            "{said} in {:?}",
            manifest.converted
        );
    }
    restore_all(&db, &store, &manifest.name).await;
    let mut keys: Vec<_> = indexes_of(&db, "legacy")
        .await
        .into_iter()
        .map(|index| {
            (
                index.get_str("name").expect("name").to_owned(),
                index.get_document("key").expect("key").clone(),
                index.get_bool("unique").unwrap_or(false),
            )
        })
        .collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        keys,
        [
            ("_id_".to_owned(), doc! { "_id": 1 }, false),
            ("a_1".to_owned(), doc! { "a": 1 }, false),
            ("b_1".to_owned(), doc! { "b": 1 }, true),
            ("c_1".to_owned(), doc! { "c": 1 }, false),
        ]
    );
    assert_eq!(documents(&db, "legacy").await, docs);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_index_the_server_refuses_stops_the_restore_before_its_first_drop() {
    // Two indexes with one key under two names: every spec reads, but the
    // server refuses the second.
    let (db, _dir, store, manifest) = backup_with_tasks_metadata(
        "rg_server_rules",
        r#"{"options":{},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"},
            {"v":2,"key":{"title":1},"name":"one"},{"v":2,"key":{"title":1},"name":"two"}]}"#,
    )
    .await;
    let before = snapshot(&db).await;
    let error = refused_restore(&db, &store, &manifest.name).await;
    assert!(
        matches!(&error, BackupError::Dump(DumpError::Refused { collection, .. }) if collection == "tasks"),
        "{error}"
    );
    assert_eq!(snapshot(&db).await, before, "nothing was dropped");
    assert_eq!(store.list().expect("list").len(), 1, "nor exported");
    assert!(
        db.lock_holder().await.expect("lock").is_none(),
        "the lock is free"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_restore_s_pre_image_brings_back_the_writes_made_after_the_backup() {
    let db = demo("rg_pre_image", 100).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let manifest = take(&db, &store, false).await;
    raw(&db)
        .await
        .collection::<Document>("tasks")
        .insert_one(doc! { "_id": "after", "title": "written after the backup" })
        .await
        .expect("a write after the backup");
    let after = snapshot(&db).await;
    let report = restore_all(&db, &store, &manifest.name).await;
    assert_ne!(snapshot(&db).await, after, "the restore undid the write");
    let pre_image = report.pre_image_backup.clone().expect("a pre-image backup");
    let runs = db.runs(PHASE_0.name, 10).await.expect("runs");
    let run = runs.iter().find(|r| r.id == report.run).expect("the run");
    assert_eq!(run.pre_image_backup.as_deref(), Some(pre_image.as_str()));
    // The run names the backup it restores in a field of its own; its
    // checksum is the declaration's, as every run's is.
    assert_eq!(run.backup.as_deref(), Some(manifest.name.as_str()));
    assert_eq!(run.checksum, PHASE_0.checksum());
    let saved = store.manifest(&pre_image).expect("pre-image manifest");
    assert_eq!(saved.count_of("tasks"), Some(101));

    restore_all(&db, &store, &pre_image).await;
    assert_eq!(snapshot(&db).await, after, "the write is back");
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_restore_is_refused_when_the_disk_cannot_hold_its_pre_image() {
    let db = demo("rg_no_room", 50).await;
    let dir = tempfile::tempdir().expect("dir");
    let manifest = take(&db, &store_in(dir.path()), false).await;
    clear_tasks(&db).await;
    let before = snapshot(&db).await;
    let full = BackupStore::new(dir.path().join("backups"), u64::MAX / 4, Duration::ZERO);
    let error = refused_restore(&db, &full, &manifest.name).await;
    assert!(matches!(error, BackupError::DiskSpace { .. }), "{error}");
    assert_eq!(snapshot(&db).await, before);
    db.drop_database().await.expect("drop");
}

/// The process's peak resident memory so far, in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a number");
    kb * 1024
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_by_name_without_inflating_it() {
    let (db, dir, store) = empty_db("rg_bomb").await;
    let folder = dump_folder(dir.path(), &db);
    std::fs::write(folder.join("tasks.bson"), b"").expect("bson");
    let bomb = crate::bomb::gzip_of_zeros(1 << 30);
    assert!(bomb.len() < 8 << 20, "{} bytes", bomb.len());
    std::fs::write(folder.join("tasks.metadata.json.gz"), &bomb).expect("bomb");

    let before = peak_memory();
    let error = refusal(
        backup::import(&db, &store, &cli(), &dir.path().join("dump"))
            .await
            .expect_err("a bomb"),
    );
    let grown = peak_memory().saturating_sub(before);
    println!("a 1 GiB gzip bomb: peak memory grew by {} KiB", grown >> 10);
    assert!(
        matches!(&error, BackupError::Dump(DumpError::TooLarge { file, .. }) if file.ends_with("tasks.metadata.json.gz")),
        "{error}"
    );
    assert!(grown < 100 << 20, "peak memory grew by {} MB", grown >> 20);
    assert!(backups_folder(dir.path()).is_empty());
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn every_refusal_of_an_import_path_reads_the_same() {
    let (db, dir, store) = empty_db("rg_paths").await;
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("dir");
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&empty, &link).expect("link");
    let two = dir.path().join("two");
    for database in ["a", "b"] {
        std::fs::create_dir_all(two.join(database)).expect("dir");
        std::fs::write(two.join(database).join("x.metadata.json"), PLAIN_METADATA).expect("meta");
    }
    let paths = [
        dir.path().join("missing"),
        Path::new("/etc").to_path_buf(),
        Path::new("/etc/hostname").to_path_buf(),
        Path::new("/root/.ssh/nothing-here").to_path_buf(),
        empty,
        link,
        two,
    ];
    let mut reasons = Vec::new();
    for path in &paths {
        let error = refusal(
            backup::import(&db, &store, &cli(), path)
                .await
                .expect_err("refused"),
        );
        assert!(!error.is_internal(), "{error}");
        let text = error.to_string();
        let shown = path.display().to_string();
        reasons.push(text.strip_prefix(&shown).map(str::to_owned).unwrap_or(text));
    }
    reasons.dedup();
    assert_eq!(reasons.len(), 1, "{reasons:#?}");
    db.drop_database().await.expect("drop");
}

/// `backup verify ../../etc` is refused by name, and the program ends
/// without a panic, 40 times over: every way out of `main` ends the
/// driver's work before the runtime stops (a client dropped during the
/// runtime's shutdown spawns its clean-up there, and panicked about once in
/// 31 runs). The runs use the shared test server, so each is quick.
#[test]
fn verify_of_a_path_outside_the_backups_folder_is_refused_and_exits_cleanly() {
    let dir = tempfile::tempdir().expect("dir");
    let database = "t_verify_outside_exits_cleanly";
    for run in 0..40 {
        let output = crate::process::program(dir.path())
            .args(["backup", "verify", "../../etc"])
            .env("MONGODB_URI", crate::helpers::server_uri())
            .env("FOREST_DATABASE__NAME", database)
            .env("FOREST_PATHS__BACKUPS_DIR", dir.path().join("backups"))
            .env("RUST_BACKTRACE", "1")
            .output()
            .expect("run forest-runbook");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "run {run}: {stderr}");
        assert!(
            stderr.contains("is not a backup name"),
            "run {run}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "run {run}: {stderr}");
    }
}

/// A backup's writer that falls behind holds the export back with an
/// awaited send, never by blocking the thread: on a one-thread runtime a
/// blocking send would leave the writer's reader no turn, and hang.
#[tokio::test(flavor = "current_thread")]
async fn an_export_waits_for_a_slow_writer_without_holding_the_runtime() {
    let (db, _dir, _store) = empty_db("rg_slow_writer").await;
    let big = "x".repeat(600 * 1024);
    let documents: Vec<Document> = (0..8).map(|i| doc! { "_id": i, "text": &big }).collect();
    raw(&db)
        .await
        .collection::<Document>("notes")
        .insert_many(documents)
        .await
        .expect("insert");
    let (sink, mut chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(1);
    let writer = tokio::spawn(async move {
        let (mut received, mut bytes) = (0, 0);
        while let Some(chunk) = chunks.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            received += 1;
            bytes += chunk.len() as u64;
        }
        (received, bytes)
    });
    let exported = db
        .export_collection("notes", &sink, "notes.bson", &mut |_, _| true)
        .await
        .expect("export");
    drop(sink);
    let (received, bytes) = writer.await.expect("writer");
    assert_eq!((exported.0, exported.1), (8, bytes));
    assert!(received >= 3, "{received} chunks: the queue of one filled");
    db.drop_database().await.expect("drop");
}
