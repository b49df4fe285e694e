//! `rehearse` on the command line: says what the copy needs, shows how it
//! goes on standard error (a live bar on a terminal, a line per step start
//! and end otherwise, nothing with `--json`), prints the rehearsal, and
//! fails (exit code 1) when a step failed.

use super::print;
use crate::cli::StepArgs;
use crate::model::{Rehearsal, RehearsalState, RehearsalStep, StepState};
use crate::ops::audit::Actor;
use crate::ops::rehearsal::{self, Rehearsing};
use crate::ops::{OpsError, migration};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

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
        if std::io::stderr().is_terminal() {
            bar()
        } else {
            lines()
        }
    };
    let rehearsal = rehearsal::rehearse(ctx, &Actor::from_os_user(), migration, progress).await?;
    // The bar, if any, has cleared itself by now: the result follows it.
    print(args.json, &rehearsal, render)?;
    Ok(rehearsal.state == RehearsalState::Passed)
}

/// A bar on a terminal: steps done of all, and the one running now.
fn bar() -> rehearsal::Progress {
    let steps = u64::try_from(RehearsalStep::ALL.len()).unwrap_or(u64::MAX);
    let bar = ProgressBar::new(steps).with_style(
        ProgressStyle::with_template("{spinner} [{bar:28}] {pos}/{len} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    Box::new(move |rehearsal: &Rehearsal| {
        let ended = rehearsal
            .steps
            .iter()
            .filter(|r| !matches!(r.state, StepState::Pending | StepState::Running))
            .count();
        bar.set_position(u64::try_from(ended).unwrap_or(u64::MAX));
        if let Some(running) = rehearsal
            .steps
            .iter()
            .find(|r| r.state == StepState::Running)
        {
            bar.set_message(running.step.title());
        }
        if rehearsal.state != RehearsalState::Running {
            bar.finish_and_clear();
        }
    })
}

/// A line per step start and end, for logs and pipes.
fn lines() -> rehearsal::Progress {
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
