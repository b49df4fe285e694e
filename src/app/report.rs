//! The Report page: the deployment in time order, its numbers, the
//! Monitor's charts over it and the downloads. `report_document` renders
//! the same view as one self-contained HTML file.

use super::Section;
use super::grid;
use super::loaded::Loaded;
use super::monitor::HistoryView;
use super::session::{RequireRole, guarded};
use crate::api::get_deployment_report;
use crate::model::{DeploymentReport, ReportEvent, Role, duration};
use leptos::prelude::*;

#[component]
pub fn ReportPage() -> impl IntoView {
    let report = guarded(Role::Viewer, || (), |()| get_deployment_report());
    view! {
        <h1>"Deployment report"</h1>
        <RequireRole role=Role::Viewer>
            <p class="downloads">
                "Download: " <a href="/report.html" download>
                    "HTML (one file, with charts)"
                </a> " · " <a href="/report.md" download>
                    "Markdown"
                </a> " · " <a href="/report.json" download>
                    "JSON"
                </a>
            </p>
            <Loaded
                resource=report
                fallback=|| view! { <p>"Reading the records…"</p> }
                let:report
            >
                <ReportView report base=String::new() />
            </Loaded>
        </RequireRole>
    }
}

/// The report; `base` is put before each evidence link (empty on the page,
/// the runbook's address in a download).
#[component]
fn ReportView(report: DeploymentReport, base: String) -> impl IntoView {
    let since = report.since.as_deref().map_or_else(
        || "from the first records (no rollback before this deployment)".to_owned(),
        |since| format!("since {since}, when the rollback before it ended"),
    );
    let left_out = (report.left_out > 0).then(|| {
        view! {
            <p class="notice" role="status">
                {format!(
                    "{} later events are not listed: the report holds the first {}.",
                    report.left_out,
                    report.events.len(),
                )}
            </p>
        }
    });
    let empty = report.events.is_empty().then(|| {
        view! { <p class="muted">"Nothing recorded in this deployment yet."</p> }
    });
    let plan = report
        .plan
        .into_iter()
        .map(|change| {
            let took = change
                .finished_at
                .as_ref()
                .map(|_| duration(change.duration_ms));
            view! {
                <tr class=format!("outcome-{}", change.outcome.as_str())>
                    <td>{change.description}</td>
                    <td>{change.outcome.as_str()}</td>
                    <td>{took}</td>
                </tr>
            }
        })
        .collect_view();
    let rows = report
        .events
        .into_iter()
        .map(|event| view! { <EventRow event base=base.clone() /> })
        .collect_view();
    view! {
        <p class="lead" data-testid="report-about">
            {format!(
                "{} on the database {}, {since}. Made {}.",
                report.migration,
                report.database,
                report.generated_at,
            )}
        </p>
        <p data-testid="report-numbers">{report.tally.sentence()}</p>
        <h2>"The plan"</h2>
        <table class="grid report-plan" aria-label="The plan">
            {grid::head(&["Change", "Outcome", "Took"])}
            <tbody>{plan}</tbody>
        </table>
        <h2>"What happened"</h2>
        {left_out}
        <table class="grid report-events" aria-label="Deployment events">
            {grid::head(&["Time (UTC)", "Who", "What", "Outcome", "Took", "Detail", "Evidence"])}
            <tbody>{rows}</tbody>
        </table>
        {empty}
        <h2>"The Monitor over the deployment"</h2>
        <HistoryView history=report.history />
    }
}

#[component]
fn EventRow(event: ReportEvent, base: String) -> impl IntoView {
    let outcome = event.outcome.as_str();
    let href = format!("{base}{}", event.link);
    let page = page_title(&event.link);
    view! {
        <tr class=format!("event {} outcome-{outcome}", event.source.as_str())>
            <td>
                <time datetime=event.at.clone()>{event.at.replace('T', " ")}</time>
            </td>
            <td>{event.actor}</td>
            <td>{event.what}</td>
            <td>{outcome}</td>
            <td>{event.duration_ms.map(duration)}</td>
            <td>{event.detail}</td>
            <td>
                <a href=href>{page}</a>
            </td>
        </tr>
    }
}

/// The name of the page at `link`, as the navigation says it.
fn page_title(link: &str) -> &'static str {
    let path = link.split('#').next().unwrap_or(link);
    match Section::ALL
        .into_iter()
        .find(|section| section.href() == path)
    {
        Some(section) => section.title(),
        None if path == "/users" => "Users",
        None if path == "/settings" => "Settings",
        None => "Audit",
    }
}

/// The page's view as one HTML file with the app's stylesheet inlined:
/// it reads the same wherever it is opened, without the runbook.
#[cfg(feature = "ssr")]
pub fn report_document(report: DeploymentReport, base: &str) -> String {
    const STYLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/style/main.css"));
    let title = format!("Deployment report: {}", report.migration);
    let base = base.to_owned();
    let owner = Owner::new();
    let html = owner.with(|| {
        view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8" />
                    <meta name="viewport" content="width=device-width, initial-scale=1" />
                    <title>{title}</title>
                    <style inner_html=STYLE></style>
                </head>
                <body>
                    <main class="page">
                        <h1>"Deployment report"</h1>
                        <ReportView report base />
                    </main>
                </body>
            </html>
        }
        .to_html()
    });
    format!("<!DOCTYPE html>\n{html}")
}
