//! The counts the log watcher keeps: per minute (bounded to the retained
//! minutes), the latest error lines and the watcher's own warnings (each
//! bounded), and where the watcher stands. Pure: no files here.

use super::line::{Level, LineEvent};
use crate::model::{ErrorLine, LogSnapshot, LogStatus, MinuteCounts};
use std::collections::{BTreeMap, VecDeque};
use time::OffsetDateTime;

/// Minutes a snapshot shows.
pub const SHOWN_MINUTES: i64 = 60;
const KEPT_WARNINGS: usize = 20;
const ERROR_TEXT_CHARS: usize = 500;

#[derive(Debug)]
pub struct Tally {
    status: LogStatus,
    folder: Option<String>,
    files: Vec<String>,
    /// Unix minute → counts.
    minutes: BTreeMap<i64, MinuteCounts>,
    errors: VecDeque<ErrorLine>,
    warnings: VecDeque<String>,
    retain_minutes: i64,
    recent_errors: usize,
}

impl Tally {
    pub fn new(folder: Option<String>, retain_minutes: u32, recent_errors: usize) -> Self {
        Self {
            status: if folder.is_some() {
                LogStatus::FolderMissing
            } else {
                LogStatus::NotConfigured
            },
            folder,
            files: Vec::new(),
            minutes: BTreeMap::new(),
            errors: VecDeque::new(),
            warnings: VecDeque::new(),
            retain_minutes: i64::from(retain_minutes),
            recent_errors,
        }
    }

    pub fn set_watching(&mut self, status: LogStatus, files: Vec<String>) {
        self.status = status;
        self.files = files;
    }

    pub fn warn(&mut self, now: OffsetDateTime, warning: String) {
        tracing::warn!(%warning, "Forest log watcher");
        if self.warnings.len() == KEPT_WARNINGS {
            self.warnings.pop_front();
        }
        self.warnings
            .push_back(format!("{}: {warning}", super::super::rfc3339(now)));
    }

    /// Counts one line of `file`, read at `now`. A line whose own time is
    /// older than the retained minutes is not counted; one from the future
    /// (a skewed clock) counts now.
    pub fn count(&mut self, now: OffsetDateTime, file: &str, event: LineEvent) {
        let at = event.at.filter(|at| *at <= now).unwrap_or(now);
        let minute = at.unix_timestamp().div_euclid(60);
        let newest = now.unix_timestamp().div_euclid(60);
        if minute <= newest - self.retain_minutes {
            return;
        }
        // Saturating: a line is written by another program and may say any
        // number; an overflow here would stop the watcher and poison the
        // counts every page reads.
        let counts = self.minutes.entry(minute).or_default();
        counts.lines = counts.lines.saturating_add(1);
        match event.level {
            Level::Error => counts.errors = counts.errors.saturating_add(1),
            Level::Warning => counts.warnings = counts.warnings.saturating_add(1),
            Level::Other => {}
        }
        if event.synced {
            counts.synced_events = counts.synced_events.saturating_add(1);
            counts.synced_tasks = counts
                .synced_tasks
                .saturating_add(event.synced_count.unwrap_or(0));
        }
        if event.conflict {
            counts.conflicts = counts.conflicts.saturating_add(1);
        }
        if event.level == Level::Error {
            if self.errors.len() == self.recent_errors {
                self.errors.pop_front();
            }
            self.errors.push_back(ErrorLine {
                at: super::super::rfc3339(at),
                file: file.to_owned(),
                text: super::super::verdict::excerpt(&event.message, ERROR_TEXT_CHARS),
            });
        }
        self.forget_before(newest - self.retain_minutes);
    }

    fn forget_before(&mut self, minute: i64) {
        while self
            .minutes
            .first_key_value()
            .is_some_and(|(first, _)| *first <= minute)
        {
            self.minutes.pop_first();
        }
    }

    /// The minutes from the one of `since` on that counted errors, as
    /// (minutes since the epoch, errors).
    pub fn error_minutes_since(&self, since: OffsetDateTime) -> Vec<(i64, u64)> {
        self.minutes
            .range(since.unix_timestamp().div_euclid(60)..)
            .filter(|(_, counts)| counts.errors > 0)
            .map(|(minute, counts)| (*minute, counts.errors))
            .collect()
    }

    /// Errors counted in the minute of `since` and after.
    pub fn errors_since(&self, since: OffsetDateTime) -> u64 {
        self.error_minutes_since(since)
            .iter()
            .fold(0_u64, |sum, (_, errors)| sum.saturating_add(*errors))
    }

    /// The last `SHOWN_MINUTES` minutes up to `now` (empty ones as zeros),
    /// the latest errors newest first, and the warnings newest first.
    pub fn snapshot(&self, now: OffsetDateTime) -> LogSnapshot {
        let newest = now.unix_timestamp().div_euclid(60);
        let minutes = (newest - SHOWN_MINUTES + 1..=newest)
            .map(|minute| {
                let mut counts = self.minutes.get(&minute).cloned().unwrap_or_default();
                counts.minute = OffsetDateTime::from_unix_timestamp(minute * 60)
                    .map(super::super::rfc3339)
                    .unwrap_or_default();
                counts
            })
            .collect();
        LogSnapshot {
            status: self.status,
            folder: self.folder.clone(),
            files: self.files.clone(),
            minutes,
            recent_errors: self.errors.iter().rev().cloned().collect(),
            warnings: self.warnings.iter().rev().cloned().collect(),
            since_migration: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synced(count: u64) -> LineEvent {
        LineEvent {
            at: None,
            level: Level::Error,
            message: format!("Tasks synced: {count}"),
            synced: true,
            synced_count: Some(count),
            conflict: false,
        }
    }

    #[test]
    fn counts_near_the_largest_number_saturate_and_the_next_line_still_counts() {
        let mut tally = Tally::new(Some("logs".into()), 60, 10);
        let now = OffsetDateTime::now_utc();
        tally.count(now, "a.log", synced(u64::MAX - 1));
        tally.count(now, "a.log", synced(u64::MAX - 1));
        tally.count(now, "a.log", synced(5));
        let snapshot = tally.snapshot(now);
        let minute = snapshot.minutes.last().expect("this minute");
        assert_eq!(minute.synced_tasks, u64::MAX);
        assert_eq!(minute.synced_events, 3);
        assert_eq!(snapshot.recent_errors.len(), 3, "no line was lost");
        assert_eq!(tally.errors_since(now), 3);
    }
}
