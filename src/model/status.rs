//! The deployment at a glance (the Home page and `GET /api/status`): where
//! the migration stands, the checklist, the latest evidence, and the one
//! go/no-go line a person or a chat bot reads first.

use super::{Blocker, Evidence, ItemStatus, MigrationProgress, MigrationState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentStatus {
    /// RFC 3339: when this was read.
    pub at: String,
    pub migration: MigrationProgress,
    pub checklist: ChecklistGlance,
    /// Why migrate would refuse to start now (empty when it would start).
    pub blockers: Vec<Blocker>,
    pub last_backup: Option<Evidence>,
    pub last_verification: Option<Evidence>,
    pub last_probe: Option<Evidence>,
    pub logs: LogGlance,
    /// The thresholds still in breach, as sentences.
    pub alerts: Vec<String>,
    pub verdict: Verdict,
}

/// The checklist in one line: how many of how many, and what is not done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistGlance {
    pub done: usize,
    pub total: usize,
    pub open: Vec<String>,
    pub needs_attention: Vec<String>,
}

impl ChecklistGlance {
    pub fn from_items<'a>(items: impl IntoIterator<Item = (&'a str, ItemStatus)>) -> Self {
        let mut glance = Self {
            done: 0,
            total: 0,
            open: Vec::new(),
            needs_attention: Vec::new(),
        };
        for (title, status) in items {
            glance.total += 1;
            match status {
                status if status.is_done() => glance.done += 1,
                ItemStatus::NeedsAttention => glance.needs_attention.push(title.to_owned()),
                _ => glance.open.push(title.to_owned()),
            }
        }
        glance
    }
}

/// The Forest server's logs over the last minutes the watcher kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGlance {
    /// Why there are no counts (no folder configured, ...), if so.
    pub unavailable: Option<String>,
    pub minutes: usize,
    pub errors: u64,
    pub conflicts: u64,
    pub synced_tasks: u64,
}

/// The call a person acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// Migrate can start: nothing blocks it and nothing is failing.
    Go,
    /// Something blocks the next step or is failing.
    NoGo,
    /// A step is running.
    Running,
    /// Migrated, and every checklist item is done.
    Complete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    pub call: Call,
    /// What the call rests on, to read after its label ("Go: …").
    pub line: String,
    pub reasons: Vec<String>,
}

impl Call {
    pub fn label(self) -> &'static str {
        match self {
            Self::Go => "Go",
            Self::NoGo => "No-go",
            Self::Running => "Running",
            Self::Complete => "Complete",
        }
    }
}

