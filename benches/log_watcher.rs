//! How fast the Forest log watcher reads: looks over a folder holding one
//! 40 MB file of pino, winston and text lines, against bare line reading
//! and against reading plus JSON parsing of the same file. Prints the
//! throughput, the slowest single look (each look reads at most 4 MB per
//! file, so this bounds how stale the counts can get), and the ratios.
//!
//! Run: `cargo bench --features ssr --bench log_watcher`.

use forest_runbook::config::{ProcessEnv, Settings};
use forest_runbook::forest::LogWatcher;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const TARGET_BYTES: usize = 40 * 1024 * 1024;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"),
        &ProcessEnv,
    )
    .expect("settings")
    .forest_logs;
    settings.checkout = dir.path().to_path_buf();
    let watcher = LogWatcher::new(&settings);
    watcher.look(); // the folder is missing: the file written next is read whole

    let folder = dir.path().join(&settings.folder);
    fs::create_dir_all(&folder).expect("folder");
    let file = folder.join("app.log");
    let lines = write_lines(&file);
    let bytes = fs::metadata(&file).expect("metadata").len() as f64;

    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    let mut looks = 0;
    while counted(&watcher) < lines && looks < 1_000 {
        let look = Instant::now();
        watcher.look();
        slowest = slowest.max(look.elapsed());
        looks += 1;
    }
    let watching = started.elapsed();
    assert_eq!(counted(&watcher), lines, "every line counted");

    let started = Instant::now();
    let bare = BufReader::new(fs::File::open(&file).expect("open"))
        .split(b'\n')
        .count();
    let bare_time = started.elapsed();
    assert_eq!(bare as u64, lines);

    let started = Instant::now();
    let parsed = BufReader::new(fs::File::open(&file).expect("open"))
        .lines()
        .map_while(Result::ok)
        .filter(|line| serde_json::from_str::<serde_json::Value>(line).is_ok())
        .count();
    let parse_time = started.elapsed();

    let mb = bytes / 1_048_576.0;
    println!("lines: {lines} ({mb:.1} MB, {parsed} of them JSON)");
    println!(
        "watcher: {:.3} s in {looks} looks, {:.1} MB/s, slowest look {:.1} ms",
        watching.as_secs_f64(),
        mb / watching.as_secs_f64(),
        slowest.as_secs_f64() * 1_000.0
    );
    println!("bare line reading: {:.3} s", bare_time.as_secs_f64());
    println!(
        "line reading + JSON parsing: {:.3} s",
        parse_time.as_secs_f64()
    );
    println!(
        "ratio watcher / bare reading: {:.2}",
        watching.as_secs_f64() / bare_time.as_secs_f64()
    );
    println!(
        "ratio watcher / reading + JSON parsing: {:.2}",
        watching.as_secs_f64() / parse_time.as_secs_f64()
    );
}

/// Writes lines stamped now, in the three shapes, until `TARGET_BYTES`.
fn write_lines(file: &Path) -> u64 {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis();
    let stamp = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let shapes = [
        format!(
            r#"{{"level":30,"time":{now_ms},"pid":7,"hostname":"api-1","msg":"Tasks synced","count":12,"userId":"u123"}}"#
        ),
        format!(
            r#"{{"level":50,"time":{now_ms},"pid":7,"msg":"Failed to write task: E11000 duplicate key error collection: forest.tasks"}}"#
        ),
        format!(
            r#"{{"level":"warn","message":"Sync conflict on task 42, keeping the newer","timestamp":"{stamp}"}}"#
        ),
        format!("{stamp} INFO GET /api/tasks?since=2026-11-27 200 12ms"),
    ];
    let mut out = std::io::BufWriter::new(fs::File::create(file).expect("create"));
    let (mut written, mut lines) = (0, 0_u64);
    while written < TARGET_BYTES {
        let line = &shapes[(lines % 4) as usize];
        writeln!(out, "{line}").expect("write");
        written += line.len() + 1;
        lines += 1;
    }
    out.flush().expect("flush");
    lines
}

fn counted(watcher: &LogWatcher) -> u64 {
    watcher.snapshot().minutes.iter().map(|m| m.lines).sum()
}
