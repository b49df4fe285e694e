//! The Monitor page: live charts of the database server, this app's
//! connection pool and command latencies, device registrations and sync
//! activity, the migration's progress, and the alerts of the thresholds an
//! admin sets. Built of separate panels sharing one window of samples.

mod alerts;
mod chart;
mod live;
mod panels;

use super::forest_api::{ForestWatch, LogRates, ProbePanel};
use super::session::{RequireRole, granted_role, guarded};
use crate::api::{ClearThreshold, SetThreshold, monitor_overview};
use crate::model::{AppError, MonitorOverview, Role};
use alerts::{AlertsPanel, ThresholdsPanel};
use leptos::prelude::*;
use panels::{ChartPanel, LastSample, MigrationPanel};

/// The chart panels: group of series, title, unit, and what the values mean.
const CHARTS: [(&str, &str, &str, &str); 7] = [
    (
        "connections",
        "Connections",
        "",
        "Connections to the database server (serverStatus): open now, and how many more it accepts.",
    ),
    (
        "ops",
        "Operations per second",
        "/s",
        "Operations by type per second, from the change in serverStatus opcounters.",
    ),
    (
        "latency",
        "Server latency",
        " ms",
        "Average time per read, write and command on the server (Δlatency / Δops of opLatencies).",
    ),
    (
        "pool",
        "This app's connection pool",
        "",
        "Per server: connections in use and idle, checkouts waiting, and checkouts failed per interval (driver CMAP events).",
    ),
    (
        "commands",
        "This app's command latency",
        " ms",
        "Average round trip of this app's commands by name, from the driver's command events.",
    ),
    (
        "devices",
        "Device registrations",
        "",
        "Registered devices in total, and new ones in the last 15 minutes.",
    ),
    (
        "sync",
        "Sync activity",
        "",
        "Tasks and focus sessions written by a mobile client (a string clientId), and users synced in the last hour.",
    ),
];

#[component]
pub fn MonitorPage() -> impl IntoView {
    let set = ServerAction::<SetThreshold>::new();
    let clear = ServerAction::<ClearThreshold>::new();
    let overview = guarded(
        Role::Viewer,
        move || (set.version().get(), clear.version().get()),
        |_| monitor_overview(),
    );
    // The Forest application's side: its API probe and its logs' rates.
    let forest = ForestWatch::load();
    view! {
        <h1>"Monitor"</h1>
        <RequireRole role=Role::Viewer>
            <Transition fallback=|| ()>
                {move || {
                    overview
                        .get()
                        .map(|result: Result<Option<MonitorOverview>, AppError>| match result {
                            Ok(None) => ().into_any(),
                            Ok(Some(overview)) => view! { <Dashboard overview set clear /> }.into_any(),
                            Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                        })
                }}
            </Transition>
            <h2>"The Forest application"</h2>
            <LogRates watch=forest />
            <ProbePanel watch=forest.probes />
        </RequireRole>
    }
}

#[component]
fn Dashboard(
    overview: MonitorOverview,
    set: ServerAction<SetThreshold>,
    clear: ServerAction<ClearThreshold>,
) -> impl IntoView {
    let may_edit = granted_role().is_some_and(|r| r.includes(Role::Admin));
    let series_keys: Vec<String> = overview.window.series.keys().cloned().collect();
    let window = RwSignal::new(overview.window);
    let thresholds = StoredValue::new(overview.thresholds);
    let live = RwSignal::new(false);
    live::follow(window, live);
    view! {
        <LastSample window live />
        <noscript>
            <p class="notice">"Without JavaScript this page shows the samples as they were when it loaded; reload it for newer ones."</p>
        </noscript>
        <div class="panels">
            <AlertsPanel window thresholds />
            <MigrationPanel window />
            {CHARTS
                .into_iter()
                .map(|(group, title, unit, about)| {
                    view! { <ChartPanel window thresholds group title unit about /> }
                })
                .collect_view()}
            <ThresholdsPanel thresholds series_keys set clear may_edit />
        </div>
    }
}
