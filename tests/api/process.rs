//! The real program: first start seeds the embedded database, SIGTERM stops
//! it and its database server, a second start finds the data intact, and a
//! server that cannot start makes the program say why and exit non-zero.

use crate::helpers::server_binary;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub fn program(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_forest-runbook"));
    command
        .arg("--config")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"))
        .env_remove("MONGODB_URI")
        .env_remove("DATABASE_URL")
        .env("FOREST_SERVER__ADDRESS", "127.0.0.1:0")
        .env("FOREST_DATABASE__DATA_DIR", dir.join("db"))
        .env("FOREST_DATABASE__SERVER_BINARY", server_binary())
        .env("FOREST_PATHS__LOGS_DIR", dir.join("logs"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Starts `serve` and returns the child with the address it printed.
fn serve(dir: &Path) -> (Child, String) {
    let mut child = program(dir).spawn().expect("start forest-runbook");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("forest-runbook is ready at http://")
                .map(str::to_owned)
        })
        .expect("the program prints its address");
    // Keep reading so that the program never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, address)
}

fn get_json(address: &str, path: &str) -> Value {
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (_, body) = response.split_once("\r\n\r\n").expect("headers end");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn terminate(mut child: Child) {
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    kill(pid, Signal::SIGTERM).expect("SIGTERM");
    let status = child.wait().expect("wait");
    assert!(status.success(), "stops cleanly on SIGTERM: {status}");
}

/// Processes whose command line names `data_dir`: the embedded server of that folder.
fn servers_using(data_dir: &Path) -> usize {
    let needle = data_dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .expect("proc")
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read(entry.path().join("cmdline")).ok())
        .filter(|cmdline| {
            let text = String::from_utf8_lossy(cmdline);
            text.contains("secantusd") && text.contains(needle.as_str())
        })
        .count()
}

#[test]
fn serve_seeds_once_stops_on_sigterm_and_keeps_the_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("db");

    let (child, address) = serve(dir.path());
    let health = get_json(&address, "/api/health");
    assert_eq!(health["success"], true, "{health}");
    assert_eq!(health["data"]["database"]["embedded"], true);
    assert_eq!(servers_using(&data_dir), 1);
    terminate(child);
    assert_eq!(
        servers_using(&data_dir),
        0,
        "the embedded server stops with the app"
    );

    // The second start neither reseeds (that would be refused) nor loses data.
    let (child, address) = serve(dir.path());
    let health = get_json(&address, "/api/health");
    assert_eq!(health["success"], true, "{health}");
    terminate(child);
    assert_eq!(servers_using(&data_dir), 0);

    let output = program(dir.path())
        .args(["demo-data", "--json"])
        .output()
        .expect("run demo-data");
    assert!(
        !output.status.success(),
        "the seeded database is not overwritten"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("already holds"));
}

#[test]
fn a_missing_database_server_is_explained_and_exits_non_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = program(dir.path())
        .env(
            "FOREST_DATABASE__SERVER_BINARY",
            "/nonexistent/secantusd-rs",
        )
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("was not found") && stderr.contains("MONGODB_URI"),
        "{stderr}"
    );
}
