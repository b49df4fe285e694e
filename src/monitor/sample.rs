//! Turns two consecutive readings into one `Sample`: gauges as read, rates
//! and average latencies from the deltas between the two.

use super::rate::{as_f64, average_ms, counter_delta, rate_per_sec, restarted};
use super::reading::Reading;
use crate::db::{LatencyTotals, ServerStatus};
use crate::model::Sample;
use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;

/// The sample of `current`; `previous` (the reading one interval before)
/// gives the rates, which the first sample therefore lacks.
pub fn sample(seq: u64, previous: Option<&Reading>, current: &Reading) -> Sample {
    let mut values = BTreeMap::new();
    let mut unavailable = BTreeMap::new();
    let mut put = |key: String, value: f64| {
        values.insert(key, value);
    };
    let elapsed = previous
        .and_then(|p| current.at.duration_since(p.at).ok())
        .map_or(0.0, |d| d.as_secs_f64());

    match &current.status {
        Ok(status) => {
            let before = previous
                .and_then(|p| p.status.as_ref().ok())
                .filter(|before| !restarted(before.uptime_secs, status.uptime_secs));
            server_values(&mut put, &mut unavailable, before, status, elapsed);
        }
        Err(reason) => {
            for group in ["connections", "ops", "latency"] {
                unavailable.insert(group.to_owned(), reason.clone());
            }
        }
    }

    let before = previous.map(|p| &p.driver);
    for (server, pool) in &current.driver.pools {
        put(format!("pool/{server}/in_use"), as_f64(pool.in_use));
        put(format!("pool/{server}/idle"), as_f64(pool.idle()));
        put(format!("pool/{server}/waiting"), as_f64(pool.waiting));
        // A pool or command first seen in this interval started from zero.
        if let Some(failures) = before
            .map(|b| b.pools.get(server).copied().unwrap_or_default())
            .and_then(|b| counter_delta(b.checkout_failures, pool.checkout_failures))
        {
            put(format!("pool/{server}/checkout_failures"), as_f64(failures));
        }
    }
    for (name, totals) in &current.driver.commands {
        let earlier = before.map(|b| b.commands.get(name).copied().unwrap_or_default());
        let average = earlier.and_then(|b| {
            average_ms(
                LatencyTotals {
                    latency_micros: b.total_micros,
                    ops: b.finished,
                },
                LatencyTotals {
                    latency_micros: totals.total_micros,
                    ops: totals.finished,
                },
            )
        });
        if let Some(average) = average {
            put(format!("commands/{name}"), average);
        }
    }

    match &current.sync {
        Ok(counts) => {
            put("devices/total".into(), as_f64(counts.devices_total));
            put("devices/new".into(), as_f64(counts.devices_new));
            put(
                "sync/tasks_with_client_id".into(),
                as_f64(counts.tasks_with_client_id),
            );
            put(
                "sync/sessions_with_client_id".into(),
                as_f64(counts.sessions_with_client_id),
            );
            put("sync/users_synced".into(), as_f64(counts.users_synced));
        }
        Err(reason) => {
            for group in ["devices", "sync"] {
                unavailable.insert(group.to_owned(), reason.clone());
            }
        }
    }

    Sample {
        seq,
        at_ms: current
            .at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        values,
        unavailable,
        migration: current.migration.clone(),
    }
}

fn server_values(
    put: &mut impl FnMut(String, f64),
    unavailable: &mut BTreeMap<String, String>,
    before: Option<&ServerStatus>,
    status: &ServerStatus,
    elapsed: f64,
) {
    let missing = |section: &str| format!("this database server's serverStatus has no {section}");
    match status.connections {
        Some(c) => {
            put("connections/current".into(), c.current);
            put("connections/available".into(), c.available);
        }
        None => {
            unavailable.insert("connections".into(), missing("connections"));
        }
    }
    match status.opcounters {
        Some(counters) => changes(
            put,
            "ops",
            counters.named(),
            before.and_then(|b| b.opcounters).map(|e| e.named()),
            |then, now| rate_per_sec(then, now, elapsed),
        ),
        None => {
            unavailable.insert("ops".into(), missing("opcounters"));
        }
    }
    match status.op_latencies {
        Some(latencies) => changes(
            put,
            "latency",
            latencies.named(),
            before.and_then(|b| b.op_latencies).map(|e| e.named()),
            average_ms,
        ),
        None => {
            unavailable.insert("latency".into(), missing("opLatencies"));
        }
    }
}

