//! The latest reading in Prometheus's text format. Server series use the
//! percona exporter's names (`mongodb_ss_*`), so its dashboards work;
//! this app's own series are `forest_runbook_*`. A source that could not
//! be read reports `*_up 0` and no values, rather than zeros.

use super::reading::Reading;
use crate::db::{CommandTotals, PoolCounts};
use std::fmt::Write;

/// The exposition body, ending in a newline.
pub fn render(reading: Option<&Reading>, rounds: u64, subscribers: usize) -> String {
    let mut out = Exposition::default();
    out.metric(
        "forest_runbook_monitor_rounds_total",
        "counter",
        "Rounds of reads the sampler made.",
    );
    out.value("", rounds);
    out.metric(
        "forest_runbook_monitor_subscribers",
        "gauge",
        "Browsers receiving live samples.",
    );
    out.value("", subscribers);
    let Some(reading) = reading else {
        return out.text;
    };

    out.metric("mongodb_up", "gauge", "1 when serverStatus could be read.");
    out.value("", u8::from(reading.status.is_ok()));
    if let Ok(status) = &reading.status {
        out.metric(
            "mongodb_ss_uptime",
            "gauge",
            "Seconds since the server started.",
        );
        out.value("", status.uptime_secs);
        if let Some(c) = status.connections {
            out.metric(
                "mongodb_ss_connections",
                "gauge",
                "Connections to the server.",
            );
            out.value("{conn_type=\"current\"}", c.current);
            out.value("{conn_type=\"available\"}", c.available);
        }
        if let Some(counters) = status.opcounters {
            out.by_label(
                "mongodb_ss_opcounters",
                "counter",
                "Operations since the server started, by type.",
                "legacy_op_type",
                counters.named(),
            );
        }
        if let Some(latencies) = status.op_latencies {
            let named = latencies.named();
            out.by_label(
                "mongodb_ss_opLatencies_latency",
                "counter",
                "Summed operation latency in microseconds, by type.",
                "op_type",
                named.map(|(name, t)| (name, t.latency_micros)),
            );
            out.by_label(
                "mongodb_ss_opLatencies_ops",
                "counter",
                "Operations timed in opLatencies, by type.",
                "op_type",
                named.map(|(name, t)| (name, t.ops)),
            );
        }
    }

    // Servers are numbered in the order of their addresses, which are
    // never shown: a scraper has no business knowing the database's hosts
    // and ports.
    let numbers: Vec<String> = (0..reading.driver.pools.len())
        .map(|n| n.to_string())
        .collect();
    let pools: Vec<(&str, &PoolCounts)> = numbers
        .iter()
        .map(String::as_str)
        .zip(reading.driver.pools.values())
        .collect();
    out.metric(
        "forest_runbook_pool_connections",
        "gauge",
        "This app's driver pool connections, by server (numbered) and state.",
    );
    for (server, pool) in &pools {
        out.value(
            &format!("{{server=\"{server}\",state=\"in_use\"}}"),
            pool.in_use,
        );
        out.value(
            &format!("{{server=\"{server}\",state=\"idle\"}}"),
            pool.idle(),
        );
    }
    let by_server = |value: fn(&PoolCounts) -> u64| pools.iter().map(move |(n, p)| (*n, value(p)));
    out.by_label(
        "forest_runbook_pool_checkouts_waiting",
        "gauge",
        "Checkouts waiting for a connection, by server.",
        "server",
        by_server(|p| p.waiting),
    );
    out.by_label(
        "forest_runbook_pool_checkout_failures_total",
        "counter",
        "Checkouts that failed, by server.",
        "server",
        by_server(|p| p.checkout_failures),
    );

    let commands = &reading.driver.commands;
    let by_name = |value: fn(&CommandTotals) -> u64| {
        commands.iter().map(move |(k, c)| (k.as_str(), value(c)))
    };
    out.by_label(
        "forest_runbook_command_duration_microseconds_sum",
        "counter",
        "Summed duration of this app's commands, by name.",
        "command",
        by_name(|c| c.total_micros),
    );
    out.by_label(
        "forest_runbook_command_duration_microseconds_count",
        "counter",
        "This app's commands answered, by name.",
        "command",
        by_name(|c| c.finished),
    );
    out.by_label(
        "forest_runbook_command_failures_total",
        "counter",
        "This app's commands that failed, by name.",
        "command",
        by_name(|c| c.failed),
    );

    out.metric(
        "forest_runbook_sync_up",
        "gauge",
        "1 when the device and sync counts could be read.",
    );
    out.value("", u8::from(reading.sync.is_ok()));
    if let Ok(counts) = &reading.sync {
        out.metric("forest_runbook_devices", "gauge", "Registered devices.");
        out.value("", counts.devices_total);
        out.metric(
            "forest_runbook_devices_new",
            "gauge",
            "Devices registered in the last 15 minutes.",
        );
        out.value("", counts.devices_new);
        out.metric(
            "forest_runbook_documents_with_client_id",
            "gauge",
            "Documents written by a mobile client (string clientId), by collection.",
        );
        out.value("{collection=\"tasks\"}", counts.tasks_with_client_id);
        out.value(
            "{collection=\"focus_sessions\"}",
            counts.sessions_with_client_id,
        );
        out.metric(
            "forest_runbook_users_synced_last_hour",
            "gauge",
            "Users whose lastSyncedAt is within the last hour.",
        );
        out.value("", counts.users_synced);
    }
    out.text
}

