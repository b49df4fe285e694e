//! `rehearse` on the command line: says what the copy needs, shows each
//! step as it starts and ends (a line each on standard error; nothing
//! extra with `--json`), prints the rehearsal, and fails (exit code 1)
//! when a step failed.

use super::print;
use crate::cli::StepArgs;
use crate::model::{Rehearsal, RehearsalState, StepState};
use crate::ops::audit::Actor;
use crate::ops::rehearsal::{self, Rehearsing};
use crate::ops::{OpsError, migration};
use std::sync::Mutex;

pub async fn run(ctx: &Rehearsing, args: &StepArgs) -> Result<bool, OpsError> {
    let migration = migration::find(&args.migration)?;
    let overview = rehearsal::overview(ctx, migration).await?;
    let preview = overview
        .preview
        .map_err(|why| OpsError::Preflight(vec![why]))?;
    let progress: rehearsal::Progress = if args.json {
        Box::new(|_| ())
    } else {
        eprintln!("Rehearsal: {}.", preview.describe());
        // Each step's state once: the record is written more often than it changes.
        let said = Mutex::new(Vec::new());
        Box::new(move |rehearsal: &Rehearsal| {
            let mut said = said
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for record in &rehearsal.steps {
                let seen = (record.step, record.state);
                if record.state != StepState::Pending && !said.contains(&seen) {
                    said.push(seen);
                    eprintln!("  {:<8} {}", record.state.as_str(), record.step.title());
                }
            }
        })
    };
    let rehearsal = rehearsal::rehearse(ctx, &Actor::from_os_user(), migration, progress).await?;
    print(args.json, &rehearsal, render)?;
    Ok(rehearsal.state == RehearsalState::Passed)
}

fn render(rehearsal: &Rehearsal) -> String {
    let mut out = format!(
        "Rehearsal {} of {} on backup {} ({} documents) in {} on {}: {}\n",
        rehearsal.id,
        rehearsal.migration,
        rehearsal.backup,
        rehearsal.documents,
        rehearsal.database,
        rehearsal.server,
        rehearsal.state.as_str()
    );
    for record in &rehearsal.steps {
        out += &format!(
            "[{}] {}: {} ms, about {} ms in production. {}\n",
            record.state.as_str(),
            record.step.title(),
            record.duration_ms,
            rehearsal.expected_in_production_ms(record),
            record.detail
        );
    }
    if let Some(message) = &rehearsal.message {
        out += &format!("{message}\n");
    }
    out
}
