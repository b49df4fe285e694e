//! The Forest log watcher on a folder written by the test: pino, winston
//! and text lines, rotated, truncated, deleted, a binary file and a 10 MB
//! line. The per-minute counts must equal what the test wrote.

use crate::helpers::{settings_in, test_db};
use forest_runbook::config::ForestLogsSettings;
use forest_runbook::forest::LogWatcher;
use forest_runbook::model::{LogSnapshot, LogStatus};
use forest_runbook::ops::forest_api;
use forest_runbook::ops::migration::PHASE_0;
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Counts per minute: errors, warnings, synced events, synced tasks, conflicts.
type Counts = BTreeMap<String, [u64; 5]>;

struct Writer {
    folder: PathBuf,
    expected: Counts,
}

#[derive(Clone, Copy)]
enum Shape {
    Pino,
    Winston,
    Text,
}

enum Kind {
    Error,
    Warning,
    Synced(Option<u64>),
    Conflict,
    Info,
}

impl Writer {
    fn append(&mut self, file: &str, minutes_ago: i64, shape: Shape, kind: Kind) {
        let now = OffsetDateTime::now_utc();
        let at = now - time::Duration::minutes(minutes_ago);
        let minute = OffsetDateTime::from_unix_timestamp(at.unix_timestamp().div_euclid(60) * 60)
            .expect("minute")
            .format(&Rfc3339)
            .expect("format");
        let counts = self.expected.entry(minute).or_default();
        let (level, message) = match kind {
            Kind::Error => {
                counts[0] += 1;
                (
                    "error",
                    "Failed to write task: E11000 duplicate key".to_owned(),
                )
            }
            Kind::Warning => {
                counts[1] += 1;
                ("warn", "Slow query on tasks".to_owned())
            }
            Kind::Synced(count) => {
                counts[2] += 1;
                counts[3] += count.unwrap_or(0);
                let message = match (shape, count) {
                    (Shape::Pino, _) | (_, None) => "Tasks synced".to_owned(),
                    (_, Some(n)) => format!("Tasks synced: {n}"),
                };
                ("info", message)
            }
            Kind::Conflict => {
                counts[1] += 1;
                counts[4] += 1;
                (
                    "warn",
                    "Sync conflict on task 42, keeping the newer".to_owned(),
                )
            }
            Kind::Info => ("info", "GET /api/tasks 200".to_owned()),
        };
        let stamp = at.format(&Rfc3339).expect("format");
        let line = match shape {
            Shape::Pino => {
                let number = match level {
                    "error" => 50,
                    "warn" => 40,
                    _ => 30,
                };
                let count = match kind {
                    Kind::Synced(Some(n)) => format!(",\"count\":{n}"),
                    _ => String::new(),
                };
                format!(
                    "{{\"level\":{number},\"time\":{},\"pid\":7,\"msg\":\"{message}\"{count}}}",
                    at.unix_timestamp() * 1_000
                )
            }
            Shape::Winston => format!(
                "{{\"level\":\"{level}\",\"message\":\"{message}\",\"timestamp\":\"{stamp}\"}}"
            ),
            Shape::Text => format!("{stamp} {} {message}", level.to_uppercase()),
        };
        self.raw(file, &format!("{line}\n"));
    }

    fn raw(&self, file: &str, text: &str) {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.folder.join(file))
            .expect("open")
            .write_all(text.as_bytes())
            .expect("write");
    }
}

fn counted(snapshot: &LogSnapshot) -> Counts {
    snapshot
        .minutes
        .iter()
        .filter(|m| m.lines > 0)
        .map(|m| {
            (
                m.minute.clone(),
                [
                    m.errors,
                    m.warnings,
                    m.synced_events,
                    m.synced_tasks,
                    m.conflicts,
                ],
            )
        })
        .filter(|(_, counts)| counts.iter().any(|c| *c > 0))
        .collect()
}

fn logs_settings(checkout: &Path) -> ForestLogsSettings {
    let mut settings = settings_in(checkout).forest_logs;
    settings.checkout = checkout.to_path_buf();
    settings.follow_files = 5;
    settings.recent_errors = 5;
    settings
}

#[test]
fn without_a_checkout_or_folder_the_watcher_says_not_configured() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = logs_settings(dir.path());
    settings.checkout = PathBuf::new();
    let watcher = LogWatcher::new(&settings);
    watcher.look();
    assert_eq!(watcher.snapshot().status, LogStatus::NotConfigured);
    assert_eq!(watcher.snapshot().folder, None);
}

