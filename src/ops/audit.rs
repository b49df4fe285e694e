//! The audit log: who did what, to what, and how it ended. Entries are only
//! ever appended; `db` offers no way to change one, except the count of a
//! folded row: what a stranger's requests write is bounded (their targets
//! cut to `ANONYMOUS_TARGET_CHARS`, their refusals folded into one row per
//! address, action and outcome each hour), so a flood cannot grow the
//! database without bound.

use super::{OpsError, notices};
use crate::db::Database;
use crate::model::{Action, AuditEntry, AuditFilter, CurrentUser, Outcome, Role};

/// Most entries one listing returns.
pub const LIST_LIMIT: i64 = 1_000;
/// Longest target recorded for a request nobody signed in to make.
pub const ANONYMOUS_TARGET_CHARS: usize = 64;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(CurrentUser),
    /// The command line, named after the operating-system user.
    Cli(String),
    /// Nobody signed in, from this address (see `server::address_key`).
    Anonymous {
        address: String,
    },
}

impl Actor {
    /// The operating-system user running this process, as `cli:<name>`.
    pub fn from_os_user() -> Self {
        let name = std::env::var("USER")
            .or_else(|_| std::env::var("LOGNAME"))
            .unwrap_or_else(|_| "unknown".to_owned());
        Self::Cli(name)
    }

    pub fn name(&self) -> String {
        match self {
            Self::User(user) => user.username.clone(),
            Self::Cli(name) => format!("cli:{name}"),
            Self::Anonymous { .. } => "anonymous".to_owned(),
        }
    }

    /// Refuses unless this actor holds `role`; the command line, run by the
    /// operating-system user, holds every role.
    pub fn require(&self, role: Role) -> Result<(), OpsError> {
        match self {
            Self::User(user) if !user.role.includes(role) => Err(OpsError::Forbidden {
                required: role,
                actual: user.role,
            }),
            Self::Anonymous { .. } => Err(OpsError::Unauthenticated),
            Self::User(_) | Self::Cli(_) => Ok(()),
        }
    }
}

/// Records how `action` on `target` ended. A failed write of a refusal or a
/// failure is logged and does not hide the original outcome.
pub async fn record(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    result: Result<(), &OpsError>,
) -> Result<(), OpsError> {
    record_saying(db, actor, action, target, result, None).await
}

/// `record`, keeping what a success said (a tick's note, a step's summary)
/// as the entry's detail.
async fn record_saying(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    result: Result<(), &OpsError>,
    said: Option<&str>,
) -> Result<(), OpsError> {
    let outcome = outcome_of(result);
    let (error_code, detail) = match result {
        Ok(()) => (None, said.map(str::to_owned)),
        Err(error) => (Some(error.code()), Some(error.to_string())),
    };
    let address = match actor {
        Actor::Anonymous { address } => Some(address.clone()),
        Actor::User(_) | Actor::Cli(_) => None,
    };
    let target = match address {
        Some(_) => cut(target, ANONYMOUS_TARGET_CHARS),
        None => target,
    };
    let entry = AuditEntry {
        at: String::new(),
        actor: actor.name(),
        action: action.as_str().to_owned(),
        target: target.to_owned(),
        outcome,
        error_code,
        detail,
        address,
        count: 1,
    };
    let written = if entry.address.is_some() {
        db.fold_audit(&entry).await
    } else {
        db.append_audit(&entry).await
    };
    match (written, outcome) {
        (Ok(()), _) => Ok(()),
        (Err(error), Outcome::Ok) => Err(error.into()),
        (Err(error), _) => {
            tracing::error!(%error, action = action.as_str(), "could not write the audit entry of a refusal or failure");
            Ok(())
        }
    }
}

/// How `result` is recorded: a refusal before anything ran is `Denied`.
pub fn outcome_of(result: Result<(), &OpsError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Ok,
        Err(
            OpsError::Unauthenticated
            | OpsError::Forbidden { .. }
            | OpsError::ApprovalRequired { .. }
            | OpsError::RateLimited { .. },
        ) => Outcome::Denied,
        Err(_) => Outcome::Failed,
    }
}

/// The first `chars` characters of `text`.
pub fn cut(text: &str, chars: usize) -> &str {
    text.char_indices()
        .nth(chars)
        .map_or(text, |(end, _)| &text[..end])
}

/// Runs `work` and records its outcome under `action`. When `action` is a
/// step, its start and its end (or failure) are announced to the webhooks
/// (`notices`), and a filed four-eyes request too; announcing never waits.
pub async fn audited<T>(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    work: impl Future<Output = Result<T, OpsError>>,
) -> Result<T, OpsError> {
    audited_with(db, actor, action, target, work, |_| None).await
}

/// `audited`, where `summary` adds what a success says to its audit entry
/// and its end notice (a verification's failed checks, a tick's note).
pub async fn audited_with<T>(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    work: impl Future<Output = Result<T, OpsError>>,
    summary: impl FnOnce(&T) -> Option<String>,
) -> Result<T, OpsError> {
    starting(db, actor, action, target);
    let result = work.await;
    let said = result.as_ref().ok().and_then(summary);
    ended(db, actor, action, target, result.as_ref().map(|_| ()), said).await?;
    result
}

/// Announces that step `action` starts, for a step that records its end
/// with `ended` rather than through `audited`.
pub fn starting(db: &Database, actor: &Actor, action: Action, target: &str) {
    if let Some(notice) = notices::started(action, actor, target) {
        db.announce(&notice);
    }
}

/// Records how step `action` ended and announces it, with `said` added to
/// the entry and the notice.
pub async fn ended(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    outcome: Result<(), &OpsError>,
    said: Option<String>,
) -> Result<(), OpsError> {
    let recorded = record_saying(db, actor, action, target, outcome, said.as_deref()).await;
    if let Some(notice) = notices::ended(action, actor, target, outcome, said) {
        db.announce(&notice);
    }
    recorded
}

pub async fn list(db: &Database, filter: &AuditFilter) -> Result<Vec<AuditEntry>, OpsError> {
    Ok(db.list_audit(filter, LIST_LIMIT).await?)
}

/// The entries as CSV, with a header row.
pub fn to_csv(entries: &[AuditEntry]) -> Result<String, OpsError> {
    super::csv_export::to_csv(
        [
            "at",
            "actor",
            "action",
            "target",
            "outcome",
            "error_code",
            "detail",
            "address",
            "count",
        ],
        entries.iter().map(|entry| {
            [
                entry.at.clone(),
                entry.actor.clone(),
                entry.action.clone(),
                entry.target.clone(),
                entry.outcome.as_str().to_owned(),
                entry.error_code.clone().unwrap_or_default(),
                entry.detail.clone().unwrap_or_default(),
                entry.address.clone().unwrap_or_default(),
                entry.count.to_string(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields_with_commas_and_quotes() {
        let entry = AuditEntry {
            at: "2026-11-27T08:00:00Z".into(),
            actor: "ada".into(),
            action: "login".into(),
            target: String::new(),
            outcome: Outcome::Failed,
            error_code: Some("LOGIN_FAILED".into()),
            detail: Some("said \"no\", twice".into()),
            address: None,
            count: 1,
        };
        let csv = to_csv(&[entry]).expect("csv");
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("at,actor,action,target,outcome,error_code,detail,address,count")
        );
        assert_eq!(
            lines.next(),
            Some(
                "2026-11-27T08:00:00Z,ada,login,,failed,LOGIN_FAILED,\"said \"\"no\"\", twice\",,1"
            )
        );
    }

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("ab", 5), "ab");
    }
}
