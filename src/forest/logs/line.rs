//! One line of the Forest server's logs, read: pino JSON (`level` 50/40,
//! `msg`, `time` in ms), winston JSON (`level` "error"/"warn", `message`,
//! `timestamp`), or plain text with an optional leading timestamp and a
//! level word; and, when it is one, the request it logs: pino-http JSON
//! (`req.method`, `req.url`, `res.statusCode`, `responseTime` in ms) or a
//! morgan text line (combined, with its `[date]`; dev, with its time in ms);
//! and the Prisma pool it tells, if it does (`pool.rs`).
//! Pure: no files here.

use super::pool;
use crate::config::ForestLogsSettings;
use crate::model::PoolFigures;
use regex::Regex;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Other,
}

/// What one line says, as far as the counts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEvent {
    /// The line's own time, when it carries one.
    pub at: Option<OffsetDateTime>,
    pub level: Level,
    /// The message (a JSON line's `msg` or `message`; a text line whole).
    pub message: String,
    pub synced: bool,
    /// The number of tasks a "Tasks synced" line reports.
    pub synced_count: Option<u64>,
    pub conflict: bool,
    /// The request to a watched route (`route_pattern`) this line logs.
    pub request: Option<Request>,
    /// The Forest server's Prisma pool, when the line tells it.
    pub pool: Option<PoolFigures>,
}

/// One request the Forest API logged, to a route `route_pattern` matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `METHOD /path`, the query left off and ids shown as `:id`, so that
    /// one route is one row whatever the ids.
    pub route: String,
    pub status: u16,
    /// The response time in microseconds, when the line carries a usable
    /// one (negative, not a number or missing: none).
    pub micros: Option<u64>,
}

/// The configured patterns, compiled once.
#[derive(Debug, Clone)]
pub struct Patterns {
    synced: Option<Regex>,
    conflict: Option<Regex>,
    error_word: Option<Regex>,
    warning_word: Option<Regex>,
    route: Option<Regex>,
    ansi_colour: Option<Regex>,
    morgan_dev: Option<Regex>,
    morgan_combined: Option<Regex>,
    trailing_ms: Option<Regex>,
    /// `pool_pattern`, when set.
    pool: Option<Regex>,
}

impl Patterns {
    /// Compiles the settings' patterns (validated when the settings loaded;
    /// an invalid one here matches nothing and is logged).
    pub fn new(settings: &ForestLogsSettings) -> Self {
        Self {
            synced: compile(&settings.synced_pattern),
            conflict: compile(&settings.conflict_pattern),
            error_word: compile(r"(?i)\b(error|fatal|critical)\b"),
            warning_word: compile(r"(?i)\b(warn|warning)\b"),
            route: compile(&settings.route_pattern),
            // morgan's dev format colours its line on a terminal.
            ansi_colour: compile(r"\x1b\[[0-9;]*m"),
            // morgan's dev format: `GET /api/sync/tasks 200 12.345 ms - 123`.
            morgan_dev: compile(r"(?:^|\s)([A-Z]{3,7}) (/\S*) (\d{3}) ([^ ]+) ms\b"),
            // morgan's combined (and common) format:
            // `IP - - [27/Nov/2026:10:00:05 +0000] "GET /path HTTP/1.1" 200 123 ...`.
            morgan_combined: compile(
                r#"\[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "([A-Z]{3,7}) (\S+) HTTP/[\d.]+" (\d{3}) \S+(.*)$"#,
            ),
            // A custom combined format that adds the response time.
            trailing_ms: compile(r"(?:^|\s)(-?\d+(?:\.\d+)?) ?ms\b"),
            pool: (!settings.pool_pattern.is_empty())
                .then(|| compile(&settings.pool_pattern))
                .flatten(),
        }
    }

    /// Whether `pool_pattern` is set (and compiled).
    pub fn reads_pool_lines(&self) -> bool {
        self.pool.is_some()
    }

