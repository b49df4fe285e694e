//! Dumps laid out exactly as mongodump writes them, written by hand here
//! (several collections, gzip and plain, an index with options, a
//! collection with options, legacy index specs, an empty collection), are
//! imported, verified and restored; and each bad input is refused with a
//! typed error before anything changes.

use crate::backup::{cli, demo, restore_all, store_in, take, typed};
use crate::helpers::raw;
use crate::helpers::test_db;
use crate::migration::snapshot;
use flate2::Compression;
use flate2::write::GzEncoder;
use forest_runbook::model::BackupState;
use forest_runbook::ops::OpsError;
use forest_runbook::ops::backup::{self, BackupError, BackupStore, Jobs};
use mongodb::bson::{Document, doc, to_vec};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub fn bson_of(documents: &[Document]) -> Vec<u8> {
    documents
        .iter()
        .flat_map(|d| to_vec(d).expect("encode"))
        .collect()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// `<out>/<database>/...` as `mongodump --out <out>` leaves it, plus the
/// root `prelude.json` newer tools write.
fn write_fixture(out: &Path, database: &str) -> PathBuf {
    let folder = out.join(database);
    std::fs::create_dir_all(&folder).expect("dir");
    std::fs::write(out.join("prelude.json"), r#"{"ServerVersion":"4.4.29"}"#).expect("prelude");
    let users: Vec<Document> = (0..3)
        .map(|i| doc! { "_id": i, "email": format!("u{i}@forest.example") })
        .collect();
    std::fs::write(folder.join("users.bson"), bson_of(&users)).expect("users");
    std::fs::write(
        folder.join("users.metadata.json"),
        r#"{"options":{},"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"},{"v":{"$numberInt":"2"},"unique":true,"key":{"email":{"$numberInt":"1"}},"name":"User_email_key"}],"uuid":"0123456789abcdef0123456789abcdef","collectionName":"users","type":"collection"}"#,
    )
    .expect("users metadata");
    let tasks = [
        doc! { "_id": 1, "userId": 0, "title": "plant" },
        doc! { "_id": 2, "userId": 1, "title": "water" },
    ];
    std::fs::write(folder.join("tasks.bson.gz"), gzip(&bson_of(&tasks))).expect("tasks");
    let legacy = format!(
        r#"{{"options":{{}},"indexes":[{{"v":1,"key":{{"_id":1}},"name":"_id_","ns":"{database}.tasks"}},{{"v":1,"key":{{"userId":true}},"name":"userId_legacy","ns":"{database}.tasks"}},{{"v":1,"key":{{"title":""}},"name":"title_legacy","ns":"{database}.tasks","sparse":true}}]}}"#
    );
    std::fs::write(
        folder.join("tasks.metadata.json.gz"),
        gzip(legacy.as_bytes()),
    )
    .expect("meta");
    std::fs::write(folder.join("empty.bson"), b"").expect("empty");
    std::fs::write(
        folder.join("empty.metadata.json"),
        r#"{"options":{},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}],"collectionName":"empty","type":"collection"}"#,
    )
    .expect("empty metadata");
    std::fs::write(
        folder.join("bounded.bson"),
        bson_of(&[doc! { "_id": 1, "n": 3 }]),
    )
    .expect("bounded");
    std::fs::write(
        folder.join("bounded.metadata.json"),
        r#"{"options":{"validator":{"n":{"$gte":{"$numberInt":"0"}}},"validationLevel":"strict"},"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}],"collectionName":"bounded","type":"collection"}"#,
    )
    .expect("bounded metadata");
    folder
}

pub fn refusal(error: OpsError) -> BackupError {
    match error {
        OpsError::Backup(error) => error,
        other => panic!("expected a backup refusal, got {other:?}"),
    }
}

/// Names in the backups folder, hidden ones included: a refusal leaves none.
pub fn backups_folder(store_dir: &Path) -> Vec<String> {
    std::fs::read_dir(store_dir.join("backups"))
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_mongodump_folder_imports_verifies_and_restores() {
    let db = test_db("bk_import").await;
    db.prepare_app_collections().await.expect("app");
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    write_fixture(&dir.path().join("dump"), db.name());
    let manifest = backup::import(&db, &store, &cli(), &dir.path().join("dump"))
        .await
        .expect("imports");
    assert_eq!(manifest.database, db.name());
    assert_eq!(manifest.state, BackupState::Complete);
    for (collection, count) in [("users", 3), ("tasks", 2), ("empty", 0), ("bounded", 1)] {
        assert_eq!(manifest.count_of(collection), Some(count), "{collection}");
    }
    assert!(manifest.gzip);
    backup::verify_backup(&db, &store, &cli(), &manifest.name)
        .await
        .expect("verifies");
    restore_all(&db, &store, &manifest.name).await;

    let raw = raw(&db).await;
    let index = |name: &'static str, index: &'static str| {
        let raw = raw.clone();
        async move {
            let mut cursor = raw
                .collection::<Document>(name)
                .list_indexes()
                .await
                .expect("indexes")
                .with_type::<Document>();
            let mut found = None;
            while cursor.advance().await.expect("advance") {
                let spec = cursor.deserialize_current().expect("spec");
                if spec.get_str("name") == Ok(index) {
                    found = Some(spec);
                }
            }
            found.unwrap_or_else(|| panic!("{name} has no index {index}"))
        }
    };
    assert_eq!(
        index("users", "User_email_key").await.get_bool("unique"),
        Ok(true)
    );
    let legacy = index("tasks", "userId_legacy").await;
    assert_eq!(
        legacy.get_document("key").expect("key"),
        &doc! { "userId": 1 }
    );
    assert_eq!(
        index("tasks", "title_legacy").await.get_bool("sparse"),
        Ok(true)
    );
    assert_eq!(
        raw.collection::<Document>("tasks")
            .count_documents(doc! {})
            .await
            .expect("count"),
        2
    );
    let names = raw.list_collection_names().await.expect("names");
    assert!(
        names.contains(&"empty".to_owned()),
        "the empty collection exists"
    );
    let bounded = raw
        .list_collections()
        .filter(doc! { "name": "bounded" })
        .await
        .expect("list")
        .with_type::<Document>()
        .advance_and_get()
        .await;
    let options = bounded.get_document("options").expect("options");
    assert!(options.get_document("validator").is_ok(), "{options}");
    db.drop_database().await.expect("drop");
}

trait AdvanceAndGet {
    async fn advance_and_get(self) -> Document;
}

impl AdvanceAndGet for mongodb::Cursor<Document> {
    async fn advance_and_get(mut self) -> Document {
        assert!(self.advance().await.expect("advance"), "one entry");
        self.deserialize_current().expect("document")
    }
}

#[tokio::test]
async fn a_broken_mongodump_folder_is_refused_and_leaves_nothing() {
    let db = test_db("bk_import_bad").await;
    db.prepare_app_collections().await.expect("app");
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    type Break = fn(&Path);
    let cases: [(&str, Break); 5] = [
        ("truncated", |f| {
            let bytes = std::fs::read(f.join("users.bson")).expect("read");
            std::fs::write(f.join("users.bson"), &bytes[..bytes.len() - 5]).expect("cut");
        }),
        ("lying length", |f| {
            let mut bytes = std::fs::read(f.join("users.bson")).expect("read");
            bytes[0] -= 4;
            std::fs::write(f.join("users.bson"), bytes).expect("write");
        }),
        ("invalid metadata", |f| {
            std::fs::write(f.join("users.metadata.json"), r#"{"indexes": "none"}"#).expect("write");
        }),
        ("a link", |f| {
            std::fs::remove_file(f.join("empty.bson")).expect("rm");
            std::os::unix::fs::symlink("/etc/hostname", f.join("empty.bson")).expect("link");
        }),
        ("no metadata", |f| {
            std::fs::remove_file(f.join("bounded.metadata.json")).expect("rm");
        }),
    ];
    for (case, break_it) in cases {
        let out = dir.path().join(format!("dump-{}", case.replace(' ', "-")));
        let folder = write_fixture(&out, db.name());
        break_it(&folder);
        let error = backup::import(&db, &store, &cli(), &out)
            .await
            .expect_err(case);
        let error = refusal(error);
        assert!(!error.is_internal(), "{case}: {error}");
        assert!(
            backups_folder(dir.path()).is_empty(),
            "{case} left {:?}",
            backups_folder(dir.path())
        );
    }
    assert!(
        raw(&db)
            .await
            .list_collection_names()
            .await
            .expect("names")
            .iter()
            .all(|n| n.starts_with("runbook_"))
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn bad_names_checksums_databases_and_disks_are_refused_before_the_database_is_touched() {
    let db = demo("bk_refusals", 200).await;
    let dir = tempfile::tempdir().expect("dir");
    let store = store_in(dir.path());
    let jobs = Jobs::new(db.clone());
    let manifest = take(&db, &store, false).await;
    raw(&db)
        .await
        .collection::<Document>("tasks")
        .delete_many(doc! { "title": { "$exists": true } })
        .await
        .expect("change something a restore would undo");
    let before = snapshot(&db).await;
    let restore = |name: String, confirmation: String| {
        let (db, store) = (db.clone(), store.clone());
        async move {
            backup::restore(
                &db,
                &store,
                &Jobs::new(db.clone()),
                &cli(),
                &name,
                typed(&confirmation),
            )
            .await
        }
    };

    for name in ["../x", "a/b", ".."] {
        let error = refusal(
            restore(name.into(), db.name().into())
                .await
                .expect_err(name),
        );
        assert!(
            matches!(error, BackupError::UnsafeName { .. }),
            "{name}: {error}"
        );
    }
    let outside = tempfile::tempdir().expect("outside");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("backups/escape")).expect("link");
    let error = refusal(
        restore("escape".into(), db.name().into())
            .await
            .expect_err("link"),
    );
    assert!(matches!(error, BackupError::UnsafeName { .. }), "{error}");

    let wrong = restore(manifest.name.clone(), "not-the-db".into())
        .await
        .expect_err("typed");
    assert!(matches!(
        wrong,
        OpsError::InvalidInput {
            field: "confirmation",
            ..
        }
    ));

    let other = test_db("bk_refusals_other").await;
    other.prepare_app_collections().await.expect("app");
    let error = backup::restore(
        &other,
        &store,
        &jobs,
        &cli(),
        &manifest.name,
        typed(other.name()),
    )
    .await
    .expect_err("other database");
    assert!(matches!(refusal(error), BackupError::OtherDatabase { .. }));

    let tasks = dir
        .path()
        .join("backups")
        .join(&manifest.name)
        .join(db.name())
        .join("tasks.bson");
    let mut bytes = std::fs::read(&tasks).expect("read");
    let last = bytes.len() - 2;
    bytes[last] ^= 0xff;
    std::fs::write(&tasks, bytes).expect("flip a byte");
    let error = refusal(
        backup::verify_backup(&db, &store, &cli(), &manifest.name)
            .await
            .expect_err("checksum"),
    );
    assert!(matches!(error, BackupError::Checksum { .. }), "{error}");
    let error = refusal(
        restore(manifest.name.clone(), db.name().into())
            .await
            .expect_err("checksum"),
    );
    assert!(matches!(error, BackupError::Checksum { .. }), "{error}");
    assert_eq!(
        snapshot(&db).await,
        before,
        "no refusal touched the database"
    );

    let full = BackupStore::new(dir.path().join("backups"), u64::MAX / 4, Duration::ZERO);
    let error = refusal(
        backup::backup(&db, &full, &jobs, &cli(), false)
            .await
            .expect_err("no space"),
    );
    assert!(matches!(error, BackupError::DiskSpace { .. }), "{error}");
    assert_eq!(store.list().expect("list").len(), 1, "nothing was written");
    other.drop_database().await.expect("drop");
    db.drop_database().await.expect("drop");
}
