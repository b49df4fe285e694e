//! What the benches share: a `secantusd-rs` of their own in a temporary
//! folder (2 GB of cache, so that the working set stays in memory), the
//! scale read from `BENCH_SCALE`, and medians of timed rounds.

use forest_runbook::db::{Database, EmbeddedServer};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Server {
    pub db: Database,
    pub uri: String,
    server: EmbeddedServer,
    _data: tempfile::TempDir,
}

impl Server {
    pub async fn start(database: &str) -> Self {
        let binary = std::env::var_os("SECANTUSD_BIN")
            .map_or_else(|| PathBuf::from("secantusd-rs"), PathBuf::from);
        let data = tempfile::tempdir().expect("temporary folder");
        let server = EmbeddedServer::start(
            &binary,
            data.path(),
            Duration::from_secs(60),
            &["--cache-size", "2G"],
        )
        .await
        .expect("start secantusd-rs (scripts/setup.sh installs it)");
        let uri = server.uri();
        let db = Database::connect(&uri, database).await.expect("connect");
        Self {
            db,
            uri,
            server,
            _data: data,
        }
    }

    pub async fn stop(self) {
        self.server.stop().await.expect("stop secantusd-rs");
    }
}

/// `full` scaled by `BENCH_SCALE` (default 1: the sizes the issues name).
pub fn scaled(full: usize) -> usize {
    let scale: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    ((full as f64) * scale).round().max(1.0) as usize
}

pub async fn timed<F: Future>(work: F) -> (Duration, F::Output) {
    let started = Instant::now();
    let output = work.await;
    (started.elapsed(), output)
}

pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn seconds(time: Duration) -> String {
    format!("{:.3} s", time.as_secs_f64())
}
