//! The migration steps on the command line: run one, print its result as
//! text or JSON (migrate and revert showing their progress as they go),
//! and tell `main` whether it succeeded (the exit code).

pub mod backup;
pub mod checklist;
pub mod dedupe;
pub mod prisma;
pub mod rehearse;
pub mod watch;

use crate::cli::StepArgs;
use crate::db::Database;
use crate::model::{ChangeStatus, Plan, RunRecord, Verification, VerifyCheck};
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::backup::BackupStore;
use crate::ops::migration;
use crate::ops::prisma::PrismaSource;

/// Which step to run.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Plan,
    Migrate { without_backup: &'a str },
    Verify,
    Revert { confirmation: &'a str },
}

/// Runs `step` and prints its result; `Ok(false)` when it ran but did not pass.
pub async fn run(
    db: &Database,
    (backups, prisma): (&BackupStore, &PrismaSource),
    step: Step<'_>,
    args: &StepArgs,
) -> Result<bool, OpsError> {
    let migration = migration::find(&args.migration)?;
    let actor = Actor::from_os_user();
    match step {
        Step::Plan => {
            let plan = migration::dry_run(db, &actor, migration, (backups, prisma)).await?;
            print(args.json, &plan, render_plan)?;
            Ok(plan.blockers.is_empty())
        }
        Step::Migrate { without_backup } => {
            let migrate =
                migration::migrate_checked(db, &actor, migration, backups, without_backup);
            let run = watched_run(db, migration, args.json, migrate).await?;
            print(args.json, &run, render_run)?;
            Ok(true)
        }
        Step::Verify => {
            let verification = migration::verify(db, &actor, migration, backups, prisma).await?;
            print(args.json, &verification, render_verification)?;
            Ok(verification.passed)
        }
        Step::Revert { confirmation } => {
            let revert = migration::revert(db, &actor, migration, confirmation, backups);
            let run = watched_run(db, migration, args.json, revert).await?;
            print(args.json, &run, render_run)?;
            Ok(true)
        }
    }
}

/// Runs `step`, showing its changelog run as it goes (see `watch`).
pub(crate) async fn watched_run<T>(
    db: &Database,
    migration: &migration::Migration,
    json: bool,
    step: impl Future<Output = Result<T, OpsError>>,
) -> Result<T, OpsError> {
    let reader = watch::RunReader::new(db, migration.name).await?;
    let display = watch::Display::new(json);
    watch::while_running(&display, step, async || reader.read().await).await
}

pub(crate) fn print<T: serde::Serialize + ?Sized>(
    json: bool,
    value: &T,
    render: fn(&T) -> String,
) -> Result<(), OpsError> {
    if json {
        let text =
            serde_json::to_string_pretty(value).map_err(|e| OpsError::Internal(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{}", render(value));
    }
    Ok(())
}

fn render_plan(plan: &Plan) -> String {
    let mut out = format!(
        "{} ({})\nserver {} · {} · state {}\n\nChanges:\n",
        plan.migration,
        &plan.checksum[..12],
        plan.server_version,
        plan.topology,
        plan.state
    );
    for change in &plan.changes {
        let status = match &change.status {
            ChangeStatus::Present => "skip (present)".to_owned(),
            ChangeStatus::Absent => "will run".to_owned(),
            ChangeStatus::Conflict { reason } => format!("CONFLICT: {reason}"),
        };
        out += &format!(
            "  - {}: {status}\n    {}\n",
            change.description, change.command
        );
    }
    out += "\nUnique keys:\n";
    for d in &plan.duplicates {
        out += &format!("  - {}\n", d.summary());
    }
    out += &match &plan.recent_backup {
        Some(backup) => format!("\nRecent verified backup: {backup}\n"),
        None => format!(
            "\nNo verified backup from the last {} hours: take one first (forest-runbook backup).\n",
            plan.backup_window_hours
        ),
    };
    if let Some(prisma) = &plan.prisma {
        out += &format!("\n{}", render_check(prisma));
    }
    if let Some(lock) = &plan.lock {
        out += &format!("\nLock held by {} since {}\n", lock.owner, lock.since);
    }
    if plan.blockers.is_empty() {
        out += "\nReady: migrate would run.\n";
    } else {
        out += "\nMigrate would refuse:\n";
        for blocker in &plan.blockers {
            out += &format!("  - {blocker}\n");
        }
    }
    out
}

fn render_run(run: &RunRecord) -> String {
    let mut out = format!(
        "{} {} by {}: {}\n",
        run.kind, run.migration, run.started_by, run.state
    );
    for change in &run.changes {
        out += &format!(
            "  - {}: {:?} ({} ms)\n",
            change.description, change.outcome, change.duration_ms
        );
    }
    out
}

fn render_verification(verification: &Verification) -> String {
    let mut out = format!(
        "verify {}: {}\n",
        verification.migration,
        if verification.passed {
            "passed"
        } else {
            "FAILED"
        }
    );
    for check in &verification.checks {
        out += &format!("  {}", render_check(check));
    }
    out
}

fn render_check(check: &VerifyCheck) -> String {
    let mark = match (check.passed, check.warning) {
        (true, _) => "pass",
        (false, true) => "warn",
        (false, false) => "FAIL",
    };
    let more = check
        .link
        .as_ref()
        .map_or(String::new(), |link| format!(" (see {link})"));
    format!("[{mark}] {}: {}{more}\n", check.name, check.evidence)
}
