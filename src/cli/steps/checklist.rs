//! `checklist` on the command line, for pipelines: the items with their
//! status and evidence, `tick KEY [--note]` and `ack KEY --note`, as text
//! or JSON. Reading fails (exit code 1) when an item needs attention.

use super::print;
use crate::cli::{ChecklistArgs, ChecklistCommand, StepArgs};
use crate::db::Database;
use crate::model::{Checklist, ItemStatus};
use crate::ops::audit::Actor;
use crate::ops::checklist::{self, Watched};
use crate::ops::{OpsError, migration};

/// Runs what `args` ask and prints the checklist as it then stands;
/// `Ok(false)` when an item needs attention.
pub async fn run(
    db: &Database,
    watched: Watched<'_>,
    args: &ChecklistArgs,
) -> Result<bool, OpsError> {
    let actor = Actor::from_os_user();
    let step: &StepArgs = match &args.action {
        None => &args.step,
        Some(ChecklistCommand::Tick { step, .. } | ChecklistCommand::Ack { step, .. }) => step,
    };
    let migration = migration::find(&step.migration)?;
    match &args.action {
        None => {}
        Some(ChecklistCommand::Tick { key, note, .. }) => {
            checklist::set_item(db, &actor, migration, watched, key, true, note).await?;
        }
        Some(ChecklistCommand::Ack { key, note, .. }) => {
            checklist::acknowledge(db, &actor, migration, watched, key, note).await?;
        }
    }
    let list = checklist::checklist(db, migration, watched).await?;
    print(step.json, &list, render)?;
    Ok(list
        .items
        .iter()
        .all(|item| item.status != ItemStatus::NeedsAttention))
}

fn render(list: &Checklist) -> String {
    let mut out = format!(
        "{}: {} of {} done. {}\n",
        list.migration,
        list.done(),
        list.items.len(),
        list.readiness.summary
    );
    for blocker in &list.readiness.blockers {
        out += &format!("  blocker: {blocker}\n");
    }
    for item in &list.items {
        out += &format!("[{}] {} ({})\n", item.status.label(), item.title, item.key);
        if let Some(tick) = &item.tick {
            let note = if tick.note.is_empty() {
                String::new()
            } else {
                format!(": {}", tick.note)
            };
            out += &format!("    ticked by {} at {}{note}\n", tick.by, tick.at);
        }
        if let Some(evidence) = &item.evidence {
            let mark = if evidence.passed { "passes" } else { "FAILS" };
            out += &format!(
                "    evidence {mark}: {} ({})\n",
                evidence.summary, evidence.href
            );
        }
        if let Some(ack) = &item.acknowledgement {
            out += &format!(
                "    acknowledged by {} at {}: {}\n",
                ack.by, ack.at, ack.note
            );
        }
    }
    out
}
