//! The Duplicates page: for each unique key the migration adds, the groups
//! of duplicated string values (most repeated first, a page at a time, with
//! up to 20 `_id`s each), the documents that cannot collide counted apart,
//! and a CSV download; for release managers, the cleanup (`cleanup.rs`).
//! The page is in the address, so links work without JavaScript.

mod cleanup;

use super::loaded::Loaded;
use super::session::{RequireRole, granted_role, guarded};
use crate::api::{PAGE_SIZE, get_duplicates, get_runbook, plan_dedupe};
use crate::app::grid;
use crate::model::{DuplicateReport, KeepRule, Role, WHY_NOT_COUNTED};
use cleanup::{Choice, Cleanup};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let query = use_query_map();
    let apply = ServerAction::new();
    let undo = ServerAction::new();
    let choice = move || {
        let query = query.get();
        Choice {
            keep: query
                .get("keep")
                .and_then(|k| KeepRule::parse(&k))
                .unwrap_or_default(),
            drop_identical: query.get("drop_identical").is_some_and(|d| d == "true"),
            offset: query
                .get("plan_offset")
                .and_then(|o| o.parse::<u64>().ok())
                .unwrap_or(0),
        }
    };
    let plan = guarded(Role::ReleaseManager, choice, |choice| {
        let drop = choice.drop_identical.then_some(true);
        plan_dedupe(choice.keep.as_str().to_owned(), drop, choice.offset)
    });
    let runs = guarded(
        Role::ReleaseManager,
        || (),
        |()| async { get_runbook().await.map(|overview| overview.runs) },
    );
    let page = move || {
        let query = query.get();
        let key = query.get("key").unwrap_or_default();
        let offset = query
            .get("offset")
            .and_then(|o| o.parse::<u64>().ok())
            .unwrap_or(0);
        (key, offset)
    };
    let reports = guarded(Role::Viewer, page, |(key, offset)| {
        get_duplicates(key, offset)
    });
    view! {
        <h1>"Duplicates"</h1>
        <p class="lead">
            "Values of each new unique key held by more than one document: the migration refuses to build a unique index while any exist."
        </p>
        <p class="detail">{WHY_NOT_COUNTED}</p>
        <RequireRole role=Role::Viewer>
            {move || {
                granted_role()
                    .is_some_and(|role| role.includes(Role::ReleaseManager))
                    .then(|| view! { <Cleanup choice=choice() plan runs apply undo /> })
            }} <Loaded resource=reports fallback=|| view! { <p>"Counting…"</p> } let:list>
                {list.into_iter().map(|report| view! { <KeyReport report /> }).collect_view()}
            </Loaded>
        </RequireRole>
    }
}

#[component]
fn KeyReport(report: DuplicateReport) -> impl IntoView {
    let key = report.key();
    let heading_id = format!("key-{}", key.replace('.', "-"));
    let labelled_by = heading_id.clone();
    if !report.exists {
        return view! {
            <section aria-labelledby=labelled_by>
                <h2 id=heading_id>{key}</h2>
                <p class="notice">
                    {format!(
                        "The {} collection does not exist yet: the migration creates it.",
                        report.collection,
                    )}
                </p>
            </section>
        }
        .into_any();
    }
    let page_href = |offset: u64| format!("/duplicates?key={key}&offset={offset}#{heading_id}");
    let shown = report.groups.len() as u64;
    let previous = (report.offset > 0).then(|| page_href(report.offset.saturating_sub(PAGE_SIZE)));
    let next = (report.offset + shown < report.duplicated_values)
        .then(|| page_href(report.offset + shown));
    let first_shown = report.offset + u64::from(shown > 0);
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=heading_id>{key.clone()}</h2>
            <p data-testid="duplicate-summary">
                <strong>{report.duplicated_values}</strong>
                " duplicated values in "
                <strong>{report.duplicated_documents}</strong>
                " documents. Not counted as duplicates: "
                {report.nulls}
                " null, "
                {report.non_strings}
                " of another type, "
                {report.missing}
                " without the field. "
                <a href=format!("/duplicates.csv?key={key}") download="">
                    "Download CSV"
                </a>
            </p>
            {report
                .time_limited
                .then(|| {
                    view! {
                        <p class="notice" role="alert">
                            {format!(
                                "The count stopped at its bound of {} ms: the numbers shown are incomplete.",
                                report.max_time_ms,
                            )}
                        </p>
                    }
                })}
            <table class="grid" aria-label=format!("Duplicated values of {key}")>
                {grid::head(&["Value", "Documents", "First _ids"])}
                <tbody>
                    {if report.groups.is_empty() {
                        view! {
                            <tr>
                                <td colspan="3">"No duplicated values."</td>
                            </tr>
                        }
                            .into_any()
                    } else {
                        report
                            .groups
                            .into_iter()
                            .map(|group| {
                                view! {
                                    <tr>
                                        <td>
                                            <code>{group.value}</code>
                                        </td>
                                        <td>{group.count}</td>
                                        <td class="ids">{group.ids.join(" ")}</td>
                                    </tr>
                                }
                            })
                            .collect_view()
                            .into_any()
                    }}
                </tbody>
            </table>
            <nav class="pager" aria-label=format!("Pages of {key}")>
                {format!(
                    "{first_shown}–{} of {}",
                    report.offset + shown,
                    report.duplicated_values,
                )}
                {previous.map(|href| view! { <a href=href>"Previous"</a> })}
                {next.map(|href| view! { <a href=href>"Next"</a> })}
            </nav>
        </section>
    }
    .into_any()
}