/// `group/<name>` for each named counter, from its change since `earlier`.
fn changes<T: Copy, const N: usize>(
    put: &mut impl FnMut(String, f64),
    group: &str,
    now: [(&'static str, T); N],
    earlier: Option<[(&'static str, T); N]>,
    value: impl Fn(T, T) -> Option<f64>,
) {
    let Some(earlier) = earlier else { return };
    for ((name, now), (_, then)) in now.into_iter().zip(earlier) {
        if let Some(value) = value(then, now) {
            put(format!("{group}/{name}"), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Connections, DriverTally, OpCounters, OpLatencies, SyncCounts};
    use std::time::{Duration, SystemTime};

    fn reading(secs: u64, uptime: f64, inserts: u64, read_micros: u64, reads: u64) -> Reading {
        Reading {
            at: SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
            status: Ok(ServerStatus {
                uptime_secs: uptime,
                connections: Some(Connections {
                    current: 3.0,
                    available: 97.0,
                }),
                opcounters: Some(OpCounters {
                    insert: inserts,
                    ..OpCounters::default()
                }),
                op_latencies: Some(OpLatencies {
                    reads: LatencyTotals {
                        latency_micros: read_micros,
                        ops: reads,
                    },
                    ..OpLatencies::default()
                }),
            }),
            driver: DriverTally::default(),
            sync: Ok(SyncCounts::default()),
            migration: Err("not read in this test".into()),
        }
    }

    #[test]
    fn the_first_sample_has_gauges_but_no_rates() {
        let first = sample(1, None, &reading(100, 50.0, 10, 0, 0));
        assert_eq!(first.values.get("connections/current"), Some(&3.0));
        assert_eq!(first.values.get("ops/insert"), None);
        assert_eq!(first.at_ms, 100_000);
        assert!(first.unavailable.is_empty());
    }

    #[test]
    fn rates_and_latencies_come_from_the_deltas() {
        let before = reading(100, 50.0, 10, 1_000, 10);
        let after = reading(102, 52.0, 30, 7_000, 13);
        let second = sample(2, Some(&before), &after);
        assert_eq!(second.values.get("ops/insert"), Some(&10.0));
        assert_eq!(second.values.get("ops/query"), Some(&0.0));
        assert_eq!(second.values.get("latency/reads"), Some(&2.0));
        // No write finished in the interval: no average rather than zero.
        assert_eq!(second.values.get("latency/writes"), None);
    }

    #[test]
    fn after_a_server_restart_no_rate_is_negative_or_made_up() {
        let before = reading(100, 3_600.0, 90_000, 9_000, 90);
        let after = reading(102, 1.0, 95_000, 10, 1);
        let restarted = sample(2, Some(&before), &after);
        assert!(restarted.values.keys().all(|k| !k.starts_with("ops/")));
        assert!(restarted.values.values().all(|v| *v >= 0.0));
        let again = sample(3, Some(&after), &reading(104, 3.0, 95_010, 10, 1));
        assert_eq!(again.values.get("ops/insert"), Some(&5.0));
    }

    #[test]
    fn a_command_first_seen_in_an_interval_is_averaged_from_zero() {
        let before = reading(100, 50.0, 0, 0, 0);
        let mut after = reading(102, 52.0, 0, 0, 0);
        after.driver.commands.insert(
            "insert".into(),
            crate::db::CommandTotals {
                started: 4,
                finished: 4,
                failed: 0,
                total_micros: 10_000,
            },
        );
        let sampled = sample(2, Some(&before), &after);
        assert_eq!(sampled.values.get("commands/insert"), Some(&2.5));
        assert_eq!(sample(1, None, &after).values.get("commands/insert"), None);
    }

    #[test]
    fn an_unreadable_source_marks_its_groups_unavailable() {
        let mut failing = reading(100, 1.0, 0, 0, 0);
        failing.status = Err(
            "serverStatus cannot be read: the database user lacks the clusterMonitor role".into(),
        );
        failing.sync = Err("the sync counts cannot be read".into());
        let sampled = sample(1, None, &failing);
        for group in ["connections", "ops", "latency", "devices", "sync"] {
            assert!(sampled.unavailable.contains_key(group), "{group}");
        }
        assert!(sampled.values.is_empty());
    }
}
