//! The pool readings the log watcher keeps: the latest one and, for each
//! retained minute that had one, the most connections busy and queries
//! waiting. Bounded: one entry a minute. Pure: no files here.

use super::tally::SHOWN_MINUTES;
use crate::model::{LogStatus, PoolFigures, PoolMinute, PoolReading, PrismaPool};
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(Debug)]
pub struct PoolMinutes {
    latest: Option<(OffsetDateTime, PoolFigures)>,
    /// Unix minute → the most busy and waiting of its readings.
    minutes: BTreeMap<i64, (u64, Option<u64>)>,
    retain_minutes: i64,
}

impl PoolMinutes {
    pub fn new(retain_minutes: i64) -> Self {
        Self {
            latest: None,
            minutes: BTreeMap::new(),
            retain_minutes,
        }
    }

    /// Keeps a reading written at `at`; `newest` is the current minute.
    pub fn keep(&mut self, at: OffsetDateTime, newest: i64, figures: PoolFigures) {
        if self.latest.is_none_or(|(latest, _)| latest <= at) {
            self.latest = Some((at, figures));
        }
        let (busy, waiting) = self
            .minutes
            .entry(at.unix_timestamp().div_euclid(60))
            .or_insert((0, None));
        *busy = (*busy).max(figures.busy);
        *waiting = (*waiting).max(figures.waiting);
        while self
            .minutes
            .first_key_value()
            .is_some_and(|(first, _)| *first <= newest - self.retain_minutes)
        {
            self.minutes.pop_first();
        }
    }

    /// The latest reading and the kept minutes as of `now`; the chart spans
    /// from the oldest kept minute (at least the last hour) to `now`'s.
    pub fn snapshot(
        &self,
        now: OffsetDateTime,
        status: LogStatus,
        pattern_set: bool,
    ) -> PrismaPool {
        let newest = now.unix_timestamp().div_euclid(60);
        let oldest = newest - self.retain_minutes;
        let minutes: Vec<PoolMinute> = self
            .minutes
            .range(oldest + 1..=newest)
            .map(|(minute, (busy, waiting))| PoolMinute {
                at_ms: minute * 60_000,
                busy: *busy,
                waiting: *waiting,
            })
            .collect();
        let from = minutes
            .first()
            .map_or(newest, |m| m.at_ms / 60_000)
            .min(newest - SHOWN_MINUTES + 1);
        PrismaPool {
            status,
            latest: self.latest.map(|(at, figures)| PoolReading {
                at: super::super::rfc3339(at),
                figures,
            }),
            minutes,
            from_ms: from * 60_000,
            to_ms: newest * 60_000,
            retain_minutes: u32::try_from(self.retain_minutes).unwrap_or(u32::MAX),
            pattern_set,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy(busy: u64, waiting: Option<u64>) -> PoolFigures {
        PoolFigures {
            open: Some(10),
            busy,
            idle: None,
            waiting,
        }
    }

    #[test]
    fn each_minute_keeps_its_highest_and_old_minutes_are_forgotten() {
        let mut pool = PoolMinutes::new(120);
        let now = OffsetDateTime::now_utc();
        let newest = now.unix_timestamp().div_euclid(60);
        let ago = |minutes| now - time::Duration::minutes(minutes);
        pool.keep(ago(90), newest, busy(1, None));
        pool.keep(ago(1), newest, busy(4, Some(2)));
        pool.keep(ago(1), newest, busy(u64::MAX, Some(1)));
        pool.keep(now, newest, busy(3, None));
        // Written earlier than the latest: counted in its minute, not latest.
        pool.keep(ago(2), newest, busy(6, Some(0)));
        let snapshot = pool.snapshot(now, LogStatus::Watching, false);
        let shown: Vec<_> = snapshot
            .minutes
            .iter()
            .map(|m| (newest - m.at_ms / 60_000, m.busy, m.waiting))
            .collect();
        assert_eq!(
            shown,
            [
                (90, 1, None),
                (2, 6, Some(0)),
                (1, u64::MAX, Some(2)),
                (0, 3, None)
            ]
        );
        assert_eq!(snapshot.latest.map(|l| l.figures.busy), Some(3));
        assert_eq!(snapshot.from_ms, (newest - 90) * 60_000);
        assert_eq!(snapshot.to_ms, newest * 60_000);

        let later = now + time::Duration::minutes(100);
        pool.keep(later, newest + 100, busy(2, None));
        let snapshot = pool.snapshot(later, LogStatus::Watching, true);
        assert_eq!(
            snapshot.minutes.len(),
            4,
            "the minute 190 back is forgotten"
        );
        assert_eq!(
            snapshot.from_ms,
            (newest - 2) * 60_000,
            "from the oldest kept minute"
        );
        let empty = PoolMinutes::new(120).snapshot(now, LogStatus::Watching, false);
        assert_eq!(empty.latest, None);
        assert_eq!(
            empty.from_ms,
            (newest - SHOWN_MINUTES + 1) * 60_000,
            "an hour"
        );
    }
}
