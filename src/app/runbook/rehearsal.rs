//! The Rehearse step: what the next rehearsal would restore and how much
//! room it needs, the button for release managers, and the newest
//! rehearsal step by step, read again as its record changes, for everyone
//! with the page open.

use super::Step;
use crate::api::{RunRehearse, get_rehearsal};
use crate::app::feedback::step_button;
use crate::app::grid;
use crate::app::loaded::Loaded;
use crate::app::session::{GuardedResource, guarded};
use crate::model::{Rehearsal, RehearsalOverview, Role, StepState, duration};
use leptos::prelude::*;

/// The newest rehearsal and the action that starts one. Create it in the
/// page, outside `RequireRole` (see `guarded`); it loads only for people
/// who may read it.
#[derive(Clone, Copy)]
pub struct RehearsalWatch {
    overview: GuardedResource<RehearsalOverview>,
    start: ServerAction<RunRehearse>,
}

impl RehearsalWatch {
    pub fn load() -> Self {
        let start = ServerAction::<RunRehearse>::new();
        let overview = guarded(Role::Viewer, || (), |_| get_rehearsal());
        Self { overview, start }
    }
}

#[component]
pub fn RehearseStep(watch: RehearsalWatch, may_run: bool) -> impl IntoView {
    let RehearsalWatch { overview, start } = watch;
    view! {
        <Step
            title="Rehearse"
            id="rehearsal"
            does="Runs the production sequence on a copy: restores the newest verified backup into a scratch database, cleans the duplicates, migrates, verifies and reverts, checks that the revert brought back exactly the documents and indexes from before migrate, then drops the copy. Production is only read. A passing rehearsal is the evidence for the checklist's two staging items."
        >
            <Loaded resource=overview let:overview>
                <Overview overview />
            </Loaded>
            {step_button(start, "Run rehearsal", may_run)}
        </Step>
    }
}

/// What the next rehearsal would restore (or why there can be none), and
/// the newest rehearsal.
#[component]
fn Overview(overview: RehearsalOverview) -> impl IntoView {
    let preview = match overview.preview {
        Ok(preview) => view! { <p data-testid="rehearsal-preview">"The next rehearsal " {preview.describe()} "."</p> }
        .into_any(),
        Err(why) => view! { <p class="detail">{why}</p> }.into_any(),
    };
    let stale = overview.stale;
    view! {
        {preview}
        {overview.latest.map(|rehearsal| view! { <RehearsalView rehearsal stale /> })}
    }
}

/// One rehearsal: how it stands, whether it still counts, and each step
/// with its duration and what it would take in production.
#[component]
fn RehearsalView(rehearsal: Rehearsal, stale: Option<String>) -> impl IntoView {
    let heading = format!(
        "Rehearsal of {} by {} on backup {} ({} documents), in {} on {}: ",
        rehearsal.started_at,
        rehearsal.by,
        rehearsal.backup,
        rehearsal.documents,
        rehearsal.database,
        rehearsal.server
    );
    let rows = rehearsal
        .steps
        .iter()
        .map(|record| {
            let ran = matches!(record.state, StepState::Passed | StepState::Failed);
            let took = if ran {
                duration(record.duration_ms)
            } else {
                String::new()
            };
            let expected = if ran {
                duration(rehearsal.expected_in_production_ms(record))
            } else {
                String::new()
            };
            view! {
                <tr class=format!("step-{}", record.state.as_str())>
                    <td>{record.step.title()}</td>
                    <td>{record.state.as_str()}</td>
                    <td>{took}</td>
                    <td>{expected}</td>
                    <td>{record.detail.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>{heading} <strong data-testid="rehearsal-state">{rehearsal.state.as_str()}</strong></p>
        {stale
            .map(|why| {
                view! {
                    <p class="error" data-testid="rehearsal-stale">
                        "It no longer counts as evidence: "
                        {why}
                    </p>
                }
            })}
        {rehearsal.message.clone().map(|message| view! { <p role="alert">{message}</p> })}
        <table class="grid" aria-label="Rehearsal steps">
            {grid::head(&["Step", "State", "Took", "Expected in production", "Detail"])}
            <tbody>{rows}</tbody>
        </table>
    }
}