#[test]
fn counts_per_minute_equal_what_was_written_through_rotation_truncation_and_bad_input() {
    let checkout = tempfile::tempdir().expect("temp dir");
    let watcher = LogWatcher::new(&logs_settings(checkout.path()));
    watcher.look();
    assert_eq!(watcher.snapshot().status, LogStatus::FolderMissing);

    let folder = checkout.path().join("apps/server/logs");
    fs::create_dir_all(&folder).expect("folder");
    let mut w = Writer {
        folder,
        expected: Counts::new(),
    };
    // Written before the folder was first seen: a folder that appears is read whole.
    w.append("app.log", 4, Shape::Pino, Kind::Error);
    watcher.look();
    let snapshot = watcher.snapshot();
    assert_eq!(snapshot.status, LogStatus::Watching);
    assert_eq!(snapshot.files, ["app.log"]);

    for (minutes_ago, shape) in [(3, Shape::Pino), (2, Shape::Winston), (1, Shape::Text)] {
        w.append("app.log", minutes_ago, shape, Kind::Error);
        w.append("app.log", minutes_ago, shape, Kind::Warning);
        w.append("app.log", minutes_ago, shape, Kind::Synced(Some(5)));
        w.append("app.log", minutes_ago, shape, Kind::Synced(None));
        w.append("app.log", minutes_ago, shape, Kind::Conflict);
        w.append("app.log", minutes_ago, shape, Kind::Info);
    }
    // Half a line: counted once its end is written.
    w.raw("app.log", "{\"level\":50,\"msg\":\"half");
    watcher.look();
    assert_eq!(counted(&watcher.snapshot()), w.expected);

    // Rotation: the file is renamed (and still written), a new one starts.
    let folder = w.folder.clone();
    fs::rename(folder.join("app.log"), folder.join("app.log.1")).expect("rotate");
    w.raw("app.log.1", " written\",\"time\":0}\n");
    w.append("app.log.1", 1, Shape::Winston, Kind::Error);
    w.append("app.log", 0, Shape::Pino, Kind::Synced(Some(9)));
    w.append("app.log", 0, Shape::Text, Kind::Error);
    watcher.look();
    // The half line's time (0, the epoch) is older than the retained minutes: not counted.
    assert_eq!(counted(&watcher.snapshot()), w.expected);

    // Truncation: read again from the start.
    fs::write(folder.join("app.log.1"), "").expect("truncate");
    w.append("app.log.1", 2, Shape::Pino, Kind::Conflict);
    watcher.look();
    assert_eq!(counted(&watcher.snapshot()), w.expected);
    let warnings = watcher.snapshot().warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("app.log.1 was truncated")),
        "{warnings:?}"
    );

    // A 10 MB line is skipped with a warning; the lines around it count.
    let huge = format!(
        "{{\"level\":50,\"msg\":\"{}\"}}\n",
        "x".repeat(10 * 1024 * 1024)
    );
    w.raw("app.log", &huge);
    w.append("app.log", 0, Shape::Winston, Kind::Error);
    // A binary file is named and left alone.
    fs::write(folder.join("core.dump"), [0_u8, 1, 2, 0, b'\n']).expect("binary");
    for _ in 0..4 {
        watcher.look();
    }
    let snapshot = watcher.snapshot();
    assert_eq!(counted(&snapshot), w.expected);
    assert!(
        snapshot
            .warnings
            .iter()
            .any(|w| w.contains("app.log: skipped a line longer than 65536 bytes")),
        "{:?}",
        snapshot.warnings
    );
    assert!(
        snapshot
            .warnings
            .iter()
            .any(|w| w.contains("core.dump: holds NUL bytes")),
        "{:?}",
        snapshot.warnings
    );
    assert_eq!(snapshot.recent_errors.len(), 5, "bounded by recent_errors");
    assert!(snapshot.recent_errors.iter().all(|e| e.text.len() < 1_000));
    assert_eq!(snapshot.recent_errors[0].file, "app.log");
    assert_eq!(
        snapshot.recent_errors[0].text,
        "Failed to write task: E11000 duplicate key"
    );

    // Deletion: the file is dropped from the list; nothing fails.
    fs::remove_file(folder.join("app.log.1")).expect("delete");
    watcher.look();
    let snapshot = watcher.snapshot();
    assert!(!snapshot.files.contains(&"app.log.1".to_owned()));
    assert_eq!(counted(&snapshot), w.expected);

    let errors: u64 = w.expected.values().map(|c| c[0]).sum();
    let five_minutes_ago = OffsetDateTime::now_utc() - time::Duration::minutes(5);
    assert_eq!(watcher.errors_since(five_minutes_ago), errors);
}

