//! The shared test server and per-test databases.

use axum::response::Response;
use forest_runbook::config::{EnvSource, Settings};
use forest_runbook::db::Database;
use http_body_util::BodyExt;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The server program the tests run: SECANTUSD_BIN or `secantusd-rs` on PATH.
pub fn server_binary() -> PathBuf {
    std::env::var_os("SECANTUSD_BIN").map_or_else(|| PathBuf::from("secantusd-rs"), PathBuf::from)
}

/// The URI of this test binary's server, started on first use. A small
/// shell wrapper holds our end of a pipe: when the test process exits, the
/// pipe closes and the wrapper stops the server and removes its data.
pub fn server_uri() -> &'static str {
    static URI: OnceLock<String> = OnceLock::new();
    URI.get_or_init(start_shared_server)
}

fn start_shared_server() -> String {
    let data = std::env::temp_dir().join(format!("forest-runbook-test-{}", std::process::id()));
    let script = r#"
        "$0" --host 127.0.0.1 --port 0 --storage-path "$1" --cache-size 512M --log-file-max 16MB &
        server=$!
        read _
        kill -TERM "$server"
        wait "$server"
        rm -rf "$1"
    "#;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(server_binary())
        .arg(&data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start secantusd-rs (run scripts/setup.sh to install it)");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("secantusd-rs exited before listening")
            .expect("read secantusd-rs output");
        if let Some((_, address)) = line.split_once("listening on ") {
            break address.rsplit_once(':').expect("host:port").1.to_owned();
        }
    };
    // Keep draining its output so that the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    // The wrapper's stdin must stay open for the life of the process.
    std::mem::forget(child);
    format!("mongodb://127.0.0.1:{port}/?directConnection=true")
}

/// A fresh database named after the test, dropped first in case an earlier
/// run left it behind. Call `drop_database` at the end of the test.
pub async fn test_db(test_name: &str) -> Database {
    let db = Database::connect(server_uri(), &format!("t_{test_name}"))
        .await
        .expect("connect");
    db.drop_database().await.expect("drop leftover database");
    db
}

/// A driver handle on `db` of its own, for a test to write what the app's
/// API does not (devices, sync fields) or to read it back raw.
pub async fn raw(db: &Database) -> mongodb::Database {
    mongodb::Client::with_uri_str(server_uri())
        .await
        .expect("client")
        .database(db.name())
}

/// An environment with nothing set, so that tests never see the caller's.
pub struct NoEnv;

impl EnvSource for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }

    fn vars(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// The shipped settings with the test's folders.
pub fn settings_in(dir: &Path) -> Settings {
    let mut settings = Settings::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"),
        &NoEnv,
    )
    .expect("shipped settings load");
    settings.database.data_dir = dir.join("db");
    settings.paths.backups_dir = dir.join("backups");
    settings.paths.logs_dir = dir.join("logs");
    settings
}

/// The whole body of a response.
pub async fn body_bytes(response: Response) -> Vec<u8> {
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    body.to_vec()
}

/// The whole body of a response, as text.
pub async fn body_text(response: Response) -> String {
    String::from_utf8(body_bytes(response).await).expect("utf-8")
}
