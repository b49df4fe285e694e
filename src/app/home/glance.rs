//! The deployment at a glance, at the top of Home: the go/no-go line, the
//! migration's state and running step, the checklist, the newest backup,
//! verification and probe, the Forest logs and the alerts. It shows every
//! settled area, so the page reads again when any is announced; the alerts
//! come from the monitor and are as they were at that read.

use crate::api::get_status;
use crate::app::loaded::Loaded;
use crate::app::session::guarded;
use crate::model::{Call, DeploymentStatus, Evidence, Role};
use leptos::prelude::*;

#[component]
pub fn Glance() -> impl IntoView {
    let status = guarded(Role::Viewer, || (), |_| get_status());
    view! {
        <section class="glance" aria-label="The deployment at a glance">
            <Loaded
                resource=status
                fallback=|| view! { <p>"Reading where the deployment stands…"</p> }
                let:status
            >
                <Overview status />
            </Loaded>
        </section>
    }
}

#[component]
fn Overview(status: DeploymentStatus) -> impl IntoView {
    let call = status.verdict.call;
    let class = match call {
        Call::Go | Call::Complete => "verdict ok",
        Call::Running => "verdict running",
        Call::NoGo => "verdict no-go",
    };
    let checklist = &status.checklist;
    let logs = match &status.logs.unavailable {
        Some(why) => format!("No counts: {why}."),
        None => format!(
            "{} errors, {} conflicts over {} synced tasks in the last {} minutes",
            status.logs.errors,
            status.logs.conflicts,
            status.logs.synced_tasks,
            status.logs.minutes
        ),
    };
    view! {
        <div class=class role="status" aria-label="Go or no-go" data-call=format!("{call:?}")>
            <strong>{format!("{}:", call.label())}</strong>
            " "
            {status.verdict.line.clone()}
        </div>
        {(!status.verdict.reasons.is_empty())
            .then(|| {
                view! {
                    <ul class="reasons" aria-label="What to resolve">
                        {status
                            .verdict
                            .reasons
                            .iter()
                            .map(|reason| view! { <li>{reason.clone()}</li> })
                            .collect_view()}
                    </ul>
                }
            })}
        <dl class="figures glance-figures">
            <div>
                <dt>"Migration"</dt>
                <dd data-testid="glance-migration">{status.migration.state.as_str()}</dd>
            </div>
            <div>
                <dt>"Checklist"</dt>
                <dd data-testid="glance-checklist">
                    <a href="/checklist">{format!("{} of {}", checklist.done, checklist.total)}</a>
                </dd>
            </div>
            <div>
                <dt>"Active alerts"</dt>
                <dd>{status.alerts.len()}</dd>
            </div>
        </dl>
        <table class="grid" aria-label="Latest evidence">
            <tbody>
                <EvidenceRow label="Backup" evidence=status.last_backup.clone() />
                <EvidenceRow label="Verification" evidence=status.last_verification.clone() />
                <EvidenceRow label="Forest API probe" evidence=status.last_probe.clone() />
                <tr>
                    <th scope="row">"Forest logs"</th>
                    <td colspan="2">
                        <a href="/forest-api">{logs}</a>
                    </td>
                </tr>
            </tbody>
        </table>
        <p class="detail">{format!("Read at {}.", status.at)}</p>
    }
}

#[component]
fn EvidenceRow(label: &'static str, evidence: Option<Evidence>) -> impl IntoView {
    match evidence {
        Some(evidence) => view! {
            <tr class=if evidence.passed { "check-pass" } else { "check-fail" }>
                <th scope="row">{label}</th>
                <td>{if evidence.passed { "passed" } else { "not passed" }}</td>
                <td>
                    <a href=evidence.href>{evidence.summary}</a>
                    " "
                    <span class="detail">{evidence.at}</span>
                </td>
            </tr>
        }
        .into_any(),
        None => view! {
            <tr>
                <th scope="row">{label}</th>
                <td colspan="2">"None yet."</td>
            </tr>
        }
        .into_any(),
    }
}
