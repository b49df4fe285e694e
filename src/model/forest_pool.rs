//! The Forest server's Prisma connection pool as its logs tell it: the
//! latest reading and, per minute, the most connections busy.

use super::LogStatus;
use serde::{Deserialize, Serialize};

/// What one pool line says. Only `busy` is required of a line; the others
/// are shown when the line carries them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolFigures {
    pub open: Option<u64>,
    pub busy: u64,
    pub idle: Option<u64>,
    /// Queries waiting for a connection.
    pub waiting: Option<u64>,
}

/// The latest pool line and when it was written (its own time, RFC 3339,
/// or when the watcher read it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolReading {
    pub at: String,
    pub figures: PoolFigures,
}

/// The highest figures of one minute's pool lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolMinute {
    /// Start of the minute, milliseconds since the epoch.
    pub at_ms: i64,
    pub busy: u64,
    pub waiting: Option<u64>,
}

/// The Forest server's Prisma pool: the latest reading, the minutes that
/// had one (oldest first) and the span a chart of them shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrismaPool {
    /// Whether the log watcher follows a folder at all.
    pub status: LogStatus,
    /// `None` until a pool line has been seen.
    pub latest: Option<PoolReading>,
    pub minutes: Vec<PoolMinute>,
    /// The chart's span: from the oldest kept minute with a reading (at
    /// least an hour back) to the current minute, in ms since the epoch.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Minutes of readings kept (`forest_logs.retain_minutes`).
    pub retain_minutes: u32,
    /// Whether `forest_logs.pool_pattern` is set.
    pub pattern_set: bool,
}
