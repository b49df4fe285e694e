//! The log panels: the per-minute rates (totals, chart, errors since the
//! migration started) and the latest error lines with a filter. The filter
//! is in the address (`?errors=`), so it works without JavaScript.

use super::ForestWatch;
use super::chart::{MinuteLine, RatesChart, per_minute};
use crate::app::grid;
use crate::app::loaded::Loaded;
use crate::app::setting::Setting;
use crate::model::{LogSnapshot, LogStatus, MinuteCounts, RouteStats};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A figure of the rates table (name, test id) or a line of the chart
/// (name, class), and how to read it from a minute.
type Figure = (&'static str, &'static str, fn(&MinuteCounts) -> u64);

const FIGURES: [Figure; 5] = [
    ("Errors", "errors-total", |m| m.errors),
    ("Warnings", "warnings-total", |m| m.warnings),
    ("Tasks synced", "synced-total", |m| m.synced_events),
    ("Tasks reported synced", "synced-tasks-total", |m| {
        m.synced_tasks
    }),
    ("Sync conflicts", "conflicts-total", |m| m.conflicts),
];

/// The chart's lines: name, class (its colour), and how to read a minute.
const SERIES: [Figure; 4] = [
    ("Errors", "series-errors", |m| m.errors),
    ("Warnings", "series-warnings", |m| m.warnings),
    ("Tasks synced", "series-synced", |m| m.synced_events),
    ("Conflicts", "series-conflicts", |m| m.conflicts),
];

const ERROR_COLUMNS: &[&str] = &["Time", "File", "Line"];
const ROUTE_COLUMNS: &[&str] = &[
    "Route",
    "Requests per minute",
    "p50",
    "p95",
    "p99",
    "Server errors (5xx)",
];

/// Shows `ready` for a watched folder, or says how to configure the watcher.
fn when_watching(
    watch: ForestWatch,
    ready: impl Fn(LogSnapshot) -> AnyView + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Loaded resource=watch.logs let:snapshot>
            {if snapshot.status == LogStatus::Watching {
                ready(snapshot)
            } else {
                how_to_configure(&snapshot)
            }}
        </Loaded>
    }
}

fn how_to_configure(snapshot: &LogSnapshot) -> AnyView {
    let what = match (&snapshot.status, &snapshot.folder) {
        (LogStatus::FolderMissing, Some(folder)) => format!(
            "The log folder {folder} does not exist (yet); the watcher starts as soon as it appears."
        ),
        _ => "No log folder is configured.".to_owned(),
    };
    view! {
        <p class="notice" role="note" data-testid="logs-not-configured">
            {what}
            " Set "
            <Setting section="forest" key="checkout" />
            " (the Forest checkout holding apps/server), or an absolute "
            <Setting section="forest_logs" key="folder" />
            "."
        </p>
    }
    .into_any()
}

#[component]
pub fn LogRates(watch: ForestWatch) -> impl IntoView {
    view! {
        <section aria-labelledby="rates-heading">
            <h2 id="rates-heading">"Log rates " <span class="whose">"the Forest API"</span></h2>
            {when_watching(watch, |snapshot| view! { <Rates snapshot /> }.into_any())}
        </section>
    }
}