#[test]
fn files_present_when_the_app_starts_count_only_their_new_lines() {
    let checkout = tempfile::tempdir().expect("temp dir");
    let folder = checkout.path().join("apps/server/logs");
    fs::create_dir_all(&folder).expect("folder");
    let mut w = Writer {
        folder,
        expected: Counts::new(),
    };
    w.append("app.log", 1, Shape::Pino, Kind::Error);
    let watcher = LogWatcher::new(&logs_settings(checkout.path()));
    watcher.look();
    assert!(counted(&watcher.snapshot()).is_empty());
    w.expected.clear();
    w.append("app.log", 1, Shape::Text, Kind::Synced(Some(4)));
    watcher.look();
    assert_eq!(counted(&watcher.snapshot()), w.expected);
}

#[tokio::test]
async fn the_errors_since_the_latest_migrate_run_started_are_its_evidence() {
    let db = test_db("forest_logs_since").await;
    let checkout = tempfile::tempdir().expect("temp dir");
    let watcher = LogWatcher::new(&logs_settings(checkout.path()));
    let snapshot = forest_api::logs(&db, &PHASE_0, &watcher)
        .await
        .expect("logs");
    assert_eq!(snapshot.since_migration, None, "no run yet");

    let folder = checkout.path().join("apps/server/logs");
    fs::create_dir_all(&folder).expect("folder");
    let mut w = Writer {
        folder,
        expected: Counts::new(),
    };
    watcher.look();
    w.append("app.log", 30, Shape::Pino, Kind::Error); // before the run: not counted
    db.start_run(
        "add_mobile_sync_support",
        forest_runbook::model::RunKind::Migrate,
        "checksum",
        "test",
        &[],
    )
    .await
    .expect("run");
    w.append("app.log", 0, Shape::Winston, Kind::Error);
    w.append("app.log", 0, Shape::Text, Kind::Error);
    w.append("app.log", 0, Shape::Pino, Kind::Warning);
    watcher.look();
    let since = forest_api::logs(&db, &PHASE_0, &watcher)
        .await
        .expect("logs")
        .since_migration
        .expect("a migrate run");
    assert_eq!(since.errors, 2, "{since:?}");
    db.drop_database().await.expect("drop");
}

#[test]
fn the_sync_routes_requests_errors_and_percentiles_come_from_the_request_lines() {
    let checkout = tempfile::tempdir().expect("temp dir");
    let folder = checkout.path().join("apps/server/logs");
    fs::create_dir_all(&folder).expect("folder");
    let watcher = LogWatcher::new(&logs_settings(checkout.path()));
    watcher.look();
    let w = Writer {
        folder,
        expected: Counts::new(),
    };
    let now = OffsetDateTime::now_utc();
    let clf = time::macros::format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    );
    let date = now.format(clf).expect("date");
    let mut micros = Vec::new();
    for i in 0..300_u64 {
        let ms = (i * 37 % 250) as f64 + 0.5;
        micros.push(i * 37 % 250 * 1_000 + 500);
        let status = if i % 20 == 0 { 500 } else { 200 };
        let line = match i % 3 {
            0 => format!(
                "{{\"level\":30,\"time\":{},\"req\":{{\"method\":\"GET\",\"url\":\"/api/sync/tasks?since={i}\"}},\"res\":{{\"statusCode\":{status}}},\"responseTime\":{ms},\"msg\":\"request completed\"}}",
                now.unix_timestamp() * 1_000
            ),
            1 => format!("GET /api/sync/tasks {status} {ms:.3} ms - 123"),
            _ => format!(
                "10.0.0.{i} - - [{date}] \"GET /api/sync/tasks HTTP/1.1\" {status} 123 \"-\" \"okhttp\" {ms} ms"
            ),
        };
        w.raw("access.log", &format!("{line}\n"));
    }
    // Another route is not watched; a negative time counts the request, not the time.
    w.raw("access.log", "GET /api/tasks 200 1.000 ms - 2\n");
    w.raw("access.log", "GET /api/sync/tasks 200 -4 ms - 2\n");
    watcher.look();

    let routes = watcher.snapshot().routes;
    assert_eq!(routes.len(), 1, "{routes:?}");
    let tasks = &routes[0];
    assert_eq!(
        (tasks.route.as_str(), tasks.requests, tasks.errors),
        ("GET /api/sync/tasks", 301, 15)
    );
    micros.sort_unstable();
    for (quantile, got) in [
        (0.50, tasks.p50_micros),
        (0.95, tasks.p95_micros),
        (0.99, tasks.p99_micros),
    ] {
        let rank = (quantile * micros.len() as f64).ceil() as usize;
        let want = micros[rank - 1];
        let got = got.expect("timed");
        assert!(
            want <= got && got <= want + want / 100 + 1,
            "p{quantile}: {got} vs {want}"
        );
    }
}

