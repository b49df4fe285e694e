//! The results of the steps as tables: a plan, a run, a verification, and
//! the history of runs.

use crate::model::{ChangeOutcome, ChangeStatus, Plan, RunRecord, Verification};
use leptos::prelude::*;

#[component]
pub fn PlanView(plan: Plan) -> impl IntoView {
    let ready = plan.blockers.is_empty();
    view! {
        <p>
            "Server " {plan.server_version.clone()} " · " {plan.topology.clone()} " · declaration "
            <code>{plan.checksum[..12].to_owned()}</code>
        </p>
        <table class="grid" aria-label="Plan">
            <thead>
                <tr>
                    <th scope="col">"Change"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Command"</th>
                </tr>
            </thead>
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
            {plan
                .duplicates
                .into_iter()
                .map(|d| {
                    view! {
                        <li>
                            {format!(
                                "{}.{}: {} duplicated values; {} null, {} non-string, {} missing",
                                d.collection,
                                d.field,
                                d.duplicated_values,
                                d.nulls,
                                d.non_strings,
                                d.missing,
                            )}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
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
            view! { <p class="ok" role="status">"Ready: migrate would run."</p> }.into_any()
        } else {
            view! {
                <div role="alert">
                    <p>"Migrate would refuse:"</p>
                    <ul>
                        {plan.blockers.into_iter().map(|b| view! { <li>{b}</li> }).collect_view()}
                    </ul>
                </div>
            }
                .into_any()
        }}
    }
}

#[component]
pub fn RunView(run: RunRecord) -> impl IntoView {
    view! {
        <p>{format!("{} by {}: {}", run.kind, run.started_by, run.state)}</p>
        <table class="grid" aria-label=format!("{} run", run.kind)>
            <tbody>
                {run
                    .changes
                    .into_iter()
                    .map(|change| {
                        view! {
                            <tr class=format!("outcome-{}", change.outcome.as_str())>
                                <td>{change.description}</td>
                                <td>{change.outcome.as_str()}</td>
                                <td>{format!("{} ms", change.duration_ms)}</td>
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
                        let mark = match (check.passed, check.warning) {
                            (true, _) => "pass",
                            (false, true) => "warning",
                            (false, false) => "fail",
                        };
                        view! {
                            <tr class=format!("check-{mark}")>
                                <td>{mark}</td>
                                <td>{check.name}</td>
                                <td>{check.evidence}</td>
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
            <thead>
                <tr>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Step"</th>
                    <th scope="col">"By"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Changes"</th>
                </tr>
            </thead>
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
                                <td>{run.kind}</td>
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