/// A label value with `\`, `"` and newlines escaped as the format asks.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[derive(Default)]
struct Exposition {
    text: String,
    name: String,
}

impl Exposition {
    fn metric(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        name.clone_into(&mut self.name);
    }

    /// A metric with one sample per `(label value, value)`.
    fn by_label<'a, V: std::fmt::Display>(
        &mut self,
        name: &str,
        kind: &str,
        help: &str,
        label: &str,
        samples: impl IntoIterator<Item = (&'a str, V)>,
    ) {
        self.metric(name, kind, help);
        for (key, value) in samples {
            self.value(&format!("{{{label}=\"{}\"}}", escape(key)), value);
        }
    }

    /// A sample of the metric named last; `labels` is `{...}` or empty.
    fn value(&mut self, labels: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.text, "{}{labels} {value}", self.name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Connections, DriverTally, OpCounters, PoolCounts, ServerStatus};
    use std::time::SystemTime;

    fn reading(status: Result<ServerStatus, String>) -> Reading {
        let mut driver = DriverTally::default();
        driver.pools.insert(
            "127.0.0.1:27017".into(),
            PoolCounts {
                open: 5,
                in_use: 2,
                waiting: 1,
                checkout_failures: 0,
            },
        );
        Reading {
            at: SystemTime::now(),
            status,
            driver,
            sync: Err("the sync counts cannot be read: not authorized".into()),
            migration: Err(String::new()),
        }
    }

    #[test]
    fn server_series_use_the_percona_names_and_pool_series_are_labelled() {
        let status = ServerStatus {
            uptime_secs: 60.0,
            connections: Some(Connections {
                current: 4.0,
                available: 100.0,
            }),
            opcounters: Some(OpCounters {
                insert: 7,
                ..OpCounters::default()
            }),
            op_latencies: None,
        };
        let text = render(Some(&reading(Ok(status))), 3, 2);
        assert!(text.contains("mongodb_up 1\n"), "{text}");
        assert!(text.contains("mongodb_ss_connections{conn_type=\"current\"} 4\n"));
        assert!(text.contains("mongodb_ss_opcounters{legacy_op_type=\"insert\"} 7\n"));
        assert!(!text.contains("mongodb_ss_opLatencies"));
        assert!(text.contains("forest_runbook_pool_connections{server=\"0\",state=\"idle\"} 3\n"));
        assert!(!text.contains("127.0.0.1"), "no addresses: {text}");
        assert!(text.contains("forest_runbook_monitor_rounds_total 3\n"));
        assert!(text.contains("forest_runbook_sync_up 0\n"));
        assert!(!text.contains("forest_runbook_devices "));
    }

    #[test]
    fn an_unreadable_server_reports_down_and_no_zeros() {
        let text = render(Some(&reading(Err("no clusterMonitor".into()))), 1, 0);
        assert!(text.contains("mongodb_up 0\n"));
        assert!(!text.contains("mongodb_ss_"));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert_eq!(line.split(' ').count(), 2, "{line}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
