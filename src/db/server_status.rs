//! `serverStatus`, read into plain numbers: connections, operation counters
//! and cumulative operation latencies. A section the server does not report
//! is `None`, so the monitor can say so instead of showing zeros.

use super::numbers::as_f64;
use super::{Database, DbError};
use mongodb::bson::{Document, doc};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Connections {
    pub current: f64,
    pub available: f64,
}

/// Cumulative operation counts since the server started, in `opcounters` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpCounters {
    pub insert: u64,
    pub query: u64,
    pub update: u64,
    pub delete: u64,
    pub getmore: u64,
    pub command: u64,
}

impl OpCounters {
    /// Each counter with its `opcounters` name.
    pub fn named(&self) -> [(&'static str, u64); 6] {
        [
            ("insert", self.insert),
            ("query", self.query),
            ("update", self.update),
            ("delete", self.delete),
            ("getmore", self.getmore),
            ("command", self.command),
        ]
    }
}

/// Cumulative time spent (µs) and operations counted, for one kind of operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LatencyTotals {
    pub latency_micros: u64,
    pub ops: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpLatencies {
    pub reads: LatencyTotals,
    pub writes: LatencyTotals,
    pub commands: LatencyTotals,
}

impl OpLatencies {
    pub fn named(&self) -> [(&'static str, LatencyTotals); 3] {
        [
            ("reads", self.reads),
            ("writes", self.writes),
            ("commands", self.commands),
        ]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServerStatus {
    pub uptime_secs: f64,
    pub connections: Option<Connections>,
    pub opcounters: Option<OpCounters>,
    pub op_latencies: Option<OpLatencies>,
}

impl Database {
    /// One `serverStatus` command (it needs the `clusterMonitor` role).
    pub async fn server_status(&self) -> Result<ServerStatus, DbError> {
        let reply = self
            .client()
            .database("admin")
            .run_command(doc! { "serverStatus": 1 })
            .await?;
        Ok(parse(&reply))
    }
}

fn parse(reply: &Document) -> ServerStatus {
    let section = |name| reply.get_document(name).ok();
    ServerStatus {
        uptime_secs: number(reply, "uptime").unwrap_or(0.0),
        connections: section("connections").and_then(|c| {
            Some(Connections {
                current: number(c, "current")?,
                available: number(c, "available")?,
            })
        }),
        opcounters: section("opcounters").and_then(|c| {
            let count = |key| number(c, key).map(to_count);
            Some(OpCounters {
                insert: count("insert")?,
                query: count("query")?,
                update: count("update")?,
                delete: count("delete")?,
                getmore: count("getmore")?,
                command: count("command")?,
            })
        }),
        op_latencies: section("opLatencies").and_then(|l| {
            let totals = |key| {
                let kind = l.get_document(key).ok()?;
                Some(LatencyTotals {
                    latency_micros: to_count(number(kind, "latency")?),
                    ops: to_count(number(kind, "ops")?),
                })
            };
            Some(OpLatencies {
                reads: totals("reads")?,
                writes: totals("writes")?,
                commands: totals("commands")?,
            })
        }),
    }
}

/// A number of `document`, whatever numeric type the server sent.
fn number(document: &Document, key: &str) -> Option<f64> {
    as_f64(document.get(key))
}

/// A negative or fractional counter is clamped to a whole count.
fn to_count(value: f64) -> u64 {
    value.max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mixed_number_types_and_leaves_missing_sections_out() {
        let reply = doc! {
            "uptime": 12.5,
            "connections": { "current": 3, "available": 838_857_i64 },
            "opcounters": {
                "insert": 1_i64, "query": 2, "update": 3.0, "delete": 4, "getmore": 5, "command": 6,
            },
        };
        let status = parse(&reply);
        assert_eq!(
            status.connections,
            Some(Connections {
                current: 3.0,
                available: 838_857.0
            })
        );
        assert_eq!(status.opcounters.map(|c| c.update), Some(3));
        assert_eq!(status.op_latencies, None);
        let latencies = parse(&doc! { "opLatencies": {
            "reads": { "latency": 100, "ops": 2 },
            "writes": { "latency": 0, "ops": 0 },
            "commands": { "latency": 7_i64, "ops": 1 },
        }});
        assert_eq!(
            latencies.op_latencies.map(|l| l.reads.latency_micros),
            Some(100)
        );
        assert_eq!(latencies.connections, None);
    }
}
