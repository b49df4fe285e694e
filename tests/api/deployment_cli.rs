//! The whole deployment on the command line alone, as a pipeline runs it,
//! on messy demo data: the plan refuses, `dedupe --apply` cleans, `backup`
//! and `backup verify`, `rehearse` (only JSON with `--json`, each step on
//! standard error without it), `migrate`, `verify`, `probe` of a stand-in
//! Forest API, `checklist tick logs`, and the checklist reads 6 of 6; the
//! `report` tells it in order, and writes one HTML file with `-o`.

use crate::process::program;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

/// The Forest API on loopback, answering its health endpoint as healthy;
/// its base URL.
fn forest_api() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let body = r#"{"success":true,"data":{"status":"healthy"}}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.get_mut().write_all(answer.as_bytes());
        }
    });
    format!("http://{address}")
}

fn run(dir: &Path, forest: &str, args: &[&str]) -> Output {
    program(dir)
        .env("FOREST_PATHS__BACKUPS_DIR", dir.join("backups"))
        .env("FOREST_FOREST_API__BASE_URLS", forest)
        .args(args)
        .output()
        .expect("run forest-runbook")
}

fn json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{e}: {text}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn the_command_line_alone_carries_messy_data_to_migrated_verified_and_6_of_6() {
    let dir = tempfile::tempdir().expect("temp dir");
    let forest = forest_api();
    let run = |args: &[&str]| run(dir.path(), &forest, args);
    let seeded = run(&["demo-data", "--tasks", "400", "--messy", "--json"]);
    assert!(seeded.status.success(), "{seeded:?}");
    let refused = run(&["plan", "--json"]);
    assert!(!refused.status.success(), "duplicates block the migration");
    let cleaned = run(&["dedupe", "--apply", "--confirm", "forest", "--json"]);
    assert!(cleaned.status.success(), "{cleaned:?}");
    assert!(json(&cleaned)["unset"].as_u64().expect("unset") > 0);
    let backup = run(&["backup", "--json"]);
    assert!(backup.status.success(), "{backup:?}");
    let name = json(&backup)["name"].as_str().expect("name").to_owned();
    let verified = run(&["backup", "verify", &name, "--json"]);
    assert!(verified.status.success(), "{verified:?}");

    let quiet = run(&["rehearse", "--json"]);
    assert!(quiet.status.success(), "{quiet:?}");
    let rehearsal = json(&quiet);
    assert_eq!(rehearsal["state"], "passed", "{rehearsal:#}");
    assert_eq!(rehearsal["backup"], name.as_str());
    assert!(rehearsal["documents"].as_u64().expect("documents") > 400);
    assert!(quiet.stderr.is_empty() || !String::from_utf8_lossy(&quiet.stderr).contains("running"));

    let told = run(&["rehearse"]);
    assert!(told.status.success(), "{told:?}");
    let stderr = String::from_utf8_lossy(&told.stderr);
    assert!(stderr.contains("needs about the backup's"), "{stderr}");
    for line in [
        "running  migrate",
        "passed   revert",
        "passed   drop the copy",
    ] {
        assert!(stderr.contains(line), "{line:?} in {stderr}");
    }
    let stdout = String::from_utf8_lossy(&told.stdout);
    assert!(stdout.contains(": passed"), "{stdout}");

    for step in [
        &["migrate", "--json"][..],
        &["verify", "--json"],
        &["probe", "--json"],
        &[
            "checklist",
            "tick",
            "logs",
            "--note",
            "no errors in the Forest logs",
            "--json",
        ],
    ] {
        let output = run(step);
        assert!(output.status.success(), "{step:?}: {output:?}");
    }
    let checklist = run(&["checklist", "--json"]);
    assert!(checklist.status.success(), "{checklist:?}");
    let list = json(&checklist);
    for item in list["items"].as_array().expect("items") {
        assert_eq!(item["status"], "done", "{item:#}");
    }
    assert_eq!(list["items"].as_array().expect("items").len(), 6);

    let report = run(&["report"]);
    assert!(report.status.success(), "{report:?}");
    let markdown = String::from_utf8_lossy(&report.stdout);
    let at = |what: &str| {
        markdown
            .find(what)
            .unwrap_or_else(|| panic!("{what:?} in {markdown}"))
    };
    assert!(at("| dedupe.apply forest |") < at("| backup.create "));
    assert!(at("| step.rehearse ") < at("| step.migrate "));
    assert!(at("| step.migrate ") < at("| checklist.tick add_mobile_sync_support/logs |"));
    assert!(
        markdown.contains("no errors in the Forest logs"),
        "the tick's note"
    );
    let file = dir.path().join("report.html");
    let written = run(&[
        "report",
        "--format",
        "html",
        "-o",
        file.to_str().expect("path"),
    ]);
    assert!(written.status.success(), "{written:?}");
    let html = std::fs::read_to_string(&file).expect("the report file");
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("step.verify"));
    let refused = run(&["report", "--format", "pdf"]);
    assert!(!refused.status.success(), "an unknown format is refused");
}
