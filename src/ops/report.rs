//! The deployment report: the audit log, the changelog's changes, the
//! probe results and the Monitor's kept minutes since the rollback before
//! this deployment, merged in time order (`events.rs`) and written as
//! Markdown (`markdown.rs`); the HTML is the Report page's own view.

mod events;
mod markdown;

pub use markdown::to_markdown;

use super::OpsError;
use super::history;
use super::migration::{Migration, run};
use crate::db::{Database, now_rfc3339};
use crate::model::{
    Action, AuditEntry, DeploymentReport, HistoryRange, MAX_EVENTS, RunKind, RunRecord,
};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

/// The forms a report is shared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One file with the app's stylesheet and the charts inline.
    Html,
    Markdown,
    Json,
}

impl Format {
    /// The format `word` names: `html`, `md` or `json`.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "html" => Some(Self::Html),
            "md" => Some(Self::Markdown),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    /// The download's file name and content type.
    pub fn file(self) -> (&'static str, &'static str) {
        match self {
            Self::Html => ("deployment-report.html", "text/html; charset=utf-8"),
            Self::Markdown => ("deployment-report.md", "text/markdown; charset=utf-8"),
            Self::Json => ("deployment-report.json", "application/json"),
        }
    }
}

/// Runs read to find where the deployment starts and its changes.
const RUNS_READ: i64 = 1_000;

/// The report of `migration`'s current deployment as of `now_ms`, with the
/// Monitor's minutes as far as `keep_days` keeps them.
pub async fn report(
    db: &Database,
    migration: &Migration,
    now_ms: i64,
    keep_days: u32,
) -> Result<DeploymentReport, OpsError> {
    let runs = db.runs(migration.name, RUNS_READ).await?;
    let rollback = rollback_before(&runs);
    let since = rollback.map(|(ended, _)| ended);
    let limit = i64::try_from(MAX_EVENTS + 1).unwrap_or(i64::MAX);
    let mut entries = db.audit_since(since, limit).await?;
    if let Some((ended, action)) = rollback {
        entries = after_own_entry(entries, ended, action);
    }
    let probes = db.probes_since(since, limit).await?;
    let mut merged = events::of_entries(entries);
    let in_deployment: Vec<&RunRecord> = runs
        .iter()
        .filter(|run| since.is_none_or(|since| at(&run.started_at) >= Some(since)))
        .collect();
    merged.extend(in_deployment.iter().flat_map(|run| events::of_run(run)));
    let plan = match in_deployment
        .iter()
        .find(|run| run.kind == RunKind::Migrate)
    {
        Some(migrate) => migrate.changes.clone(),
        None => run::pending(
            migration
                .changes
                .iter()
                .map(|change| (change.key(), change.describe())),
        ),
    };
    merged.extend(events::of_probes(&probes));
    merged.sort_by_cached_key(|event| at(&event.at));
    let tally = events::tally(&merged);
    let left_out = merged.len().saturating_sub(MAX_EVENTS);
    merged.truncate(MAX_EVENTS);
    let from_ms = since
        .or_else(|| merged.first().and_then(|event| at(&event.at)))
        .map_or(now_ms, millis);
    let history = history::over(db, HistoryRange::Deployment, from_ms, now_ms, keep_days).await?;
    Ok(DeploymentReport {
        migration: migration.name.to_owned(),
        database: db.name().to_owned(),
        generated_at: now_rfc3339(),
        since: since.and_then(|since| since.format(&Rfc3339).ok()),
        events: merged,
        left_out: u64::try_from(left_out).unwrap_or(u64::MAX),
        tally,
        plan,
        history,
    })
}

/// The rollback before the newest migrate run (`runs` are newest first):
/// when it ended, where this deployment starts, and the action its audit
/// entry is recorded under. `None` when there was none, or no migrate run
/// yet: the report starts with the records.
fn rollback_before(runs: &[RunRecord]) -> Option<(OffsetDateTime, Action)> {
    let newest_migrate = runs.iter().position(|run| run.kind == RunKind::Migrate)?;
    let rollback = runs[newest_migrate..]
        .iter()
        .find(|run| run.kind.is_rollback())?;
    let ended = at(rollback
        .finished_at
        .as_deref()
        .unwrap_or(&rollback.started_at))?;
    let action = match rollback.kind {
        RunKind::Restore => Action::StepRestore,
        _ => Action::StepRevert,
    };
    Some((ended, action))
}

/// How long after its run ends a rollback's own audit entry may be written.
const OWN_ENTRY_WITHIN: Duration = Duration::seconds(60);

/// `entries` (from `ended` on) without the rollback's own entry, written
/// just after its run ended, and anything before it: they belong to the
/// deployment the rollback ended.
fn after_own_entry(
    mut entries: Vec<AuditEntry>,
    ended: OffsetDateTime,
    action: Action,
) -> Vec<AuditEntry> {
    let own = entries
        .iter()
        .take_while(|entry| at(&entry.at).is_some_and(|at| at <= ended + OWN_ENTRY_WITHIN))
        .position(|entry| Action::parse(&entry.action) == Some(action));
    match own {
        Some(own) => entries.split_off(own + 1),
        None => entries,
    }
}

fn at(rfc3339: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(rfc3339, &Rfc3339).ok()
}

fn millis(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}