    pub fn read(&self, line: &str) -> LineEvent {
        let trimmed = line.trim();
        let json = trimmed
            .starts_with('{')
            .then(|| serde_json::from_str::<Value>(trimmed).ok())
            .flatten()
            .filter(Value::is_object);
        let (at, level, message, count_field) = match &json {
            Some(json) => {
                let message = ["msg", "message"]
                    .iter()
                    .find_map(|key| json.get(*key).and_then(Value::as_str))
                    .unwrap_or_default()
                    .to_owned();
                let at = json
                    .get("time")
                    .or_else(|| json.get("timestamp"))
                    .and_then(json_time);
                let count = json.get("count").and_then(Value::as_u64);
                (at, json_level(json.get("level")), message, count)
            }
            None => {
                let level = if matches(&self.error_word, trimmed) {
                    Level::Error
                } else if matches(&self.warning_word, trimmed) {
                    Level::Warning
                } else {
                    Level::Other
                };
                (text_time(trimmed), level, trimmed.to_owned(), None)
            }
        };
        let (request, request_at) = match json.as_ref().and_then(pino_http) {
            Some(request) => (Some(request), None),
            None => self.morgan(&message),
        };
        let request = request.and_then(|(method, url, status, micros)| {
            let path = url.split(['?', '#']).next().unwrap_or_default();
            matches(&self.route, path).then(|| Request {
                route: format!("{method} {}", route_of(path)),
                status,
                micros,
            })
        });
        let at = at.or(request_at);
        let pool = json.as_ref().and_then(pool::from_json).or_else(|| {
            self.pool
                .as_ref()
                .and_then(|pattern| pool::from_text(pattern, &message))
        });
        let synced = self.synced.as_ref().and_then(|r| r.captures(&message));
        LineEvent {
            request,
            at,
            level,
            synced: synced.is_some(),
            synced_count: synced
                .as_ref()
                .and_then(|c| c.get(1))
                .and_then(|m| m.as_str().parse().ok())
                .or(count_field.filter(|_| synced.is_some())),
            conflict: matches(&self.conflict, &message),
            message,
            pool,
        }
    }
}

/// What a request line says: method, URL, status and response time.
type RequestFields = (String, String, u16, Option<u64>);

impl Patterns {
    /// A morgan dev or combined line, and the combined line's own time.
    fn morgan(&self, text: &str) -> (Option<RequestFields>, Option<OffsetDateTime>) {
        let text = match &self.ansi_colour {
            Some(colour) => colour.replace_all(text, ""),
            None => text.into(),
        };
        let text = text.as_ref();
        if let Some(c) = self.morgan_dev.as_ref().and_then(|r| r.captures(text)) {
            let request = status(&c[3]).map(|status| {
                let micros = c[4].parse().ok().and_then(micros);
                (c[1].to_owned(), c[2].to_owned(), status, micros)
            });
            return (request, None);
        }
        let Some(c) = self.morgan_combined.as_ref().and_then(|r| r.captures(text)) else {
            return (None, None);
        };
        let at = OffsetDateTime::parse(&c[1], COMBINED_DATE).ok();
        let micros = self
            .trailing_ms
            .as_ref()
            .and_then(|r| r.captures(&c[5]))
            .and_then(|t| t[1].parse().ok())
            .and_then(micros);
        let request =
            status(&c[4]).map(|status| (c[2].to_owned(), c[3].to_owned(), status, micros));
        (request, at)
    }
}

/// morgan's `:date[clf]`, e.g. `27/Nov/2026:10:00:05 +0000`.
const COMBINED_DATE: &[time::format_description::BorrowedFormatItem<'_>] = time::macros::format_description!(
    "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
);

