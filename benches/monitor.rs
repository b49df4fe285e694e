//! The monitor's figures (issues 7 and 16), against a real embedded
//! `secantusd-rs` and the real HTTP server on a free port:
//! - time from a sample being taken (the start of its reads) to its arrival
//!   at each of 100 subscribers over HTTP, all connecting at once after the
//!   window has filled for a while, p50 and p99 over 100 samples (goal:
//!   p99 at most 100 ms);
//! - this process's memory (RSS) with the 100 subscribers (goal: at most
//!   100 MB);
//! - the load on the database while they watch: extra operations per second
//!   (serverStatus opcounters, idle baseline subtracted) and the app's
//!   commands per round (the sampler's reads, plus one check of all the
//!   subscribers' sessions together each sample: two reads, whatever their
//!   number).
//!
//! Run: `cargo bench --features ssr --bench monitor` (add `--profile dev`
//! to skip the release build). Samples once per second, so it takes about
//! four minutes. Exits non-zero when a goal is missed.

use forest_runbook::auth::{self, LoginLimiter, SESSION_COOKIE};
use forest_runbook::config::{EnvSource, Settings};
use forest_runbook::db::{self, Database, OpCounters};
use forest_runbook::model::{Role, Sample};
use forest_runbook::ops::audit::Actor;
use forest_runbook::server::{AppState, Application};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const SUBSCRIBERS: usize = 100;
const SAMPLES: usize = 100;
const GOAL_MS: f64 = 100.0;
const RSS_GOAL_KIB: u64 = 100 * 1_024;
/// Samples the window holds before the subscribers connect, so that each
/// connection replays a window of some size.
const WARM_SAMPLES: u64 = 120;
const BASELINE: Duration = Duration::from_secs(10);
const PASSWORD: &str = "a-long-bench-password";

struct NoEnv;

impl EnvSource for NoEnv {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn vars(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"),
        &NoEnv,
    )?;
    settings.database.data_dir = dir.path().join("db");
    settings.paths.logs_dir = dir.path().join("logs");
    settings.server.address = "127.0.0.1:0".parse()?;
    settings.monitor.sample_interval_secs = 1;
    let opened = db::open(&settings.database).await?;
    let outcome = run(settings, opened.database.clone()).await;
    if let Some(server) = opened.embedded {
        server.stop().await?;
    }
    outcome
}

