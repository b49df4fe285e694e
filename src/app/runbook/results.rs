//! The results of the steps as tables: a plan, a run, a verification, and
//! the history of runs.

use crate::app::grid;
use crate::model::{ChangeOutcome, ChangeStatus, Plan, RunRecord, Verification, VerifyCheck};
use leptos::prelude::*;

#[component]
pub fn PlanView(plan: Plan) -> impl IntoView {
    let ready = plan.blockers.is_empty();
    view! {
        <p>
            "Server " {plan.server_version.clone()} " · " {plan.topology.clone()}
            " · declaration " <code>{plan.checksum[..12].to_owned()}</code>
        </p>
        <table class="grid" aria-label="Plan">
            {grid::head(&["Change", "Status", "Command"])}
            <tbody>
                {plan
                    .changes
                    .into_iter()
                    .map(|change| {
                        let status = match change.status {
                            ChangeStatus::Present => "skip: present".to_owned(),
                            ChangeStatus::Absent => "will run".to_owned(),
                            ChangeStatus::Conflict { reason } => format!("conflict: {reason}"),
                        };
                        view! {
                            <tr>
                                <td>{change.description}</td>
                                <td>{status}</td>
                                <td>
                                    <code>{change.command}</code>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="detail">
            "The clientId keys are unique only where clientId is a string: explicit nulls and missing fields never collide, unlike under a sparse index."
        </p>
        <ul>
            {plan.duplicates.into_iter().map(|d| view! { <li>{d.summary()}</li> }).collect_view()}
        </ul>
        {plan.prisma.clone().map(|check| view! { <CheckLine check /> })}
        <p data-testid="recent-backup">
            {match plan.recent_backup {
                Some(backup) => format!("Recent verified backup: {backup}."),
                None => {
                    format!(
                        "No verified backup from the last {} hours: take and verify one first.",
                        plan.backup_window_hours,
                    )
                }
            }}
        </p>
        {if ready {
            view! {
                <p class="verdict ok" role="status">
                    "Ready: migrate would run."
                </p>
            }
                .into_any()
        } else {
            view! {
                // A status, not an alert: a kept plan stays on the page for
                // everyone, long after the dry run that found it.
                <div class="verdict no-go" role="status">
                    <p>"Migrate would refuse:"</p>
                    <ul>
                        {plan
                            .blockers
                            .iter()
                            .map(|b| view! { <li>{b.to_string()}</li> })
                            .collect_view()}
                    </ul>
                </div>
            }
                .into_any()
        }}
    }
}

/// One check as a line of its own: the plan's "Prisma schema agrees".
#[component]
fn CheckLine(check: VerifyCheck) -> impl IntoView {
    let mark = mark(&check);
    view! {
        <p class=format!("check-{mark}") data-testid="plan-prisma">
            {format!("{}: {mark}. ", check.name)}
            {evidence(check)}
        </p>
    }
}

fn mark(check: &VerifyCheck) -> &'static str {
    match (check.passed, check.warning) {
        (true, _) => "pass",
        (false, true) => "warning",
        (false, false) => "fail",
    }
}

/// The evidence, with a link to the page that says more.
fn evidence(check: VerifyCheck) -> impl IntoView {
    view! {
        {check.evidence}
        {check
            .link
            .map(|href| {
                view! {
                    " "
                    <a href=href>"Details"</a>
                }
            })}
    }
}

#[component]
pub fn RunView(run: RunRecord) -> impl IntoView {
    view! {
        <p>{format!("{} by {}: {}", run.kind, run.started_by, run.state)}</p>
        {run.error.map(|error| view! { <p class="detail">{error}</p> })}
        <table class="grid" aria-label=format!("{} run", run.kind)>
            <tbody>
                {run
                    .changes
                    .into_iter()
                    .map(|change| {
                        let timing = match (&change.finished_at, &change.started_at) {
                            (Some(_), _) => format!("{} ms", change.duration_ms),
                            (None, Some(started)) => format!("since {started}"),
                            (None, None) => String::new(),
                        };
                        let progress = (change.outcome == ChangeOutcome::Running)
                            .then_some(change.progress)
                            .flatten();
                        view! {
                            <tr class=format!("outcome-{}", change.outcome.as_str())>
                                <td>{change.description}</td>
                                <td>
                                    {change.outcome.as_str()}
                                    {progress
                                        .map(|p| view! { <small>{format!(" · {p}")}</small> })}
                                </td>
                                <td>{timing}</td>
                                <td>{change.error.unwrap_or_default()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn VerificationView(verification: Verification) -> impl IntoView {
    view! {
        <p role="status">
            {if verification.passed { "Verification passed." } else { "Verification failed." }}
        </p>
        <table class="grid" aria-label="Verification">
            <tbody>
                {verification
                    .checks
                    .into_iter()
                    .map(|check| {
                        let mark = mark(&check);
                        view! {
                            <tr class=format!("check-{mark}")>
                                <td>{mark}</td>
                                <td>{check.name.clone()}</td>
                                <td>{evidence(check)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn History(runs: Vec<RunRecord>) -> impl IntoView {
    view! {
        <table class="grid" aria-label="Run history">
            {grid::head(&["Started", "Step", "By", "State", "Changes"])}
            <tbody>
                {runs
                    .into_iter()
                    .map(|run| {
                        let applied = run
                            .changes
                            .iter()
                            .filter(|c| c.outcome == ChangeOutcome::Applied)
                            .count();
                        view! {
                            <tr>
                                <td>{run.started_at}</td>
                                <td>{run.kind.as_str()}</td>
                                <td>{run.started_by}</td>
                                <td>{run.state.as_str()}</td>
                                <td>{format!("{applied} of {} applied", run.changes.len())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