/// pino-http's request line: `req.method`, `req.url`, `res.statusCode`,
/// `responseTime` (ms).
fn pino_http(json: &Value) -> Option<RequestFields> {
    let req = json.get("req")?;
    let method = req.get("method")?.as_str()?;
    let url = req.get("url")?.as_str()?;
    let code = json.get("res")?.get("statusCode")?.as_u64()?;
    let status = u16::try_from(code)
        .ok()
        .filter(|s| (100..600).contains(s))?;
    let micros = json
        .get("responseTime")
        .and_then(Value::as_f64)
        .and_then(micros);
    Some((method.to_owned(), url.to_owned(), status, micros))
}

fn status(text: &str) -> Option<u16> {
    text.parse().ok().filter(|s| (100..600).contains(s))
}

/// Milliseconds as whole microseconds; a negative or non-finite time is
/// none, a huge one saturates (the histogram clamps it to its top).
fn micros(ms: f64) -> Option<u64> {
    // `as` saturates for finite floats out of range.
    (ms.is_finite() && ms >= 0.0).then_some((ms * 1_000.0) as u64)
}

/// The path with its ids (numbers, hex, UUIDs, cuids: a segment holding a
/// digit that is all hex or 16 characters or longer) shown as `:id`.
fn route_of(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let id = segment.bytes().any(|b| b.is_ascii_digit())
                && (segment.len() >= 16
                    || segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
            if id { ":id" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern)
        .inspect_err(
            |error| tracing::error!(%error, pattern, "invalid log pattern; it matches nothing"),
        )
        .ok()
}

fn matches(pattern: &Option<Regex>, text: &str) -> bool {
    pattern.as_ref().is_some_and(|r| r.is_match(text))
}

/// pino's numbers (60 fatal, 50 error, 40 warn) and the usual words.
fn json_level(level: Option<&Value>) -> Level {
    match level {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(50..) => Level::Error,
            Some(40..=49) => Level::Warning,
            _ => Level::Other,
        },
        Some(Value::String(word)) => match word.to_ascii_lowercase().as_str() {
            "error" | "fatal" | "crit" | "critical" | "alert" | "emerg" => Level::Error,
            "warn" | "warning" => Level::Warning,
            _ => Level::Other,
        },
        _ => Level::Other,
    }
}

/// Milliseconds since the epoch (pino) or an RFC 3339 string (winston).
fn json_time(value: &Value) -> Option<OffsetDateTime> {
    match value {
        Value::Number(ms) => {
            let ms = i128::from(ms.as_i64()?);
            OffsetDateTime::from_unix_timestamp_nanos(ms * 1_000_000).ok()
        }
        Value::String(text) => OffsetDateTime::parse(text, &Rfc3339).ok(),
        _ => None,
    }
}

