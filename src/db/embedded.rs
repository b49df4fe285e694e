//! The embedded default database: `secantusd-rs` (SecantusDB) run as a child
//! process on a free loopback port, its data kept in the configured folder.
//! It is a separate process because its licence (GPL-2.0) must not be linked
//! into the app.

use mongodb::Client;
use mongodb::bson::doc;
use mongodb::options::ClientOptions;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// The version the setup script installs (`secantus-mdb` on crates.io).
pub const PINNED_VERSION: &str = "0.5.3-beta.196";
/// Lines of the server's output kept to explain a failed start.
const OUTPUT_TAIL: usize = 20;
/// How long a stopping server gets before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "the embedded database server `{binary}` was not found. Install it with \
         `scripts/setup.sh` (or `cargo install secantus-mdb --version {PINNED_VERSION} --locked`, \
         which needs cmake), set database.server_binary in Leptos.toml to its path, \
         or set MONGODB_URI to use another MongoDB server"
    )]
    NotInstalled { binary: PathBuf },
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start `{binary}`: {source}")]
    Spawn {
        binary: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the embedded database server exited during start ({status}). Its last output:\n{output}\n\
         If another forest-runbook already uses the data folder {data_dir}, stop it or set \
         database.data_dir to another folder"
    )]
    Exited {
        status: String,
        output: String,
        data_dir: PathBuf,
    },
    #[error(
        "the embedded database server did not answer `ping` within {seconds} s. Its last output:\n{output}"
    )]
    Timeout { seconds: u64, output: String },
    #[error("cannot connect to the embedded database server: {0}")]
    Client(String),
    #[error("cannot stop the embedded database server: {0}")]
    Stop(String),
}

/// A running `secantusd-rs`. Stop it with [`EmbeddedServer::stop`]; dropping
/// it kills the process as a last resort.
#[derive(Debug)]
pub struct EmbeddedServer {
    child: Child,
    port: u16,
    fresh: bool,
    data_dir: PathBuf,
}

/// Output lines of the child, the newest last.
type Tail = Arc<Mutex<VecDeque<String>>>;

