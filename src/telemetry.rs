//! Tracing, set up once: human-readable lines on stderr and JSON lines in a
//! daily-rotated file under the logs folder.

use std::path::Path;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// Keep the guard alive for the life of the process; dropping it flushes the file.
pub fn init(logs_dir: &Path) -> Result<WorkerGuard, std::io::Error> {
    std::fs::create_dir_all(logs_dir)?;
    let file = tracing_appender::rolling::daily(logs_dir, "forest-runbook.log");
    let (file_writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,mongodb=warn"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(std::io::stderr).compact())
        .with(fmt::layer().json().with_writer(file_writer))
        .try_init()
        .map_err(std::io::Error::other)?;
    Ok(guard)
}

/// Logs `cause` under a new incident id and returns the id: what a person
/// is shown instead of the cause, which may name hosts, ports or paths.
pub fn incident(context: &str, cause: &dyn std::fmt::Display) -> String {
    let incident_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(%incident_id, cause = %cause, "{context}");
    incident_id
}