/// A leading RFC 3339 timestamp, bare or in brackets.
fn text_time(line: &str) -> Option<OffsetDateTime> {
    let first = line.split_whitespace().next()?;
    let first = first.trim_start_matches('[').trim_end_matches([']', ':']);
    OffsetDateTime::parse(first, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns() -> Patterns {
        let settings = crate::config::Settings::load(
            std::path::Path::new(crate::config::DEFAULT_FILE),
            &crate::config::ProcessEnv,
        )
        .expect("settings");
        Patterns::new(&settings.forest_logs)
    }

    #[test]
    fn pino_winston_and_text_lines_give_level_time_and_sync_counts() {
        let p = patterns();
        let pino = p.read(r#"{"level":50,"time":1764237600000,"msg":"boom"}"#);
        assert_eq!(pino.level, Level::Error);
        assert_eq!(
            pino.at.map(OffsetDateTime::unix_timestamp),
            Some(1_764_237_600)
        );
        let synced = p.read(r#"{"level":30,"time":1764237600000,"msg":"Tasks synced","count":7}"#);
        assert!(synced.synced && synced.level == Level::Other);
        assert_eq!(synced.synced_count, Some(7));
        let winston = p.read(
            r#"{"level":"warn","message":"Sync conflict on task abc","timestamp":"2026-11-27T10:00:05.123Z"}"#,
        );
        assert_eq!(winston.level, Level::Warning);
        assert!(winston.conflict && !winston.synced);
        assert_eq!(winston.at.map(|t| t.minute()), Some(0));
        let text = p.read("2026-11-27T10:01:00Z INFO Tasks synced: 12 for user u1");
        assert_eq!((text.synced, text.synced_count), (true, Some(12)));
        assert!(text.at.is_some());
        let error = p.read("[2026-11-27T10:01:00Z] ERROR cannot reach MongoDB");
        assert_eq!(error.level, Level::Error);
        let plain = p.read("listening on 8080");
        assert_eq!(
            (plain.level, plain.at, plain.synced),
            (Level::Other, None, false)
        );
        let broken = p.read("{\"level\":50,");
        assert_eq!(broken.level, Level::Other);
    }

    fn request(line: &str) -> Option<Request> {
        patterns().read(line).request
    }

    #[test]
    fn pino_http_and_morgan_lines_give_the_route_status_and_time() {
        let pino = patterns().read(
            r#"{"level":30,"time":1764237600000,"req":{"id":1,"method":"POST","url":"/api/sync/tasks/65a1b2c3d4e5f60718293a4b?since=1"},"res":{"statusCode":503},"responseTime":12.5,"msg":"request completed"}"#,
        );
        assert_eq!(
            pino.request,
            Some(Request {
                route: "POST /api/sync/tasks/:id".into(),
                status: 503,
                micros: Some(12_500),
            })
        );
        assert_eq!(
            pino.at.map(OffsetDateTime::unix_timestamp),
            Some(1_764_237_600)
        );
        let combined = patterns().read(
            r#"10.0.0.7 - - [27/Nov/2026:10:00:05 +0000] "GET /api/sync/tasks?page=2 HTTP/1.1" 200 123 "-" "okhttp/4.12""#,
        );
        assert_eq!(
            combined.request,
            Some(Request {
                route: "GET /api/sync/tasks".into(),
                status: 200,
                micros: None,
            })
        );
        assert_eq!(
            combined.at.map(OffsetDateTime::unix_timestamp),
            Some(1_795_773_605)
        );
        let timed = request(
            r#"10.0.0.7 - - [27/Nov/2026:10:00:05 +0000] "PUT /api/sync/devices/42 HTTP/1.1" 500 9 "-" "ua" 250.75 ms"#,
        );
        assert_eq!(
            timed.map(|r| (r.route, r.status, r.micros)),
            Some(("PUT /api/sync/devices/:id".into(), 500, Some(250_750)))
        );
        let dev = request("GET /api/sync/tasks 200 12.345 ms - 123");
        assert_eq!(
            dev.map(|r| (r.route, r.micros)),
            Some(("GET /api/sync/tasks".into(), Some(12_345)))
        );
        let coloured = request("\x1b[0mGET /api/sync/pull \x1b[32m304\x1b[0m 0.812 ms - -\x1b[0m");
        assert_eq!(
            coloured.map(|r| (r.status, r.micros)),
            Some((304, Some(812)))
        );
        let winston_morgan = request(
            r#"{"level":"info","message":"GET /api/sync 201 3.000 ms - 2","timestamp":"2026-11-27T10:00:05.123Z"}"#,
        );
        assert_eq!(
            winston_morgan.map(|r| r.route),
            Some("GET /api/sync".into())
        );
        // Routes outside the pattern are not counted.
        assert_eq!(request("GET /api/tasks 200 1.0 ms - 2"), None);
        assert_eq!(request("GET /api/synchronise 200 1.0 ms - 2"), None);
    }

    #[test]
    fn hostile_request_lines_never_panic_and_give_no_time_or_no_request() {
        let time_of = |ms: &str| {
            request(&format!(
                r#"{{"req":{{"method":"GET","url":"/api/sync/tasks"}},"res":{{"statusCode":200}},"responseTime":{ms}}}"#
            ))
            .map(|r| r.micros)
        };
        assert_eq!(time_of("-5"), Some(None), "negative: counted, no time");
        assert_eq!(time_of("\"NaN\""), Some(None));
        assert_eq!(time_of("1e308"), Some(Some(u64::MAX)), "huge: saturates");
        assert_eq!(time_of("18446744073709551616000"), Some(Some(u64::MAX)));
        assert_eq!(
            request("GET /api/sync/tasks 200 NaN ms - 1").map(|r| r.micros),
            Some(None)
        );
        assert_eq!(
            request("GET /api/sync/tasks 200 -3 ms - 1").map(|r| r.micros),
            Some(None)
        );
        assert_eq!(
            request("GET /api/sync/tasks 999 1 ms - 1"),
            None,
            "no such status"
        );
        assert_eq!(
            request(r#"{"req":{"method":"GET","url":"/api/sync"},"res":{"statusCode":70000}}"#),
            None
        );
        assert_eq!(request(r#"{"req":"GET /api/sync","res":[]}"#), None);
        assert_eq!(
            request(&format!("GET /api/sync/{} 200 1 ms", "9".repeat(10_000))).map(|r| r.route),
            Some("GET /api/sync/:id".into())
        );
    }

    #[test]
    fn pool_lines_are_read_from_prisma_metrics_and_from_the_pool_pattern() {
        let mut settings = crate::config::Settings::load(
            std::path::Path::new(crate::config::DEFAULT_FILE),
            &crate::config::ProcessEnv,
        )
        .expect("settings")
        .forest_logs;
        let metrics = r#"{"counters":[],"gauges":[{"key":"prisma_pool_connections_busy","labels":{},"value":4,"description":""}],"histograms":[]}"#;
        let nested = format!(
            r#"{{"level":30,"time":1764237600000,"metrics":{metrics},"msg":"prisma metrics"}}"#
        );
        let text = "2026-11-27T10:00:05Z INFO pool busy=6 waiting=1";
        let without = Patterns::new(&settings);
        assert!(!without.reads_pool_lines());
        assert_eq!(without.read(metrics).pool.map(|p| p.busy), Some(4));
        let pino = without.read(&nested);
        assert_eq!(pino.pool.map(|p| p.busy), Some(4));
        assert_eq!(
            pino.at.map(OffsetDateTime::unix_timestamp),
            Some(1_764_237_600)
        );
        assert_eq!(without.read(text).pool, None, "no pattern set");

        settings.pool_pattern = r"pool busy=(?<busy>\d+) waiting=(?<waiting>\d+)".into();
        let with = Patterns::new(&settings);
        assert!(with.reads_pool_lines());
        let read = with.read(text).pool.map(|p| (p.busy, p.waiting, p.open));
        assert_eq!(read, Some((6, Some(1), None)));
        let message = r#"{"level":30,"msg":"pool busy=2 waiting=0"}"#;
        assert_eq!(with.read(message).pool.map(|p| p.busy), Some(2));
        assert_eq!(
            with.read(r#"{"level":30,"msg":"pool busy=-2 waiting=0"}"#)
                .pool,
            None
        );
    }

    #[test]
    fn zero_conflicts_and_http_409_lines_are_not_conflicts() {
        let p = patterns();
        for counted in [
            "Sync conflict on task 42, keeping the newer",
            "conflict detected",
            "3 conflicts resolved",
            "Resolved 12 conflicts",
            "40 conflicts",
            "1 conflict",
        ] {
            assert!(p.read(counted).conflict, "{counted}");
        }
        for not_counted in [
            "Sync finished: 0 conflicts",
            "0 conflict",
            "PUT /api/sync/tasks 409 3.2 ms - 20",
            r#"10.0.0.7 - - [27/Nov/2026:10:00:05 +0000] "PUT /api/sync/tasks HTTP/1.1" 409 20 "-" "ua""#,
            "HTTP 409 Conflict",
            "Request failed with status 409 conflict",
        ] {
            assert!(!p.read(not_counted).conflict, "{not_counted}");
        }
    }
}
