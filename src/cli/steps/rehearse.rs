//! `rehearse` on the command line: says what the copy needs, shows how it
//! goes on standard error (a live bar on a terminal, a line per step start
//! and end otherwise, nothing with `--json`), prints the rehearsal, and
//! fails (exit code 1) when a step failed.

use super::print;
use super::watch::{Display, Shown};
use crate::cli::StepArgs;
use crate::model::{Rehearsal, RehearsalState, RehearsalStep, StepState};
use crate::ops::audit::Actor;
use crate::ops::rehearsal::{self, Rehearsing};
use crate::ops::{OpsError, migration};
use std::sync::Arc;

pub async fn run(ctx: &Rehearsing, args: &StepArgs) -> Result<bool, OpsError> {
    let migration = migration::find(&args.migration)?;
    let overview = rehearsal::overview(ctx, migration).await?;
    let preview = overview.preview.map_err(OpsError::CannotRehearse)?;
    if !args.json {
        eprintln!("Rehearsal: {}.", preview.describe());
    }
    let display = Arc::new(Display::new(args.json));
    let progress: rehearsal::Progress = {
        let display = display.clone();
        Box::new(move |rehearsal: &Rehearsal| display.show(&shown(rehearsal)))
    };
    let rehearsal = rehearsal::rehearse(ctx, &Actor::from_os_user(), migration, progress).await;
    display.finish();
    let rehearsal = rehearsal?;
    print(args.json, &rehearsal, render)?;
    Ok(rehearsal.state == RehearsalState::Passed)
}

/// Steps ended of all, the one running, and each step's state.
fn shown(rehearsal: &Rehearsal) -> Shown {
    let ended = rehearsal
        .steps
        .iter()
        .filter(|r| !matches!(r.state, StepState::Pending | StepState::Running));
    Shown {
        position: u64::try_from(ended.count()).unwrap_or(u64::MAX),
        length: u64::try_from(RehearsalStep::ALL.len()).unwrap_or(u64::MAX),
        now: rehearsal
            .steps
            .iter()
            .find(|r| r.state == StepState::Running)
            .map(|r| r.step.title().to_owned()),
        states: rehearsal
            .steps
            .iter()
            .filter(|r| r.state != StepState::Pending)
            .map(|r| format!("{:<8} {}", r.state.as_str(), r.step.title()))
            .collect(),
    }
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
