//! The Monitor's history beyond its live window: the sampler's minutes kept
//! in the database (`minute.rs` folds samples into them) and read back for
//! a range, downsampled to a chart's width (`thin.rs`): since the
//! deployment started, the last 24 hours, or the hour before the migration
//! against the hour after it.

mod period;
mod thin;

pub use period::{MINUTE_MS, Minutes, Periods, TEN_MINUTES_MS, minute_of, tallies_of};
pub use thin::{Thinner, is_count};

use super::OpsError;
use super::migration::{Migration, deployment};
use crate::db::Database;
use crate::model::{
    Compared, Comparison, HistoryRange, MAX_POINTS, MonitorHistory, Point, RunRecord, Span,
    Summary, WINDOW_SECS,
};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// `range` of the kept minutes as of `now_ms`, when the database keeps
/// `keep_days` of them.
pub async fn read(
    db: &Database,
    migration: &Migration,
    range: HistoryRange,
    now_ms: i64,
    keep_days: u32,
) -> Result<MonitorHistory, OpsError> {
    let from_ms = match range {
        HistoryRange::Live => {
            now_ms.saturating_sub(i64::try_from(WINDOW_SECS * 1_000).unwrap_or(i64::MAX))
        }
        HistoryRange::Day => now_ms.saturating_sub(DAY_MS),
        HistoryRange::Deployment => match deployment_start(db, migration).await? {
            Ok(started) => started,
            Err(note) => {
                return Ok(MonitorHistory {
                    note: Some(note),
                    ..empty(range, now_ms, keep_days)
                });
            }
        },
        HistoryRange::Compare => {
            let (comparison, note) = match compare(db, migration, now_ms).await? {
                Ok(comparison) => (Some(comparison), None),
                Err(note) => (None, Some(note)),
            };
            return Ok(MonitorHistory {
                comparison,
                note,
                ..empty(range, now_ms, keep_days)
            });
        }
    };
    over(db, range, from_ms, now_ms, keep_days).await
}

/// A history of `range` with nothing in it yet.
fn empty(range: HistoryRange, now_ms: i64, keep_days: u32) -> MonitorHistory {
    MonitorHistory {
        range,
        span: Span {
            from_ms: now_ms,
            to_ms: now_ms,
        },
        step_secs: 60,
        series: BTreeMap::new(),
        comparison: None,
        note: None,
        keep_days,
    }
}

