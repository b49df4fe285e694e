//! A line of the Forest server's logs that tells its Prisma connection
//! pool: Prisma's metrics as `prisma.$metrics.json()` returns them
//! (`counters`, `gauges`, `histograms`, each a list of `{key, labels,
//! value, description}`), the whole line or one field of a pino line (such
//! as `metrics`); or a text matching `forest_logs.pool_pattern`, whose named
//! groups `open`, `busy`, `idle` and `waiting` are the figures. Written by
//! another program: a number that is negative, not a number or of the
//! wrong type is left out; a huge one saturates. Pure: no files here.

use crate::model::PoolFigures;
use regex::Regex;
use serde_json::Value;

const OPEN: &str = "prisma_pool_connections_open";
const BUSY: &str = "prisma_pool_connections_busy";
const IDLE: &str = "prisma_pool_connections_idle";
const WAITING: &str = "prisma_client_queries_wait";

/// The pool a JSON line carries: the line itself when it is Prisma's
/// metrics, else the first of its fields that is. Looks one level down
/// only, so nesting cannot make it work harder.
pub fn from_json(line: &Value) -> Option<PoolFigures> {
    let object = line.as_object()?;
    std::iter::once(line)
        .chain(object.values())
        .find_map(from_metrics)
}

/// Prisma's metrics object; `busy` must be there. The open count is a
/// counter in older Prisma versions and a gauge in newer ones.
fn from_metrics(metrics: &Value) -> Option<PoolFigures> {
    let gauges = metrics.get("gauges")?.as_array()?;
    let counters = metrics.get("counters").and_then(Value::as_array);
    let read =
        |key| metric(gauges, key).or_else(|| counters.and_then(|counters| metric(counters, key)));
    Some(PoolFigures {
        busy: read(BUSY)?,
        open: read(OPEN),
        idle: read(IDLE),
        waiting: read(WAITING),
    })
}

/// The value of `key` in a list of metrics: summed over its label sets
/// (one per datasource), saturating.
fn metric(list: &[Value], key: &str) -> Option<u64> {
    list.iter()
        .filter(|m| m.get("key").and_then(Value::as_str) == Some(key))
        .filter_map(|m| m.get("value").and_then(json_count))
        .reduce(u64::saturating_add)
}

/// The figures a text matching the pool pattern carries; `busy` must be
/// there.
pub fn from_text(pattern: &Regex, text: &str) -> Option<PoolFigures> {
    let captures = pattern.captures(text)?;
    let read = |name| captures.name(name).and_then(|m| text_count(m.as_str()));
    Some(PoolFigures {
        busy: read("busy")?,
        open: read("open"),
        idle: read("idle"),
        waiting: read("waiting"),
    })
}

fn json_count(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_f64().and_then(float_count))
}

fn text_count(text: &str) -> Option<u64> {
    text.parse().ok().or_else(|| {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            Some(u64::MAX)
        } else {
            text.parse().ok().and_then(float_count)
        }
    })
}