/// Prisma's metrics as `$metrics.json()` returns them, with these gauges.
fn prisma_metrics(open: u64, busy: u64, idle: u64, waiting: u64) -> String {
    let gauge = |key: &str, value: u64| {
        format!(r#"{{"key":"{key}","labels":{{}},"value":{value},"description":"{key}"}}"#)
    };
    format!(
        r#"{{"counters":[{}],"gauges":[{},{},{},{}],"histograms":[]}}"#,
        gauge("prisma_client_queries_total", 500),
        gauge("prisma_client_queries_wait", waiting),
        gauge("prisma_pool_connections_busy", busy),
        gauge("prisma_pool_connections_idle", idle),
        gauge("prisma_pool_connections_open", open),
    )
}

#[tokio::test]
async fn the_prisma_pool_comes_from_metrics_lines_and_the_pool_pattern() {
    let checkout = tempfile::tempdir().expect("temp dir");
    let folder = checkout.path().join("apps/server/logs");
    fs::create_dir_all(&folder).expect("folder");
    let mut settings = logs_settings(checkout.path());
    settings.pool_pattern = r"pool busy=(?<busy>\d+) idle=(?<idle>\d+)".into();
    let watcher = LogWatcher::new(&settings);
    watcher.look();
    let pool = watcher.pool();
    assert_eq!(pool.latest, None, "no pool line yet");
    assert!(pool.pattern_set);

    let w = Writer {
        folder,
        expected: Counts::new(),
    };
    let now = OffsetDateTime::now_utc();
    let ms =
        |minutes_ago: i64| (now - time::Duration::minutes(minutes_ago)).unix_timestamp() * 1_000;
    let lines = [
        // Three minutes ago: the metrics nested in a pino line, twice.
        format!(
            r#"{{"level":30,"time":{},"metrics":{},"msg":"prisma metrics"}}"#,
            ms(3),
            prisma_metrics(10, 4, 6, 0)
        ),
        format!(
            r#"{{"level":30,"time":{},"metrics":{},"msg":"prisma metrics"}}"#,
            ms(3),
            prisma_metrics(10, 9, 1, 3)
        ),
        // Hostile: a negative busy, a string, a huge number, junk.
        format!(
            r#"{{"level":30,"time":{},"metrics":{}}}"#,
            ms(2),
            prisma_metrics(10, 1, 1, 1).replace(r#""value":1,"#, r#""value":-1,"#)
        ),
        r#"{"gauges":[{"key":"prisma_pool_connections_busy","value":"NaN"}]}"#.to_owned(),
        r#"{"gauges":"prisma_pool_connections_busy"}"#.to_owned(),
        format!("{}{}", "[".repeat(5_000), "]".repeat(5_000)),
        // Two minutes ago: a pattern line, and the whole line as metrics.
        format!(
            "{} INFO pool busy=2 idle=8",
            (now - time::Duration::minutes(2))
                .format(&Rfc3339)
                .expect("format")
        ),
        // Now: the bare metrics (no time of its own: read now).
        prisma_metrics(12, 5, 7, 2),
    ];
    for line in &lines {
        w.raw("app.log", &format!("{line}\n"));
    }
    watcher.look();

    let pool = watcher.pool();
    let latest = pool.latest.expect("a pool line");
    assert_eq!(
        (
            latest.figures.open,
            latest.figures.busy,
            latest.figures.idle,
            latest.figures.waiting
        ),
        (Some(12), 5, Some(7), Some(2))
    );
    let newest = now.unix_timestamp().div_euclid(60);
    let minutes: Vec<_> = pool
        .minutes
        .iter()
        .map(|m| (newest - m.at_ms / 60_000, m.busy, m.waiting))
        .collect();
    assert_eq!(
        minutes,
        [(3, 9, Some(3)), (2, 2, None), (0, 5, Some(2))],
        "the most busy in each minute"
    );
    assert_eq!(pool.to_ms, newest * 60_000);
    assert_eq!(
        pool.from_ms,
        (newest - 59) * 60_000,
        "at least the last hour"
    );
    assert_eq!(pool.retain_minutes, settings.retain_minutes);
}