/// The kept minutes from `from_ms` to `now_ms`, charted as `range`.
pub async fn over(
    db: &Database,
    range: HistoryRange,
    from_ms: i64,
    now_ms: i64,
    keep_days: u32,
) -> Result<MonitorHistory, OpsError> {
    let kept_from = now_ms.saturating_sub(i64::from(keep_days).saturating_mul(DAY_MS));
    let mut history = empty(range, now_ms, keep_days);
    if from_ms < kept_from {
        history.note = Some(format!(
            "Minutes older than {keep_days} days are no longer kept (monitor.history_days): the charts start then."
        ));
    }
    let span = Span {
        from_ms: from_ms.max(kept_from),
        to_ms: now_ms,
    };
    let width = width_for(span);
    history.span = Span {
        from_ms: span.from_ms.div_euclid(width) * width,
        ..span
    };
    let mut thinner = Thinner::new(history.span, MAX_POINTS, width);
    history.step_secs = u64::try_from(thinner.step_ms() / 1_000).unwrap_or(60);
    fold(db, history.span, width, &mut thinner).await?;
    history.series = thinner
        .finish()
        .into_iter()
        .map(|(key, points)| {
            let points = points
                .into_iter()
                .map(|(at_ms, s)| Point {
                    at_ms,
                    value: s.value,
                })
                .collect();
            (key, points)
        })
        .collect();
    Ok(history)
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The stored periods a read of `span` goes by: minutes up to 1 000 of
/// them (about 16 hours), ten minutes beyond, so that no read takes more
/// than about 1 000 documents (7 days: 1 008).
fn width_for(span: Span) -> i64 {
    if span.to_ms.saturating_sub(span.from_ms) <= 1_000 * MINUTE_MS {
        MINUTE_MS
    } else {
        TEN_MINUTES_MS
    }
}

/// Adds the stored periods of `span` to `thinner`: with ten-minute
/// periods, those before the span's last twenty minutes, and the minutes
/// after (the last ten minutes are unfinished, and the ten before are
/// stored only once the first minute after them is).
async fn fold(
    db: &Database,
    span: Span,
    width: i64,
    thinner: &mut Thinner,
) -> Result<(), OpsError> {
    let mut add = |start, key: &str, tally| thinner.add(start, key, tally);
    let minutes_from = if width == MINUTE_MS {
        span.from_ms
    } else {
        let last_ten = span.to_ms.div_euclid(TEN_MINUTES_MS) * TEN_MINUTES_MS;
        let minutes_from = (last_ten - TEN_MINUTES_MS).max(span.from_ms);
        db.monitor_periods(TEN_MINUTES_MS, span.from_ms, minutes_from, &mut add)
            .await?;
        minutes_from
    };
    db.monitor_periods(MINUTE_MS, minutes_from, span.to_ms, &mut add)
        .await?;
    Ok(())
}

fn millis(rfc3339: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(rfc3339, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// When this deployment's first migrate run started, or why there is none.
async fn deployment_start(
    db: &Database,
    migration: &Migration,
) -> Result<Result<i64, String>, OpsError> {
    let this = deployment::this_deployment(db, migration).await?;
    Ok(this
        .migrate_runs
        .last()
        .and_then(|run| millis(&run.started_at))
        .ok_or_else(|| {
            "The deployment has not started: no migrate run since the last rollback.".to_owned()
        }))
}

/// The hour before this deployment's latest migrate run against the hour
/// after it ended (or, while it runs, from its start until now).
async fn compare(
    db: &Database,
    migration: &Migration,
    now_ms: i64,
) -> Result<Result<Comparison, String>, OpsError> {
    let this = deployment::this_deployment(db, migration).await?;
    let Some((started, ended)) = this.migrate_runs.first().and_then(run_times) else {
        return Ok(Err(
            "Nothing to compare yet: no migrate run since the last rollback.".to_owned(),
        ));
    };
    let before = Span {
        from_ms: started - HOUR_MS,
        to_ms: started,
    };
    let after = match ended {
        Some(ended) => Span {
            from_ms: ended,
            to_ms: (ended + HOUR_MS).min(now_ms).max(ended),
        },
        None => Span {
            from_ms: started,
            to_ms: now_ms.max(started),
        },
    };
    let before_side = summaries(db, before).await?;
    let after_side = summaries(db, after).await?;
    let mut keys: Vec<&String> = before_side.keys().chain(after_side.keys()).collect();
    keys.sort();
    keys.dedup();
    let rows = keys
        .into_iter()
        .map(|key| Compared {
            series: key.clone(),
            before: before_side.get(key).copied(),
            after: after_side.get(key).copied(),
        })
        .collect();
    Ok(Ok(Comparison {
        before,
        after,
        finished: ended.is_some(),
        rows,
    }))
}

/// Each series over `span` as one summary.
async fn summaries(db: &Database, span: Span) -> Result<BTreeMap<String, Summary>, OpsError> {
    let width = width_for(span);
    let mut whole = Thinner::new(span, 1, width);
    fold(db, span, width, &mut whole).await?;
    Ok(whole
        .finish()
        .into_iter()
        .filter_map(|(key, points)| Some((key, points.first()?.1)))
        .collect())
}

/// A run's start and, once it finished, its end, in milliseconds.
fn run_times(run: &RunRecord) -> Option<(i64, Option<i64>)> {
    let started = millis(&run.started_at)?;
    Some((started, run.finished_at.as_deref().and_then(millis)))
}
