//! What people are told, and when: which audited actions are steps (their
//! start, end or failure), a four-eyes request, a failing probe round, a
//! threshold newly breached, and an admin's test. Each notice goes to
//! `Database::announce`, which never waits; `notify/` delivers it.

use super::OpsError;
use super::audit::{self, Actor, outcome_of};
use crate::db::{Database, now_rfc3339};
use crate::model::{Action, Alert, Notice, NoticeKind, NotificationsOverview, ProbeResult};

/// Deliveries the Settings page shows.
const SHOWN_DELIVERIES: i64 = 50;

/// The audited actions that are steps: the step's name in a notice and
/// the page that shows it. `BackupStart` and `RestoreStart` only prepare
/// the background job, whose own `BackupCreate` or `StepRestore` is
/// announced.
fn step_of(action: Action) -> Option<(&'static str, &'static str)> {
    Some(match action {
        Action::BackupCreate => ("backup", "/backups"),
        Action::BackupVerify => ("backup verification", "/backups"),
        Action::StepRestore => ("restore", "/backups"),
        Action::StepMigrate => ("migrate", "/runbook"),
        Action::StepVerify => ("verify", "/runbook"),
        Action::StepRevert => ("revert", "/runbook"),
        Action::StepRehearse => ("rehearsal", "/runbook#rehearsal"),
        Action::DedupeApply => ("duplicate cleanup", "/duplicates"),
        Action::DedupeUndo => ("undo of a duplicate cleanup", "/duplicates"),
        _ => return None,
    })
}

fn on(target: &str) -> String {
    if target.is_empty() {
        String::new()
    } else {
        format!(" ({target})")
    }
}

/// Who acts when no person does: the sampler, the scheduled probe rounds.
pub const THE_APP: &str = "forest-runbook";

fn notice(kind: NoticeKind, actor: &str, message: String, path: &str) -> Notice {
    Notice {
        kind,
        step: None,
        actor: actor.to_owned(),
        outcome: None,
        message,
        at: now_rfc3339(),
        path: path.to_owned(),
    }
}

/// The notice that `action` on `target` has started, when it is a step.
pub(super) fn started(action: Action, actor: &Actor, target: &str) -> Option<Notice> {
    let (step, path) = step_of(action)?;
    let message = format!("{} started the {step}{}", actor.name(), on(target));
    Some(Notice {
        step: Some(step.to_owned()),
        ..notice(NoticeKind::StepStarted, &actor.name(), message, path)
    })
}

/// The notice of how `action` on `target` ended, when it is a step or a
/// four-eyes request that was filed.
pub(super) fn ended(
    action: Action,
    actor: &Actor,
    target: &str,
    result: Result<(), &OpsError>,
    summary: Option<String>,
) -> Option<Notice> {
    if action == Action::ApprovalRequest {
        let message = format!(
            "{} asks a second admin to approve{}",
            actor.name(),
            on(target)
        );
        return result.is_ok().then(|| {
            notice(
                NoticeKind::ApprovalRequested,
                &actor.name(),
                message,
                "/settings",
            )
        });
    }
    let (step, path) = step_of(action)?;
    let (kind, message) = match result {
        Ok(()) => (
            NoticeKind::StepEnded,
            match summary {
                Some(summary) => format!("the {step}{} finished: {summary}", on(target)),
                None => format!("the {step}{} finished", on(target)),
            },
        ),
        Err(error) => (
            NoticeKind::StepFailed,
            format!("the {step}{} failed: {error}", on(target)),
        ),
    };
    Some(Notice {
        step: Some(step.to_owned()),
        outcome: Some(outcome_of(result).as_str().to_owned()),
        ..notice(kind, &actor.name(), message, path)
    })
}

/// One notice for a probe round with failures, naming each; `actor` is
/// who asked for the round (`THE_APP` for a scheduled one).
pub fn probe_failed(actor: &str, results: &[ProbeResult]) -> Option<Notice> {
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{} {}: {}", r.method, r.url, r.reason))
        .collect();
    if failed.is_empty() {
        return None;
    }
    let message = format!(
        "{} of {} Forest API probes failed: {}",
        failed.len(),
        results.len(),
        failed.join("; ")
    );
    Some(notice(
        NoticeKind::ProbeFailed,
        actor,
        message,
        "/forest-api",
    ))
}

/// A threshold the newest sample breaches.
pub fn breached(alert: &Alert) -> Notice {
    let message = format!(
        "threshold breached: {} (now {})",
        alert.threshold.describe(),
        alert.value
    );
    notice(NoticeKind::ThresholdBreached, THE_APP, message, "/monitor")
}

/// What an admin's "send a test notification" sends.
pub fn test(actor: &Actor) -> Notice {
    let message = format!(
        "test notification sent by {} from the Settings page",
        actor.name()
    );
    notice(NoticeKind::Test, &actor.name(), message, "/settings")
}

/// The webhooks (scheme and host only), the drops and the newest deliveries.
pub async fn overview(db: &Database) -> Result<NotificationsOverview, OpsError> {
    Ok(NotificationsOverview {
        webhooks: db.outbox().webhooks(),
        dropped: db.outbox().dropped(),
        deliveries: db.recent_deliveries(SHOWN_DELIVERIES).await?,
    })
}

/// Queues a test notice for every webhook, audited as `notify.test`; its
/// delivery shows among the deliveries once it ends.
pub async fn send_test(db: &Database, actor: &Actor) -> Result<(), OpsError> {
    audit::audited(db, actor, Action::NotifyTest, "", async {
        if db.outbox().webhooks().is_empty() {
            return Err(OpsError::Conflict(
                "no webhook is configured: set [notify] webhooks (FOREST_NOTIFY__WEBHOOKS)"
                    .to_owned(),
            ));
        }
        db.announce(&test(actor));
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> Actor {
        Actor::Cli("ops".into())
    }

    #[test]
    fn steps_announce_start_and_end_other_actions_nothing() {
        let start =
            started(Action::StepMigrate, &cli(), "add_mobile_sync_support").expect("a step");
        assert_eq!(start.kind, NoticeKind::StepStarted);
        assert_eq!(start.step.as_deref(), Some("migrate"));
        assert_eq!(start.path, "/runbook");
        assert!(started(Action::ChecklistTick, &cli(), "x").is_none());
        assert!(started(Action::ApprovalRequest, &cli(), "x").is_none());
        let end = ended(Action::BackupCreate, &cli(), "b1", Ok(()), None).expect("a step");
        assert_eq!(
            (end.kind, end.outcome.as_deref()),
            (NoticeKind::StepEnded, Some("ok"))
        );
        let error = OpsError::Conflict("the lock is held".into());
        let failed = ended(Action::StepRevert, &cli(), "", Err(&error), None).expect("a step");
        assert_eq!(failed.kind, NoticeKind::StepFailed);
        assert_eq!(failed.outcome.as_deref(), Some("failed"));
        assert!(
            failed.message.contains("the lock is held"),
            "{}",
            failed.message
        );
        assert!(ended(Action::UserCreate, &cli(), "x", Ok(()), None).is_none());
    }

    #[test]
    fn a_filed_four_eyes_request_is_announced_a_refused_one_is_not() {
        let filed =
            ended(Action::ApprovalRequest, &cli(), "restore b1", Ok(()), None).expect("filed");
        assert_eq!(filed.kind, NoticeKind::ApprovalRequested);
        let error = OpsError::Conflict("no".into());
        assert!(ended(Action::ApprovalRequest, &cli(), "x", Err(&error), None).is_none());
    }
}