#[component]
fn Rates(snapshot: LogSnapshot) -> impl IntoView {
    let last = snapshot.minutes.last().cloned().unwrap_or_default();
    let (conflicts, tasks) = snapshot.conflicts_per_synced_task();
    let shown = snapshot.minutes.len();
    let figures = FIGURES.map(|(name, id, read)| {
        // Saturating: the counts come from log lines another program wrote.
        let hour = snapshot
            .minutes
            .iter()
            .map(read)
            .fold(0_u64, u64::saturating_add);
        (name, id, hour, read(&last))
    });
    view! {
        <p class="detail">
            "Following " {snapshot.folder.clone().unwrap_or_default()} ": "
            {if snapshot.files.is_empty() {
                "no log files yet".to_owned()
            } else {
                snapshot.files.join(", ")
            }}
        </p>
        {snapshot
            .since_migration
            .map(|since| {
                view! {
                    <p role="status" data-testid="errors-since-migration">
                        {format!(
                            "{} errors since the migration started at {}.",
                            since.errors,
                            since.since,
                        )}
                    </p>
                }
            })}
        <table class="grid" aria-label="Log rates">
            {grid::head(&["Lines", "Last hour", "This minute"])}
            <tbody>
                {figures
                    .into_iter()
                    .map(|(name, id, hour, minute)| {
                        view! {
                            <tr>
                                <th scope="row">{name}</th>
                                <td data-testid=id>{hour}</td>
                                <td>{minute}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <ConflictRate conflicts tasks minutes=shown />
        <SyncRoutes routes=snapshot.routes minutes=shown />
        <LinesPerMinute minutes=snapshot.minutes />
        {(!snapshot.warnings.is_empty())
            .then(|| {
                view! {
                    <details>
                        <summary>{format!("{} watcher warnings", snapshot.warnings.len())}</summary>
                        <ul>
                            {snapshot
                                .warnings
                                .into_iter()
                                .map(|w| view! { <li>{w}</li> })
                                .collect_view()}
                        </ul>
                    </details>
                }
            })}
    }
}

/// The rates of the snapshot's minutes as a chart.
#[component]
fn LinesPerMinute(minutes: Vec<MinuteCounts>) -> impl IntoView {
    let peak = minutes
        .iter()
        .flat_map(|m| SERIES.iter().map(move |(_, _, read)| read(m)))
        .max()
        .unwrap_or(0);
    let (first, last) = match (minutes.first(), minutes.last()) {
        (Some(first), Some(last)) => (first.clone(), last.clone()),
        _ => Default::default(),
    };
    let lines = SERIES
        .map(|(name, class, read)| MinuteLine {
            name,
            class,
            points: per_minute(&minutes, |m| m.at_ms, |m| Some(read(m))),
        })
        .to_vec();
    view! {
        <RatesChart
            name=format!(
                "Lines per minute from {} to {}; the highest is {peak}",
                first.minute,
                last.minute,
            )
            lines
            from_ms=first.at_ms
            to_ms=last.at_ms
            detail=format!(" · per minute, peak {peak} · last hour")
        />
    }
}

/// Conflict lines per synced task over the snapshot's minutes.
#[component]
fn ConflictRate(conflicts: u64, tasks: u64, minutes: usize) -> impl IntoView {
    let rate = if tasks == 0 {
        format!("no synced tasks in the last {minutes} minutes, so no rate ({conflicts} conflicts)")
    } else {
        format!(
            "{} — {conflicts} conflicts over {tasks} synced tasks in the last {minutes} minutes",
            percent(conflicts, tasks)
        )
    };
    view! {
        <p role="status" data-testid="conflict-rate">
            "Sync conflict rate: "
            {rate}
            "."
        </p>
    }
}

/// The watched routes' requests, from the Forest API's request logs.
#[component]
fn SyncRoutes(routes: Vec<RouteStats>, minutes: usize) -> impl IntoView {
    let per_minute = move |requests: u64| {
        let rpm = requests as f64 / minutes.max(1) as f64;
        format!("{rpm:.1}")
    };
    view! {
        <table class="grid" aria-label="Sync routes" data-testid="sync-routes">
            <caption>
                {format!(
                    "Sync routes over the last {minutes} minutes, from the Forest API's request logs (response times in ms)",
                )}
            </caption>
            {grid::head(ROUTE_COLUMNS)}
            <tbody>
                {grid::empty_row(
                    routes.is_empty(),
                    ROUTE_COLUMNS,
                    "No requests to the sync routes in the request logs.",
                )}
                {routes
                    .into_iter()
                    .map(|r| {
                        view! {
                            <tr>
                                <th scope="row">
                                    <code>{r.route}</code>
                                </th>
                                <td>{per_minute(r.requests)}</td>
                                <td>{millis(r.p50_micros)}</td>
                                <td>{millis(r.p95_micros)}</td>
                                <td>{millis(r.p99_micros)}</td>
                                <td>
                                    {format!(
                                        "{} ({} of {})",
                                        percent(r.errors, r.requests),
                                        r.errors,
                                        r.requests,
                                    )}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// `part` of `whole` as a percentage with one decimal.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    let share = part as f64 * 100.0 / whole as f64;
    format!("{share:.1}%")
}

/// Microseconds as milliseconds with one decimal; "—" with no time logged.
fn millis(micros: Option<u64>) -> String {
    micros.map_or_else(
        || "—".to_owned(),
        |m| format!("{}.{}", m / 1_000, (m % 1_000) / 100),
    )
}

#[component]
pub fn LogErrors(watch: ForestWatch) -> impl IntoView {
    let query = use_query_map();
    let filter = move || query.get().get("errors").unwrap_or_default();
    view! {
        <section aria-labelledby="errors-heading">
            <h2 id="errors-heading">"Latest error lines"</h2>
            <form method="get" class="form inline" aria-label="Filter the error lines">
                <label>"Containing" <input type="search" name="errors" prop:value=filter /></label>
                <button type="submit">"Filter"</button>
            </form>
            {when_watching(
                watch,
                move |snapshot| {
                    let needle = filter().to_lowercase();
                    let lines: Vec<_> = snapshot
                        .recent_errors
                        .into_iter()
                        .filter(|e| {
                            needle.is_empty() || e.text.to_lowercase().contains(&needle)
                                || e.file.to_lowercase().contains(&needle)
                        })
                        .collect();
                    view! {
                        <table class="grid" aria-label="Error lines">
                            {grid::head(ERROR_COLUMNS)}
                            <tbody>
                                {grid::empty_row(
                                    lines.is_empty(),
                                    ERROR_COLUMNS,
                                    "No error lines.",
                                )}
                                {lines
                                    .is_empty()
                                    .then(|| {
                                        view! {
                                            <tr>
                                                <td colspan="3">"No error lines."</td>
                                            </tr>
                                        }
                                    })}
                                {lines
                                    .into_iter()
                                    .map(|e| {
                                        view! {
                                            <tr>
                                                <td>{e.at}</td>
                                                <td>{e.file}</td>
                                                <td>
                                                    <code>{e.text}</code>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                },
            )}
        </section>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_sync_routes_and_the_conflict_rate_read_as_a_person_reads_them() {
        let routes = vec![RouteStats {
            route: "GET /api/sync/tasks".into(),
            requests: 300,
            errors: 15,
            p50_micros: Some(12_345),
            p95_micros: Some(250_000),
            p99_micros: None,
        }];
        let html = view! { <SyncRoutes routes minutes=60 /> }.to_html();
        for shown in [
            "the Forest API's request logs",
            "GET /api/sync/tasks",
            "<td>5.0<",
            "<td>12.3<",
            "<td>250.0<",
            "<td>—<",
            "5.0% (15 of 300)",
        ] {
            assert!(html.contains(shown), "{shown} in {html}");
        }
        let rate = view! { <ConflictRate conflicts=3 tasks=120 minutes=60 /> }.to_html();
        assert!(
            rate.contains("2.5% — 3 conflicts over 120 synced tasks in the last 60 minutes"),
            "{rate}"
        );
        let none = view! { <ConflictRate conflicts=0 tasks=0 minutes=60 /> }.to_html();
        assert!(none.contains("no synced tasks"), "{none}");
    }
}
