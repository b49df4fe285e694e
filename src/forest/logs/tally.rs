//! The counts the log watcher keeps: per minute (bounded to the retained
//! minutes), per watched route and minute (bounded to the shown minutes and
//! `ROUTES_PER_MINUTE` routes, each with a fixed-size response-time
//! histogram), the latest error lines and the watcher's own warnings (each
//! bounded), the Prisma pool's readings (`pool_minutes.rs`) and where the
//! watcher stands. Pure: no files here.

use super::line::{Level, LineEvent, Request};
use super::pool_minutes::PoolMinutes;
use crate::model::{ErrorLine, LogSnapshot, LogStatus, MinuteCounts, PrismaPool, RouteStats};
use hdrhistogram::Histogram;
use std::collections::{BTreeMap, HashMap, VecDeque};
use time::OffsetDateTime;

/// Minutes a snapshot shows.
pub const SHOWN_MINUTES: i64 = 60;
const KEPT_WARNINGS: usize = 20;
const ERROR_TEXT_CHARS: usize = 500;
/// Distinct routes kept a minute; the requests of any further route count
/// under `OTHER_ROUTES`, so odd paths cannot grow the memory.
pub const ROUTES_PER_MINUTE: usize = 20;
pub const OTHER_ROUTES: &str = "other watched routes";
/// Response times above ten minutes count as ten minutes.
const SLOWEST_MICROS: u64 = 600_000_000;
/// Two significant digits: a percentile is within 1% of the exact one,
/// and a histogram is about 12 KB (3 072 `u32` counts), so the route
/// counts never exceed `SHOWN_MINUTES` × (`ROUTES_PER_MINUTE` + 1) of them.
const SIGNIFICANT_DIGITS: u8 = 2;

/// One route's requests in one minute.
#[derive(Debug, Clone)]
struct RouteMinute {
    requests: u64,
    errors: u64,
    times: Histogram<u32>,
}

impl RouteMinute {
    fn new() -> Option<Self> {
        let times = Histogram::new_with_bounds(1, SLOWEST_MICROS, SIGNIFICANT_DIGITS)
            .inspect_err(|error| tracing::error!(%error, "cannot make a response-time histogram"))
            .ok()?;
        Some(Self {
            requests: 0,
            errors: 0,
            times,
        })
    }

    fn count(&mut self, request: &Request) {
        self.requests = self.requests.saturating_add(1);
        if request.status >= 500 {
            self.errors = self.errors.saturating_add(1);
        }
        if let Some(micros) = request.micros {
            self.times.saturating_record(micros);
        }
    }

    /// Adds `other` (same bounds, so the addition cannot fail but is checked).
    fn add(&mut self, other: &Self) {
        self.requests = self.requests.saturating_add(other.requests);
        self.errors = self.errors.saturating_add(other.errors);
        if let Err(error) = self.times.add(&other.times) {
            tracing::error!(%error, "cannot add response-time histograms");
        }
    }

    fn stats(&self, route: String) -> RouteStats {
        let at =
            |quantile| (!self.times.is_empty()).then(|| self.times.value_at_quantile(quantile));
        RouteStats {
            route,
            requests: self.requests,
            errors: self.errors,
            p50_micros: at(0.50),
            p95_micros: at(0.95),
            p99_micros: at(0.99),
        }
    }
}

