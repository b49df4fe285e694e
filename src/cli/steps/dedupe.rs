//! `dedupe` on the command line: the plan (every document that would
//! change), `--apply` and `undo` with their progress on standard error
//! (`watch`), as text or JSON.

use super::{print, watched_run};
use crate::cli::{DedupeArgs, DedupeCommand};
use crate::db::Database;
use crate::model::{DedupeOutcome, DedupePlan, ReportPage, UndoOutcome};
use crate::ops::audit::Actor;
use crate::ops::backup::BackupStore;
use crate::ops::dedupe::{self, Options};
use crate::ops::{OpsError, migration};

/// Runs what `args` ask; `Ok(false)` when duplicates remain after applying.
pub async fn run(
    db: &Database,
    backups: &BackupStore,
    args: &DedupeArgs,
) -> Result<bool, OpsError> {
    let actor = Actor::from_os_user();
    if let Some(DedupeCommand::Undo { run, confirm, step }) = &args.action {
        let migration = migration::find(&step.migration)?;
        let undo = dedupe::undo(db, &actor, migration, run.as_deref(), confirm, backups);
        let outcome = watched_run(db, migration, step.json, undo).await?;
        print(step.json, &outcome, render_undo)?;
        return Ok(true);
    }
    let migration = migration::find(&args.step.migration)?;
    let options = Options {
        keep: args.keep,
        drop_identical: args.drop_identical,
    };
    let Some(confirmation) = args.confirm.as_deref().filter(|_| args.apply) else {
        let plan = dedupe::plan(db, migration, options, ReportPage::ALL).await?;
        print(args.step.json, &plan, render_plan)?;
        return Ok(true);
    };
    let json = args.step.json;
    // Each batch's line is recorded in the run, which the display reads.
    let quiet = |_: &str| {};
    let apply = dedupe::apply(
        db,
        &actor,
        migration,
        options,
        confirmation,
        backups,
        &quiet,
    );
    let outcome = watched_run(db, migration, json, apply).await?;
    print(json, &outcome, render_outcome)?;
    Ok(outcome.remaining.is_empty())
}

fn render_plan(plan: &DedupePlan) -> String {
    let mut out = format!(
        "Keep the {} document of each duplicated value{}; nothing is changed by this plan.\n",
        plan.keep.as_str(),
        if plan.drop_identical {
            ", delete extra copies identical apart from _id"
        } else {
            ""
        }
    );
    for key in &plan.keys {
        if !key.exists {
            out += &format!("{}: the collection does not exist yet\n", key.key);
            continue;
        }
        out += &format!(
            "{}: {} duplicated values; {} documents to unset, {} to delete; {} identical copies found\n",
            key.key, key.values, key.to_unset, key.to_delete, key.identical
        );
    }
    for change in &plan.changes {
        out += &format!(
            "  {} {:?} {}: {} (keeps {})\n",
            change.key,
            change.value,
            change.id,
            change.action.as_str(),
            change.kept_id
        );
    }
    out += &format!(
        "{} documents would change. Apply with: forest-runbook dedupe --apply --confirm DATABASE_NAME\n",
        plan.total
    );
    out
}

fn render_outcome(outcome: &DedupeOutcome) -> String {
    let mut out = format!(
        "Cleanup run {}: {} documents unset, {} deleted; rounds: {}; {} groups changed meanwhile and were planned again.\n\
         Their prior state is in {} under the backups folder; undo with: forest-runbook dedupe undo {} --confirm DATABASE_NAME\n",
        outcome.run,
        outcome.unset,
        outcome.deleted,
        outcome.rounds,
        outcome.replanned,
        outcome.export,
        outcome.run
    );
    if !outcome.remaining.is_empty() {
        out += &format!(
            "Duplicates remain (still being written): {}. Run it again.\n",
            outcome.remaining.join(", ")
        );
    }
    out
}

fn render_undo(outcome: &UndoOutcome) -> String {
    let mut out = format!(
        "Undid cleanup run {}: {} documents put back, {} already as before.\n",
        outcome.run, outcome.restored, outcome.unchanged
    );
    if !outcome.left_alone.is_empty() {
        out += &format!(
            "Changed since the cleanup, left as they are: {}\n",
            outcome.left_alone.join(" ")
        );
    }
    out
}
