//! The report's events from each record: an audited action, a run's
//! changes, the probe results where a request started or stopped failing;
//! and the tally of them.

use crate::model::{
    Action, AuditEntry, ChangeOutcome, EventSource, Outcome, ProbeResult, ReportEvent, ReportTally,
    RunKind, RunRecord,
};
use crate::ops::notices::THE_APP;
use std::collections::HashMap;

/// The audit entries that changed something, as events; a breach the
/// sampler recorded is an alert.
pub fn of_entries(entries: Vec<AuditEntry>) -> Vec<ReportEvent> {
    entries
        .into_iter()
        .filter_map(|entry| {
            let action = Action::parse(&entry.action);
            if action.is_some_and(Action::only_reads) {
                return None;
            }
            let what = if entry.target.is_empty() {
                entry.action
            } else {
                format!("{} {}", entry.action, entry.target)
            };
            let detail = match (entry.error_code, entry.detail) {
                (Some(code), Some(detail)) => Some(format!("{code}: {detail}")),
                (code, detail) => detail.or(code),
            };
            Some(ReportEvent {
                at: entry.at,
                source: match action {
                    Some(Action::MonitorBreach) => EventSource::Alert,
                    _ => EventSource::Action,
                },
                action,
                actor: entry.actor,
                what,
                outcome: entry.outcome,
                detail,
                duration_ms: None,
                link: action.map_or("/audit", Action::page).to_owned(),
            })
        })
        .collect()
}

/// Each change of `run` that started, at its start; one under way when
/// its run ended was cut short.
pub fn of_run(run: &RunRecord) -> Vec<ReportEvent> {
    let link = match run.kind {
        RunKind::Migrate | RunKind::Revert => "/runbook",
        RunKind::Restore => "/backups",
        RunKind::Dedupe | RunKind::DedupeUndo => "/duplicates",
    };
    let ended = run.finished_at.is_some();
    run.changes
        .iter()
        .filter_map(|change| {
            let at = change.started_at.clone()?;
            let (outcome, note) = match change.outcome {
                ChangeOutcome::Applied => (Outcome::Ok, None),
                ChangeOutcome::Skipped => (Outcome::Ok, Some("skipped: nothing to change")),
                ChangeOutcome::Failed => (Outcome::Failed, None),
                ChangeOutcome::Running | ChangeOutcome::Pending if ended => {
                    (Outcome::Failed, Some("cut short when its run ended"))
                }
                ChangeOutcome::Running | ChangeOutcome::Pending => return None,
            };
            let detail = change.error.clone().or(note.map(str::to_owned));
            Some(ReportEvent {
                at,
                source: EventSource::Change,
                action: None,
                actor: run.started_by.clone(),
                what: format!("{}: {}", run.kind.as_str(), change.description),
                outcome,
                detail,
                duration_ms: change.finished_at.as_ref().map(|_| change.duration_ms),
                link: link.to_owned(),
            })
        })
        .collect()
}

/// The results (oldest first) where a request's outcome turned: its
/// first failure, and its first pass after failing.
pub fn of_probes(results: &[ProbeResult]) -> Vec<ReportEvent> {
    let mut passing: HashMap<(&str, &str), bool> = HashMap::new();
    results
        .iter()
        .filter_map(|result| {
            let was = passing.insert((&result.method, &result.url), result.passed);
            if was.unwrap_or(true) == result.passed {
                return None;
            }
            let what = format!("{} {}", result.method, result.url);
            Some(ReportEvent {
                at: result.at.clone(),
                source: EventSource::Probe,
                action: None,
                actor: THE_APP.to_owned(),
                what: if result.passed {
                    format!("{what} passes again")
                } else {
                    format!("{what} fails")
                },
                outcome: if result.passed {
                    Outcome::Ok
                } else {
                    Outcome::Failed
                },
                detail: Some(result.reason.clone()),
                duration_ms: Some(result.latency_ms),
                link: "/forest-api".to_owned(),
            })
        })
        .collect()
}

pub fn tally(events: &[ReportEvent]) -> ReportTally {
    let mut tally = ReportTally::default();
    for event in events {
        let ok = event.outcome == Outcome::Ok;
        let count = match (event.source, event.action) {
            (EventSource::Alert, _) => &mut tally.alerts,
            (EventSource::Probe, _) if !ok => &mut tally.probe_failures,
            (EventSource::Action | EventSource::Change, _) if event.outcome == Outcome::Failed => {
                &mut tally.failures
            }
            (EventSource::Change, _) if ok => &mut tally.changes,
            (_, Some(action)) if ok => match action {
                Action::BackupCreate => &mut tally.backups,
                Action::ChecklistTick => &mut tally.ticks,
                Action::ChecklistAck => &mut tally.acknowledgements,
                Action::ApprovalApprove => &mut tally.approvals,
                Action::StepRevert | Action::StepRestore => &mut tally.rollbacks,
                Action::StepMigrate | Action::StepVerify | Action::StepRehearse => &mut tally.steps,
                Action::DedupeApply | Action::DedupeUndo => &mut tally.steps,
                _ => continue,
            },
            _ => continue,
        };
        *count = count.saturating_add(1);
    }
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(at: &str, passed: bool) -> ProbeResult {
        ProbeResult {
            at: at.to_owned(),
            method: "GET".to_owned(),
            url: "http://forest/api/health".to_owned(),
            expected_status: 200,
            status: passed.then_some(200),
            latency_ms: 3,
            passed,
            reason: if passed { "200 as expected" } else { "refused" }.to_owned(),
            body_excerpt: String::new(),
        }
    }

    #[test]
    fn a_probe_is_reported_when_it_starts_and_stops_failing() {
        let results = [
            probe("2026-12-01T10:00:00Z", true),
            probe("2026-12-01T10:01:00Z", false),
            probe("2026-12-01T10:02:00Z", false),
            probe("2026-12-01T10:03:00Z", true),
            probe("2026-12-01T10:04:00Z", true),
        ];
        let events = of_probes(&results);
        let seen: Vec<_> = events.iter().map(|e| (e.at.as_str(), e.outcome)).collect();
        assert_eq!(
            seen,
            [
                ("2026-12-01T10:01:00Z", Outcome::Failed),
                ("2026-12-01T10:03:00Z", Outcome::Ok),
            ]
        );
        assert_eq!(tally(&events).probe_failures, 1);
    }

    #[test]
    fn reads_are_left_out_and_a_breach_is_an_alert() {
        let entry = |action: &str, target: &str| AuditEntry {
            at: "2026-12-01T10:00:00Z".to_owned(),
            actor: "rm".to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            outcome: Outcome::Ok,
            error_code: None,
            detail: Some("note".to_owned()),
            address: None,
            count: 1,
        };
        let events = of_entries(vec![
            entry("checklist.read", ""),
            entry("checklist.tick", "staging-tested"),
            entry("monitor.breach", "forest.errors"),
            entry("an.older.action", ""),
        ]);
        let seen: Vec<_> = events
            .iter()
            .map(|e| (e.what.as_str(), e.source, e.link.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "checklist.tick staging-tested",
                    EventSource::Action,
                    "/checklist"
                ),
                (
                    "monitor.breach forest.errors",
                    EventSource::Alert,
                    "/monitor"
                ),
                ("an.older.action", EventSource::Action, "/audit"),
            ]
        );
        let tally = tally(&events);
        assert_eq!((tally.ticks, tally.alerts), (1, 1));
    }
}