async fn run(settings: Settings, db: Database) -> Result<(), AnyError> {
    db.prepare_app_collections().await?;
    auth::create_account(
        &db,
        &Actor::Cli("bench".into()),
        "bench",
        Role::Viewer,
        PASSWORD,
    )
    .await?;
    let (_, token) = auth::login(
        &db,
        &LoginLimiter::default(),
        "bench",
        PASSWORD,
        "127.0.0.1",
        Duration::from_secs(3_600),
    )
    .await?;
    let cookie = format!("{SESSION_COOKIE}={}", token.as_str());
    // A separate client watches the server's counters, as Prometheus would.
    let probe = Database::connect(
        &format!(
            "mongodb://{}/?directConnection=true",
            server_host(&db).await?
        ),
        "admin",
    )
    .await?;

    let idle = ops_per_sec(&probe, BASELINE).await?;

    let rss_before_app = rss_kib();
    let state = AppState::new(settings, db.clone());
    let monitor = state.monitor.clone();
    let app = Application::build(state).await?;
    let address = app.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    while monitor.window().last_seq < WARM_SAMPLES {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rss_idle = rss_kib();

    let counters_start = opcounters(&probe).await?;
    let started = Instant::now();
    let rounds_start = monitor.rounds();
    let commands_start = sampler_commands(&db);
    let subscribers: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| tokio::spawn(subscribe(address, cookie.clone(), SAMPLES)))
        .collect();
    let mut latencies = Vec::new();
    for subscriber in subscribers {
        latencies.extend(subscriber.await??);
    }
    let rss_with_subscribers = rss_kib();
    let elapsed = started.elapsed().as_secs_f64();
    let rounds = monitor.rounds() - rounds_start;
    let commands = sampler_commands(&db) - commands_start;
    let counters_end = opcounters(&probe).await?;
    let window_bytes = serde_json::to_vec(&monitor.window())?.len();
    let _ = stop.send(());
    server.await??;

    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let (p50, p99) = (pick(0.50), pick(0.99));
    let with_sampler = (total(&counters_end) - total(&counters_start)) as f64 / elapsed;
    println!(
        "monitor bench: {SUBSCRIBERS} subscribers over HTTP, {SAMPLES} samples each, one sample per second"
    );
    println!("  deliveries measured            {}", latencies.len());
    println!(
        "  sample taken -> subscriber p50 {p50:.1} ms   ({:.3} of the 100 ms goal)",
        p50 / GOAL_MS
    );
    println!(
        "  sample taken -> subscriber p99 {p99:.1} ms   ({:.3} of the 100 ms goal)",
        p99 / GOAL_MS
    );
    println!(
        "  max                            {:.1} ms",
        latencies.last().copied().unwrap_or(0.0)
    );
    println!("  process RSS before the app     {} KiB", rss_before_app);
    println!("  process RSS app idle           {} KiB", rss_idle);
    println!(
        "  process RSS with subscribers   {} KiB   (+{} KiB for {SUBSCRIBERS}; {:.3} of the 100 MB goal)",
        rss_with_subscribers,
        rss_with_subscribers.saturating_sub(rss_idle),
        rss_with_subscribers as f64 / RSS_GOAL_KIB as f64
    );
    println!(
        "  window sent on (re)connect     {window_bytes} bytes after {} samples",
        monitor.window().last_seq
    );
    println!("  database ops/s idle            {idle:.2}");
    println!(
        "  database ops/s with sampler    {with_sampler:.2}   (extra {:.2} ops/s at 1 sample/s)",
        with_sampler - idle
    );
    println!(
        "  app commands per round         {:.2}   ({} commands in {rounds} rounds: the sampler's reads, and one check of all the subscribers' sessions each sample)",
        commands as f64 / rounds.max(1) as f64,
        commands
    );
    if p99 > GOAL_MS || rss_with_subscribers > RSS_GOAL_KIB {
        return Err("a goal was missed".into());
    }
    Ok(())
}

/// Reads the event stream until `wanted` samples arrived; each one's delay
/// from being taken to arriving here, in ms.
async fn subscribe(
    address: std::net::SocketAddr,
    cookie: String,
    wanted: usize,
) -> Result<Vec<f64>, AnyError> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!(
        "GET /api/monitor/events HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut lines = BufReader::new(stream).lines();
    let mut delays = Vec::with_capacity(wanted);
    while delays.len() < wanted {
        let Some(line) = lines.next_line().await? else {
            return Err("the event stream ended".into());
        };
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        if let Ok(sample) = serde_json::from_str::<Sample>(data) {
            delays.push((now_ms() - sample.at_ms) as f64);
        }
    }
    Ok(delays)
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Commands this app's client sent, all of them the sampler's while the bench runs.
fn sampler_commands(db: &Database) -> u64 {
    db.driver_tally().commands.values().map(|c| c.started).sum()
}

async fn server_host(db: &Database) -> Result<String, AnyError> {
    Ok(db
        .driver_tally()
        .pools
        .keys()
        .next()
        .cloned()
        .ok_or("no pool yet")?)
}

async fn opcounters(probe: &Database) -> Result<OpCounters, AnyError> {
    Ok(probe
        .server_status()
        .await?
        .opcounters
        .ok_or("no opcounters")?)
}

fn total(counters: &OpCounters) -> u64 {
    counters.named().iter().map(|(_, n)| n).sum()
}

async fn ops_per_sec(probe: &Database, span: Duration) -> Result<f64, AnyError> {
    let start = opcounters(probe).await?;
    tokio::time::sleep(span).await;
    let end = opcounters(probe).await?;
    Ok((total(&end) - total(&start)) as f64 / span.as_secs_f64())
}

/// This process's resident memory, from /proc.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
