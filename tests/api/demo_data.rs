//! Demo data: the pre-migration shapes, the messy `clientId`s counted
//! independently, and refusal to overwrite.

use crate::helpers::{server_uri, test_db};
use forest_runbook::db::{DbError, DemoDataSpec};
use mongodb::bson::{Document, doc};

fn spec(messy: bool) -> DemoDataSpec {
    DemoDataSpec {
        users: 20,
        tasks: 3_000,
        sessions: 1_000,
        messy,
        seed: 11,
    }
}

async fn count(db: &str, collection: &str, filter: Document) -> u64 {
    mongodb::Client::with_uri_str(server_uri())
        .await
        .expect("client")
        .database(db)
        .collection::<Document>(collection)
        .count_documents(filter)
        .await
        .expect("count")
}

#[tokio::test]
async fn messy_demo_data_has_every_client_id_shape_and_the_summary_is_true() {
    let db = test_db("demo_messy").await;
    let summary = db.write_demo_data(spec(true), false).await.expect("writes");
    let name = db.name();
    assert_eq!(
        (summary.users, summary.tasks, summary.focus_sessions),
        (20, 3_000, 1_000)
    );
    assert_eq!(count(name, "tasks", doc! {}).await, 3_000);

    let mut nulls = 0;
    let mut strings = 0;
    let mut missing = 0;
    let mut non_strings = 0;
    for collection in ["tasks", "focus_sessions"] {
        nulls += count(name, collection, doc! { "clientId": { "$type": "null" } }).await;
        strings += count(name, collection, doc! { "clientId": { "$type": "string" } }).await;
        missing += count(name, collection, doc! { "clientId": { "$exists": false } }).await;
        non_strings += count(name, collection, doc! { "clientId": { "$type": "int" } }).await;
    }
    assert_eq!(summary.client_id_nulls, nulls);
    assert_eq!(summary.client_id_strings, strings);
    assert_eq!(summary.client_id_missing, missing);
    assert_eq!(summary.client_id_non_strings, non_strings);
    assert!(nulls > 0 && strings > 0 && missing > 0 && non_strings > 0);
    assert!(
        summary.client_id_duplicates > 0,
        "messy data carries duplicates"
    );

    // Pre-migration: no devices, no lastSyncedAt, Prisma's existing indexes.
    let collections = db.collection_names().await.expect("list");
    assert!(
        !collections.iter().any(|c| c == "devices"),
        "{collections:?}"
    );
    assert_eq!(
        count(name, "users", doc! { "lastSyncedAt": { "$exists": true } }).await,
        0
    );
    let client = mongodb::Client::with_uri_str(server_uri())
        .await
        .expect("client");
    let index_names = client
        .database(name)
        .collection::<Document>("users")
        .list_index_names()
        .await
        .expect("indexes");
    assert!(
        index_names.iter().any(|n| n == "User_email_key"),
        "{index_names:?}"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn clean_demo_data_carries_no_client_id_and_existing_data_is_never_overwritten() {
    let db = test_db("demo_clean").await;
    db.write_demo_data(spec(false), false)
        .await
        .expect("writes");
    let name = db.name();
    assert_eq!(
        count(name, "tasks", doc! { "clientId": { "$exists": true } }).await,
        0
    );

    let err = db
        .write_demo_data(spec(true), false)
        .await
        .expect_err("refused");
    assert!(matches!(err, DbError::NotEmpty { .. }), "{err:?}");
    assert!(err.to_string().contains("--replace"), "{err}");
    assert_eq!(
        count(name, "tasks", doc! { "clientId": { "$exists": true } }).await,
        0
    );

    let replaced = db
        .write_demo_data(spec(true), true)
        .await
        .expect("replaces");
    assert_eq!(count(name, "tasks", doc! {}).await, replaced.tasks);
    assert!(count(name, "tasks", doc! { "clientId": { "$exists": true } }).await > 0);
    db.drop_database().await.expect("drop");
}