#[derive(Debug)]
pub struct Tally {
    status: LogStatus,
    folder: Option<String>,
    files: Vec<String>,
    /// Unix minute → counts.
    minutes: BTreeMap<i64, MinuteCounts>,
    /// Unix minute → route → its requests, for the shown minutes only.
    routes: BTreeMap<i64, HashMap<String, RouteMinute>>,
    errors: VecDeque<ErrorLine>,
    warnings: VecDeque<String>,
    pool: PoolMinutes,
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
            routes: BTreeMap::new(),
            errors: VecDeque::new(),
            warnings: VecDeque::new(),
            pool: PoolMinutes::new(i64::from(retain_minutes)),
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
        if let Some(request) = &event.request {
            self.count_request(minute, newest, request);
        }
        if let Some(figures) = event.pool {
            self.pool.keep(at, newest, figures);
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

    fn count_request(&mut self, minute: i64, newest: i64, request: &Request) {
        if minute <= newest - SHOWN_MINUTES {
            return;
        }
        let routes = self.routes.entry(minute).or_default();
        let key = if routes.contains_key(&request.route) || routes.len() < ROUTES_PER_MINUTE {
            request.route.as_str()
        } else {
            OTHER_ROUTES
        };
        if !routes.contains_key(key) {
            let Some(fresh) = RouteMinute::new() else {
                return;
            };
            routes.insert(key.to_owned(), fresh);
        }
        if let Some(route) = routes.get_mut(key) {
            route.count(request);
        }
        while self
            .routes
            .first_key_value()
            .is_some_and(|(first, _)| *first <= newest - SHOWN_MINUTES)
        {
            self.routes.pop_first();
        }
    }

    /// Each route's requests over the shown minutes up to `now`, busiest first.
    fn route_stats(&self, newest: i64) -> Vec<RouteStats> {
        let mut merged: BTreeMap<&str, RouteMinute> = BTreeMap::new();
        for routes in self
            .routes
            .range(newest - SHOWN_MINUTES + 1..=newest)
            .map(|(_, r)| r)
        {
            for (route, counts) in routes {
                match merged.get_mut(route.as_str()) {
                    Some(sum) => sum.add(counts),
                    None => {
                        merged.insert(route, counts.clone());
                    }
                }
            }
        }
        let mut stats: Vec<RouteStats> = merged
            .into_iter()
            .map(|(route, counts)| counts.stats(route.to_owned()))
            .collect();
        stats.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.route.cmp(&b.route)));
        stats
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
                counts.at_ms = minute * 60_000;
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
            routes: self.route_stats(newest),
        }
    }

    /// The Prisma pool's readings as of `now`.
    pub fn pool(&self, now: OffsetDateTime, pattern_set: bool) -> PrismaPool {
        self.pool.snapshot(now, self.status, pattern_set)
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
            request: None,
            pool: None,
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

    fn request(route: &str, status: u16, micros: Option<u64>) -> LineEvent {
        LineEvent {
            at: None,
            level: Level::Other,
            message: String::new(),
            synced: false,
            synced_count: None,
            conflict: false,
            request: Some(Request {
                route: route.to_owned(),
                status,
                micros,
            }),
            pool: None,
        }
    }

    /// The exact nearest-rank percentile of `sorted`.
    fn exact(sorted: &[u64], quantile: f64) -> u64 {
        let rank = (quantile * sorted.len() as f64).ceil() as usize;
        sorted[rank.max(1) - 1]
    }

    #[test]
    fn route_percentiles_are_within_one_percent_of_the_exact_ones() {
        let mut tally = Tally::new(Some("logs".into()), 60, 10);
        let now = OffsetDateTime::now_utc();
        // A skewed spread of response times, from 50 µs to about 2 s.
        let mut seed = 7_u64;
        let mut times: Vec<u64> = (0..2_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let unit = (seed >> 33) % 1_000;
                50 + unit * unit * 2
            })
            .collect();
        for (i, micros) in times.iter().enumerate() {
            let status = if i % 10 == 0 { 502 } else { 200 };
            tally.count(
                now - time::Duration::minutes((i % 30) as i64),
                "a.log",
                request("GET /api/sync/tasks", status, Some(*micros)),
            );
        }
        // Counted, but with no time: not in the percentiles.
        tally.count(now, "a.log", request("GET /api/sync/tasks", 200, None));
        tally.count(
            now,
            "a.log",
            request("POST /api/sync/tasks", 409, Some(u64::MAX)),
        );
        times.sort_unstable();
        let routes = tally.snapshot(now).routes;
        assert_eq!(routes.len(), 2);
        let tasks = &routes[0];
        assert_eq!(
            (tasks.route.as_str(), tasks.requests, tasks.errors),
            ("GET /api/sync/tasks", 2_001, 200)
        );
        for (quantile, got) in [
            (0.50, tasks.p50_micros),
            (0.95, tasks.p95_micros),
            (0.99, tasks.p99_micros),
        ] {
            let want = exact(&times, quantile);
            let got = got.expect("timed requests");
            assert!(
                want <= got && got <= want + want / 100 + 1,
                "p{quantile}: {got} vs {want}"
            );
        }
        let huge = &routes[1];
        assert_eq!(
            (huge.requests, huge.errors),
            (1, 0),
            "409 is not a server error"
        );
        assert_eq!(
            huge.p99_micros.map(|m| m >= SLOWEST_MICROS),
            Some(true),
            "clamped at the top"
        );
    }

    #[test]
    fn routes_beyond_the_bound_count_as_other_and_old_minutes_are_forgotten() {
        let mut tally = Tally::new(Some("logs".into()), 60, 10);
        let now = OffsetDateTime::now_utc();
        for i in 0..ROUTES_PER_MINUTE + 5 {
            tally.count(
                now,
                "a.log",
                request(&format!("GET /api/sync/r{i}"), 200, Some(1)),
            );
        }
        let routes = tally.snapshot(now).routes;
        assert_eq!(routes.len(), ROUTES_PER_MINUTE + 1);
        let histogram = RouteMinute::new().expect("histogram").times;
        assert_eq!(histogram.distinct_values(), 3_072, "the size the docs give");
        assert_eq!(
            (routes[0].route.as_str(), routes[0].requests),
            (OTHER_ROUTES, 5)
        );
        let later = now + time::Duration::minutes(SHOWN_MINUTES);
        tally.count(later, "a.log", request("GET /api/sync/new", 200, None));
        assert_eq!(tally.routes.len(), 1, "the old minute is forgotten");
        let routes = tally.snapshot(later).routes;
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].p50_micros, None, "no time logged");
    }
}
