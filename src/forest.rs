//! The adapters to the Forest application itself: an HTTP prober of its
//! API and a watcher of its server's log files. Like `db/`, they hold the
//! outside world's types (HTTP client, files) and hand plain model types up.

pub mod logs;
pub mod probe;
mod verdict;

pub use logs::LogWatcher;
pub use probe::Prober;

/// `at` as RFC 3339; empty in the (unreachable) case that it cannot be written.
fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