impl EmbeddedServer {
    /// Starts the server on a free loopback port with its data in `data_dir`
    /// and waits until it answers `ping`. `extra_args` are passed through
    /// (for example a smaller cache for tests).
    pub async fn start(
        binary: &Path,
        data_dir: &Path,
        timeout: Duration,
        extra_args: &[&str],
    ) -> Result<Self, EmbeddedError> {
        let fresh = is_missing_or_empty(data_dir);
        std::fs::create_dir_all(data_dir).map_err(|source| EmbeddedError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let mut child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", "0", "--storage-path"])
            .arg(data_dir)
            .args(["--log-file-max", "32MB"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::NotFound => EmbeddedError::NotInstalled {
                    binary: binary.to_path_buf(),
                },
                _ => EmbeddedError::Spawn {
                    binary: binary.to_path_buf(),
                    source,
                },
            })?;

        let tail: Tail = Arc::default();
        let (port_tx, port_rx) = oneshot::channel();
        if let Some(stdout) = child.stdout.take() {
            tokio::spawn(follow_output(stdout, tail.clone(), Some(port_tx)));
        }
        if let Some(stderr) = child.stderr.take() {
            tokio::spawn(follow_output(stderr, tail.clone(), None));
        }

        let mut server = Self {
            child,
            port: 0,
            fresh,
            data_dir: data_dir.to_path_buf(),
        };
        let deadline = Instant::now() + timeout;
        let waited = tokio::time::timeout(timeout, port_rx).await;
        server.port = match waited {
            Ok(Ok(port)) => port,
            Ok(Err(_)) => return Err(server.failed_start(&tail).await),
            Err(_) => {
                return Err(EmbeddedError::Timeout {
                    seconds: timeout.as_secs(),
                    output: render(&tail),
                });
            }
        };
        server.wait_for_ping(deadline, &tail).await?;
        tracing::info!(port = server.port, data_dir = %data_dir.display(), fresh, "embedded database server is up");
        Ok(server)
    }

    /// A connection string for this server (no database in the path).
    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}/?directConnection=true", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// True when the data folder was new or empty at start.
    pub fn was_fresh(&self) -> bool {
        self.fresh
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Asks the server to shut down (SIGTERM), waits for it, and kills it if
    /// it does not stop in time.
    pub async fn stop(mut self) -> Result<(), EmbeddedError> {
        let Some(pid) = self.child.id() else {
            return Ok(());
        };
        let pid = Pid::from_raw(
            i32::try_from(pid).map_err(|_| EmbeddedError::Stop(format!("odd pid {pid}")))?,
        );
        kill(pid, Signal::SIGTERM).map_err(|e| EmbeddedError::Stop(e.to_string()))?;
        match tokio::time::timeout(STOP_GRACE, self.child.wait()).await {
            Ok(Ok(status)) => {
                tracing::info!(%status, "embedded database server stopped");
                Ok(())
            }
            Ok(Err(e)) => Err(EmbeddedError::Stop(e.to_string())),
            Err(_) => {
                tracing::warn!("embedded database server ignored SIGTERM; killing it");
                self.child
                    .kill()
                    .await
                    .map_err(|e| EmbeddedError::Stop(e.to_string()))
            }
        }
    }

    async fn wait_for_ping(&mut self, deadline: Instant, tail: &Tail) -> Result<(), EmbeddedError> {
        let timeout_error = |tail: &Tail| EmbeddedError::Timeout {
            seconds: deadline.saturating_duration_since(Instant::now()).as_secs(),
            output: render(tail),
        };
        let client_error = |e: mongodb::error::Error| EmbeddedError::Client(e.to_string());
        let mut options = ClientOptions::parse(self.uri())
            .await
            .map_err(client_error)?;
        options.server_selection_timeout = Some(Duration::from_millis(500));
        let client = Client::with_options(options).map_err(client_error)?;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(self.failed_start(tail).await);
            }
            if client
                .database("admin")
                .run_command(doc! { "ping": 1 })
                .await
                .is_ok()
            {
                // Ended here, not by its `Drop` (see `Database::shutdown`).
                client.shutdown().immediate(true).await;
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(timeout_error(tail));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn failed_start(&mut self, tail: &Tail) -> EmbeddedError {
        let status = match self.child.wait().await {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        };
        // Give the output readers a moment to drain the last lines.
        tokio::time::sleep(Duration::from_millis(50)).await;
        EmbeddedError::Exited {
            status,
            output: render(tail),
            data_dir: self.data_dir.clone(),
        }
    }
}

fn is_missing_or_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut entries| entries.next().is_none())
}

fn render(tail: &Tail) -> String {
    tail.lock()
        .map(|lines| lines.iter().cloned().collect::<Vec<_>>().join("\n"))
        .unwrap_or_default()
}

/// Forwards the child's output to the log, keeps its tail, and reports the
/// port from the "listening on HOST:PORT" line.
async fn follow_output(
    stream: impl tokio::io::AsyncRead + Unpin,
    tail: Tail,
    mut port_tx: Option<oneshot::Sender<u16>>,
) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(target: "secantusd", "{line}");
        if let Some(port) = listening_port(&line)
            && let Some(tx) = port_tx.take()
        {
            // The receiver is gone only when start already gave up.
            let _ = tx.send(port);
        }
        if let Ok(mut kept) = tail.lock() {
            if kept.len() == OUTPUT_TAIL {
                kept.pop_front();
            }
            kept.push_back(line);
        }
    }
}

/// The port of a "secantusd-rs listening on 127.0.0.1:PORT" line.
fn listening_port(line: &str) -> Option<u16> {
    let (_, address) = line.split_once("listening on ")?;
    address.trim().rsplit_once(':')?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_port_from_the_startup_line() {
        assert_eq!(
            listening_port("secantusd-rs listening on 127.0.0.1:40619"),
            Some(40619)
        );
        assert_eq!(listening_port("[INFO] loaded config"), None);
        assert_eq!(listening_port("listening on 127.0.0.1:notaport"), None);
    }

    #[test]
    fn an_empty_or_missing_folder_counts_as_fresh() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(is_missing_or_empty(&dir.path().join("absent")));
        assert!(is_missing_or_empty(dir.path()));
        std::fs::write(dir.path().join("WiredTiger"), b"x").expect("write");
        assert!(!is_missing_or_empty(dir.path()));
    }
}
