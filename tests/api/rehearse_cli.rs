//! `forest-runbook rehearse` as a pipeline runs it: on messy demo data,
//! after `backup` and `backup verify`, it passes with
//! exit code 0, prints only JSON with `--json`, shows each step on standard
//! error without it, and the checklist then counts both staging items.

use crate::process::program;
use serde_json::Value;
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    program(dir)
        .env("FOREST_PATHS__BACKUPS_DIR", dir.join("backups"))
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
fn rehearse_on_the_command_line_passes_and_proves_the_staging_items() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seeded = run(
        dir.path(),
        &["demo-data", "--tasks", "400", "--messy", "--json"],
    );
    assert!(seeded.status.success(), "{seeded:?}");
    let backup = run(dir.path(), &["backup", "--json"]);
    assert!(backup.status.success(), "{backup:?}");
    let name = json(&backup)["name"].as_str().expect("name").to_owned();
    let verified = run(dir.path(), &["backup", "verify", &name, "--json"]);
    assert!(verified.status.success(), "{verified:?}");

    let quiet = run(dir.path(), &["rehearse", "--json"]);
    assert!(quiet.status.success(), "{quiet:?}");
    let rehearsal = json(&quiet);
    assert_eq!(rehearsal["state"], "passed", "{rehearsal:#}");
    assert_eq!(rehearsal["backup"], name.as_str());
    assert!(rehearsal["documents"].as_u64().expect("documents") > 400);
    assert!(quiet.stderr.is_empty() || !String::from_utf8_lossy(&quiet.stderr).contains("running"));

    let told = run(dir.path(), &["rehearse"]);
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

    let checklist = run(dir.path(), &["checklist", "--json"]);
    let list = json(&checklist);
    for key in ["staging", "rollback"] {
        let item = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|item| item["key"] == key)
            .expect("item");
        assert_eq!(item["status"], "done", "{item:#}");
    }
}
