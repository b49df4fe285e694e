//! Four-eyes: when the setting is on, a rollback, a restore, a backup's
//! deletion, switching four-eyes off, and any change that hands out an
//! admin's powers, asked for by one admin, runs only after a *different*
//! admin approves it, one whose admin powers are older than the approver
//! wait (24 hours), so that an admin made for the purpose cannot approve.
//! The check sits where the action executes (`authorize`), so no second
//! path (CLI, API, a retried request) can skip it; an approval is used up
//! by its first run and expires.

use super::OpsError;
use super::audit::{self, Actor};
use crate::db::Database;
use crate::model::{Action, AppSettings, Approval, CurrentUser};
use std::time::{Duration, SystemTime};

/// How long a request waits for its approval, and an approval for its run.
pub const APPROVAL_LIFETIME: Duration = Duration::from_secs(30 * 60);

pub async fn settings(db: &Database) -> Result<AppSettings, OpsError> {
    Ok(db.app_settings().await?)
}

/// Switching on is always allowed; switching off needs a second admin
/// while it is on.
pub async fn set_four_eyes(db: &Database, actor: &Actor, enabled: bool) -> Result<(), OpsError> {
    let target = if enabled { "on" } else { "off" };
    audit::audited(db, actor, Action::SettingsFourEyes, target, async {
        if !enabled {
            let plan = "switch four-eyes off: from then on rollbacks, restores, backup \
                        deletions and new admins need no second admin";
            authorize(db, actor, Action::SettingsFourEyesOff, "four-eyes", plan).await?;
        }
        Ok(db.set_four_eyes(enabled).await?)
    })
    .await
}

/// Records `requester`'s wish to run `action` on `target`; `plan` is exactly
/// what will run, for the approver to read.
pub async fn request(
    db: &Database,
    requester: &CurrentUser,
    action: Action,
    target: &str,
    plan: &str,
) -> Result<Approval, OpsError> {
    let actor = Actor::User(requester.clone());
    audit::audited(db, &actor, Action::ApprovalRequest, target, async {
        Ok(db
            .insert_approval(
                action.as_str(),
                target,
                plan,
                &requester.username,
                APPROVAL_LIFETIME,
            )
            .await?)
    })
    .await
}

pub async fn open_approvals(db: &Database) -> Result<Vec<Approval>, OpsError> {
    Ok(db.open_approvals().await?)
}

/// A second admin approves request `id`. An admin whose powers are younger
/// than `approver_wait` (created, promoted, re-enabled or given a new
/// password since) cannot.
pub async fn approve(
    db: &Database,
    approver: &CurrentUser,
    id: &str,
    approver_wait: Duration,
) -> Result<Approval, OpsError> {
    let actor = Actor::User(approver.clone());
    audit::audited(db, &actor, Action::ApprovalApprove, id, async {
        let Some(found) = db.find_approval(id).await? else {
            return Err(OpsError::NotFound(format!("the approval request {id}")));
        };
        if found.requested_by == approver.username {
            return Err(OpsError::Conflict(
                "you asked for this action yourself; a different admin must approve it".to_owned(),
            ));
        }
        let since = db
            .find_account(&approver.username)
            .await?
            .and_then(|account| account.admin_since);
        let young = since.is_some_and(|since| {
            SystemTime::now()
                .duration_since(since)
                .map_or(true, |age| age < approver_wait)
        });
        if young {
            return Err(OpsError::Conflict(format!(
                "your admin powers are younger than {} hours; an admin who has held them longer \
                 must approve this",
                approver_wait.as_secs() / 3_600
            )));
        }
        db.approve(id, &approver.username).await?.ok_or_else(|| {
            OpsError::Conflict(
                "this request is no longer open: already approved, used or expired".to_owned(),
            )
        })
    })
    .await
}

/// The gate every guarded action passes before it changes anything. With
/// four-eyes off it lets everyone through (`None`); with it on it uses up
/// one approval of exactly this action and target that the actor asked for
/// and another admin approved, or refuses. A person it refuses has their
/// request filed, with `plan` (what will run) for the approver to read,
/// unless one of theirs is already waiting; asking again once it is
/// approved runs the action.
pub async fn authorize(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    plan: &str,
) -> Result<Option<Approval>, OpsError> {
    if !db.app_settings().await?.four_eyes {
        return Ok(None);
    }
    let consumed = match actor {
        Actor::User(user) => {
            db.consume_approval(action.as_str(), target, &user.username)
                .await?
        }
        Actor::Cli(_) | Actor::Anonymous { .. } => None,
    };
    let result = consumed.ok_or_else(|| OpsError::ApprovalRequired {
        action: action.as_str().to_owned(),
    });
    let outcome = result.as_ref().map(|_| ());
    audit::record(db, actor, Action::ApprovalUse, target, outcome).await?;
    if let (Err(_), Actor::User(user)) = (&result, actor) {
        let waiting = db.open_approvals().await?.into_iter().any(|a| {
            a.action == action.as_str() && a.target == target && a.requested_by == user.username
        });
        if !waiting {
            request(db, user, action, target, plan).await?;
        }
    }
    result.map(Some)
}