/// The go/no-go call from the parts a person would weigh.
pub fn verdict(
    migration: &MigrationProgress,
    checklist: &ChecklistGlance,
    blockers: &[Blocker],
    last_probe: Option<&Evidence>,
    alerts: &[String],
) -> Verdict {
    let tally = format!(
        "{} of {} checklist items done",
        checklist.done, checklist.total
    );
    if migration.state == MigrationState::Running {
        let step = migration.running_step.as_deref().unwrap_or("a step");
        return Verdict {
            call: Call::Running,
            line: format!(
                "{step} ({} of {} changes done); {tally}.",
                migration.done, migration.total
            ),
            reasons: Vec::new(),
        };
    }
    let mut reasons: Vec<String> = checklist
        .needs_attention
        .iter()
        .map(|item| format!("needs attention: {item}"))
        .collect();
    if let Some(probe) = last_probe.filter(|probe| !probe.passed) {
        reasons.push(format!(
            "the Forest API's latest probe failed: {}",
            probe.summary
        ));
    }
    reasons.extend(alerts.iter().map(|alert| format!("alert: {alert}")));
    if migration.state == MigrationState::Applied {
        if reasons.is_empty() && checklist.open.is_empty() {
            return Verdict {
                call: Call::Complete,
                line: format!("migrated and {tally}."),
                reasons,
            };
        }
        reasons.extend(checklist.open.iter().map(|item| format!("open: {item}")));
        return Verdict {
            call: Call::NoGo,
            line: format!("migrated, not complete: {tally}."),
            reasons,
        };
    }
    reasons.splice(0..0, blockers.iter().map(Blocker::to_string));
    if reasons.is_empty() {
        Verdict {
            call: Call::Go,
            line: format!("migrate can start; {tally}."),
            reasons,
        }
    } else {
        Verdict {
            call: Call::NoGo,
            line: format!("{} to resolve first; {tally}.", reasons.len()),
            reasons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(state: MigrationState) -> MigrationProgress {
        MigrationProgress {
            migration: "m".to_owned(),
            state,
            running_step: Some("create index Task_clientId_key on tasks".to_owned()),
            done: 4,
            total: 6,
        }
    }

    fn checklist(done: usize, open: &[&str], attention: &[&str]) -> ChecklistGlance {
        ChecklistGlance {
            done,
            total: 6,
            open: open.iter().map(|s| (*s).to_owned()).collect(),
            needs_attention: attention.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn probe(passed: bool) -> Evidence {
        Evidence {
            summary: "GET /api/health answered 503".to_owned(),
            at: String::new(),
            passed,
            href: "/forest-api".to_owned(),
        }
    }

    #[test]
    fn a_running_step_is_named_with_its_progress() {
        let v = verdict(
            &progress(MigrationState::Running),
            &checklist(1, &[], &[]),
            &[],
            None,
            &[],
        );
        assert_eq!(v.call, Call::Running);
        assert_eq!(
            v.line,
            "create index Task_clientId_key on tasks (4 of 6 changes done); 1 of 6 checklist items done."
        );
    }

    #[test]
    fn blockers_failing_probes_and_alerts_make_it_no_go_in_that_order() {
        let v = verdict(
            &progress(MigrationState::Pending),
            &checklist(
                1,
                &["Backup database"],
                &["Monitor error logs during deployment"],
            ),
            &[Blocker::Duplicated {
                key: "tasks.clientId".to_owned(),
                values: 49,
                first: vec!["c-1".to_owned()],
            }],
            Some(&probe(false)),
            &["connections/current above 100".to_owned()],
        );
        assert_eq!(v.call, Call::NoGo);
        assert_eq!(v.line, "4 to resolve first; 1 of 6 checklist items done.");
        assert_eq!(
            v.reasons,
            [
                "tasks.clientId has 49 duplicated values (first: c-1); see the Duplicates page",
                "needs attention: Monitor error logs during deployment",
                "the Forest API's latest probe failed: GET /api/health answered 503",
                "alert: connections/current above 100",
            ]
        );
    }

    #[test]
    fn nothing_in_the_way_is_go_and_open_items_do_not_block_the_start() {
        let v = verdict(
            &progress(MigrationState::Pending),
            &checklist(1, &["Verify API endpoints work"], &[]),
            &[],
            Some(&probe(true)),
            &[],
        );
        assert_eq!(v.call, Call::Go);
        assert!(v.reasons.is_empty());
    }

    #[test]
    fn migrated_is_complete_only_with_every_item_done() {
        let open = verdict(
            &progress(MigrationState::Applied),
            &checklist(5, &["Test rollback procedure in staging"], &[]),
            &[],
            None,
            &[],
        );
        assert_eq!(open.call, Call::NoGo);
        assert_eq!(open.reasons, ["open: Test rollback procedure in staging"]);
        let done = verdict(
            &progress(MigrationState::Applied),
            &checklist(6, &[], &[]),
            &[],
            Some(&probe(true)),
            &[],
        );
        assert_eq!(done.call, Call::Complete);
        assert_eq!(done.line, "migrated and 6 of 6 checklist items done.");
    }

    #[test]
    fn the_glance_counts_items_by_status() {
        let glance = ChecklistGlance::from_items([
            ("a", ItemStatus::Done),
            ("b", ItemStatus::Open),
            ("c", ItemStatus::NeedsAttention),
        ]);
        assert_eq!((glance.done, glance.total), (1, 3));
        assert_eq!(glance.open, ["b"]);
        assert_eq!(glance.needs_attention, ["c"]);
    }
}
