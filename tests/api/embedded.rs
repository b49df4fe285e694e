//! The embedded server: starts, keeps its data across restarts, stops
//! cleanly, and explains why when it cannot start.

use crate::helpers::server_binary;
use forest_runbook::db::{Database, EmbeddedError, EmbeddedServer};
use mongodb::bson::{Document, doc};
use std::time::Duration;

const START_TIMEOUT: Duration = Duration::from_secs(60);
const SMALL: [&str; 2] = ["--cache-size", "256M"];

fn is_listening(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

#[tokio::test]
async fn data_survives_a_stop_and_a_second_start() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("db");

    let first = EmbeddedServer::start(&server_binary(), &data_dir, START_TIMEOUT, &SMALL)
        .await
        .expect("first start");
    assert!(first.was_fresh(), "a new data folder is fresh");
    let client = mongodb::Client::with_uri_str(first.uri())
        .await
        .expect("client");
    client
        .database("forest")
        .collection::<Document>("notes")
        .insert_one(doc! { "_id": 1, "kept": true })
        .await
        .expect("insert");
    let first_port = first.port();
    first.stop().await.expect("clean stop");
    assert!(!is_listening(first_port), "nothing listens after stop");

    let second = EmbeddedServer::start(&server_binary(), &data_dir, START_TIMEOUT, &SMALL)
        .await
        .expect("second start");
    assert!(
        !second.was_fresh(),
        "the data folder holds the first run's data"
    );
    let client = mongodb::Client::with_uri_str(second.uri())
        .await
        .expect("client");
    let kept = client
        .database("forest")
        .collection::<Document>("notes")
        .find_one(doc! { "_id": 1 })
        .await
        .expect("find");
    assert_eq!(kept.and_then(|d| d.get_bool("kept").ok()), Some(true));
    second.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_missing_program_is_reported_with_how_to_install_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = EmbeddedServer::start(
        std::path::Path::new("/nonexistent/secantusd-rs"),
        &dir.path().join("db"),
        START_TIMEOUT,
        &[],
    )
    .await
    .expect_err("cannot start");
    assert!(matches!(err, EmbeddedError::NotInstalled { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("scripts/setup.sh") && message.contains("MONGODB_URI"),
        "{message}"
    );
}

#[tokio::test]
async fn a_data_folder_in_use_by_another_server_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("db");
    let running = EmbeddedServer::start(&server_binary(), &data_dir, START_TIMEOUT, &SMALL)
        .await
        .expect("first start");
    let err = EmbeddedServer::start(&server_binary(), &data_dir, START_TIMEOUT, &SMALL)
        .await
        .expect_err("the folder is locked");
    assert!(matches!(err, EmbeddedError::Exited { .. }), "{err:?}");
    assert!(err.to_string().contains("database.data_dir"), "{err}");

    // The first server is untouched by the failed second start.
    let db = Database::connect(&running.uri(), "forest")
        .await
        .expect("connect");
    db.ping().await.expect("still answers");
    running.stop().await.expect("clean stop");
}
