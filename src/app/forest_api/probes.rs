//! The API probe panel: what is probed and when, a "Probe now" button for
//! release managers, and the latest results with why each passed or failed.

use super::ProbeWatch;
use crate::app::feedback::step_button;
use crate::app::grid;
use crate::app::loaded::Loaded;
use crate::app::session::granted_role;
use crate::app::setting::Setting;
use crate::model::{ProbeOverview, ProbeResult, Role};
use leptos::prelude::*;

const COLUMNS: &[&str] = &["Time", "Request", "Status", "Latency", "Result", "Why"];

#[component]
pub fn ProbePanel(watch: ProbeWatch) -> impl IntoView {
    // Inside `RequireRole`, where the role is known.
    let may_probe = granted_role().is_some_and(|r| r.includes(Role::ReleaseManager));
    let probe = watch.probe;
    view! {
        <section aria-labelledby="probe-heading">
            <h2 id="probe-heading">"API probe " <span class="whose">"the Forest API"</span></h2>
            {step_button(probe, "Probe now", may_probe)}
            <Loaded resource=watch.overview let:overview>
                <Overview overview />
            </Loaded>
        </section>
    }
}

#[component]
fn Overview(overview: ProbeOverview) -> impl IntoView {
    let schedule = if overview.deployment_in_progress {
        format!(
            "A deployment is in progress: probing every {} s.",
            overview.interval_secs
        )
    } else {
        format!(
            "No deployment in progress; during one the app probes every {} s.",
            overview.interval_secs
        )
    };
    let empty = overview.results.is_empty();
    view! {
        <p>"Each probe sends:"</p>
        <ul>
            {overview
                .targets
                .iter()
                .map(|t| {
                    view! {
                        <li>
                            <code>{t.clone()}</code>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        <p data-testid="probe-schedule">{schedule}</p>
        {empty
            .then(|| {
                view! {
                    <p class="notice" role="note">
                        "No probe has run yet. To point the app at the Forest API, set "
                        <Setting section="forest_api" key="base_urls" />
                        "; further endpoints and a credentials header are set there too."
                    </p>
                }
            })}
        <table class="grid" aria-label="Probe results">
            {grid::head(COLUMNS)}
            <tbody>
                {grid::empty_row(empty, COLUMNS, "No results yet.")}
                {overview.results.into_iter().map(row).collect_view()}
            </tbody>
        </table>
    }
}

fn row(result: ProbeResult) -> impl IntoView {
    let mark = if result.passed { "pass" } else { "fail" };
    let status = result
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    view! {
        <tr class=format!("check-{mark}")>
            <td>{result.at}</td>
            <td>
                <code>{format!("{} {}", result.method, result.url)}</code>
            </td>
            <td>{format!("{status} (expected {})", result.expected_status)}</td>
            <td>{format!("{} ms", result.latency_ms)}</td>
            <td>{mark}</td>
            <td title=result.body_excerpt>{result.reason}</td>
        </tr>
    }
}
