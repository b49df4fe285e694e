//! One line of the Forest server's logs, read: pino JSON (`level` 50/40,
//! `msg`, `time` in ms), winston JSON (`level` "error"/"warn", `message`,
//! `timestamp`), or plain text with an optional leading timestamp and a
//! level word. Pure: no files here.

use crate::config::ForestLogsSettings;
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
}

/// The configured patterns, compiled once.
#[derive(Debug, Clone)]
pub struct Patterns {
    synced: Option<Regex>,
    conflict: Option<Regex>,
    error_word: Option<Regex>,
    warning_word: Option<Regex>,
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
        }
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
        let synced = self.synced.as_ref().and_then(|r| r.captures(&message));
        LineEvent {
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
        }
    }
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
}