/// A count from a float: negative or not finite is none; `as` saturates.
fn float_count(value: f64) -> Option<u64> {
    (value.is_finite() && value >= 0.0).then_some(value as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prisma's metrics as `$metrics.json()` returns them (Prisma 5: the
    /// open count is a gauge).
    fn metrics(busy: &str, waiting: &str) -> String {
        format!(
            r#"{{"counters":[{{"key":"prisma_client_queries_total","labels":{{}},"value":118,"description":"Total number of Prisma Client queries executed"}}],"gauges":[{{"key":"prisma_client_queries_wait","labels":{{}},"value":{waiting},"description":"Number of queries currently waiting for a connection"}},{{"key":"prisma_pool_connections_busy","labels":{{}},"value":{busy},"description":"Number of currently busy Pool Connections (executing a database query)"}},{{"key":"prisma_pool_connections_idle","labels":{{}},"value":7,"description":"Number of currently unused Pool Connections (waiting for the next pool query to run)"}},{{"key":"prisma_pool_connections_open","labels":{{}},"value":10,"description":"Number of currently open Pool Connections"}}],"histograms":[{{"key":"prisma_client_queries_duration_histogram_ms","labels":{{}},"value":{{"buckets":[[0,0],[1,80]],"sum":90.5,"count":80}},"description":"Histogram of the duration of all executed Prisma Client queries in ms"}}]}}"#
        )
    }

    fn json(line: &str) -> Option<PoolFigures> {
        serde_json::from_str::<Value>(line)
            .ok()
            .and_then(|v| from_json(&v))
    }

    const READ: PoolFigures = PoolFigures {
        open: Some(10),
        busy: 3,
        idle: Some(7),
        waiting: Some(2),
    };

    #[test]
    fn prisma_metrics_are_read_whole_or_nested_in_a_pino_line() {
        assert_eq!(json(&metrics("3", "2")), Some(READ));
        let pino = format!(
            r#"{{"level":30,"time":1764237600000,"pid":7,"metrics":{},"msg":"prisma metrics"}}"#,
            metrics("3", "2")
        );
        assert_eq!(json(&pino), Some(READ));
        // Prisma 4: the open count is a counter.
        let older = r#"{"counters":[{"key":"prisma_pool_connections_open","labels":{"appId":"81"},"value":4,"description":""}],"gauges":[{"key":"prisma_pool_connections_busy","labels":{"appId":"81"},"value":2.0,"description":""}],"histograms":[]}"#;
        assert_eq!(
            json(older),
            Some(PoolFigures {
                open: Some(4),
                busy: 2,
                idle: None,
                waiting: None,
            })
        );
        assert_eq!(json(r#"{"level":30,"msg":"no metrics here"}"#), None);
    }

    #[test]
    fn a_pattern_line_gives_its_named_groups() {
        let pattern = Regex::new(
            r"pool open=(?<open>\S+) busy=(?<busy>\S+) idle=(?<idle>\S+) waiting=(?<waiting>\S+)",
        )
        .expect("pattern");
        assert_eq!(
            from_text(
                &pattern,
                "12:00:01 INFO pool open=10 busy=3 idle=7 waiting=2"
            ),
            Some(READ)
        );
        let busy_only = Regex::new(r"busy: (?<busy>\d+)").expect("pattern");
        assert_eq!(
            from_text(&busy_only, "db busy: 5").map(|f| (f.busy, f.open)),
            Some((5, None))
        );
        assert_eq!(from_text(&busy_only, "db idle: 5"), None);
    }

    #[test]
    fn hostile_pool_lines_are_left_out_or_saturate_and_never_panic() {
        assert_eq!(json(&metrics("-3", "2")), None, "negative busy: no reading");
        assert_eq!(json(&metrics("\"NaN\"", "2")), None, "a string");
        assert_eq!(json(&metrics("null", "2")), None);
        assert_eq!(json(&metrics("{\"a\":1}", "2")), None);
        assert_eq!(json(&metrics("1e308", "2")).map(|f| f.busy), Some(u64::MAX));
        assert_eq!(
            json(&metrics("18446744073709551616000", "2")).map(|f| f.busy),
            Some(u64::MAX)
        );
        assert_eq!(
            json(&metrics("3", "-1")).map(|f| (f.busy, f.waiting)),
            Some((3, None)),
            "a bad figure is left out, the others stay"
        );
        for junk in [
            r#"{"gauges":{"key":"prisma_pool_connections_busy","value":1}}"#,
            r#"{"gauges":[1,"two",null,[],{"key":5,"value":1}]}"#,
            r#"{"metrics":"{\"gauges\":[]}"}"#,
            r#"{"a":{"b":{"gauges":[{"key":"prisma_pool_connections_busy","value":1}]}}}"#,
            "[1,2,3]",
        ] {
            assert_eq!(json(junk), None, "{junk}");
        }
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(json(&deep), None, "too deep for the parser: not JSON");
        let duplicated = r#"{"gauges":[{"key":"prisma_pool_connections_busy","value":18446744073709551615},{"key":"prisma_pool_connections_busy","value":9}]}"#;
        assert_eq!(json(duplicated).map(|f| f.busy), Some(u64::MAX));

        let pattern =
            Regex::new(r"busy=(?<busy>\S+)(?: waiting=(?<waiting>\S+))?").expect("pattern");
        let busy = |line: &str| from_text(&pattern, line).map(|f| (f.busy, f.waiting));
        assert_eq!(busy("busy=-3"), None);
        assert_eq!(busy("busy=NaN"), None);
        assert_eq!(busy("busy=inf"), None);
        assert_eq!(
            busy(&format!("busy={}", "9".repeat(5_000))),
            Some((u64::MAX, None))
        );
        assert_eq!(busy("busy=2.9 waiting=x"), Some((2, None)));
    }
}
