//! The Monitor page: charts of the database server, this runbook's
//! connection pool and command latencies, device registrations and sync
//! activity, the migration's progress, and the alerts of the thresholds an
//! admin sets. The range (`?range=`) is the live window, updated as it is
//! sampled, or a longer stretch of the minutes kept in the database.

mod alerts;
pub(super) mod chart;
mod history;
mod live;
mod panels;
mod readout;
pub(super) mod time;

use super::forest_api::{ForestWatch, LogRates, ProbePanel};
use super::loaded::Loaded;
use super::session::{RequireRole, granted_role, guarded};
use crate::api::{ClearThreshold, SetThreshold, get_monitor, get_monitor_history};
use crate::model::{
    AppError, HistoryRange, MonitorHistory, MonitorOverview, Role, Threshold, Window,
};
use alerts::{AlertsPanel, ThresholdsPanel};
pub(super) use history::HistoryView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use panels::{ChartPanel, Group, LastSample, MigrationPanel};

const DATABASE_SERVER: &str = "database server";
const THIS_RUNBOOK: &str = "this runbook's pool";

/// The chart groups, in the order the page shows them.
const GROUPS: [Group; 7] = [
    Group {
        key: "connections",
        title: "Connections",
        whose: DATABASE_SERVER,
        unit: "",
        about: "Connections to the database server (serverStatus): open now, and how many more it accepts.",
    },
    Group {
        key: "ops",
        title: "Operations per second",
        whose: DATABASE_SERVER,
        unit: "/s",
        about: "Operations by type per second on the database server, all clients together, from the change in serverStatus opcounters.",
    },
    Group {
        key: "latency",
        title: "Server latency",
        whose: DATABASE_SERVER,
        unit: " ms",
        about: "Average time per read, write and command on the database server, all clients together (Δlatency / Δops of opLatencies).",
    },
    Group {
        key: "pool",
        title: "Connection pool",
        whose: THIS_RUNBOOK,
        unit: "",
        about: "This runbook's own driver, per server: connections in use and idle, checkouts waiting, and checkouts failed per interval (driver CMAP events). Not the Forest API's pool.",
    },
    Group {
        key: "commands",
        title: "Command latency",
        whose: "this runbook's commands",
        unit: " ms",
        about: "Average round trip of this runbook's own commands by name, from its driver's command events. Not the Forest API's queries.",
    },
    Group {
        key: "devices",
        title: "Device registrations",
        whose: "the Forest database",
        unit: "",
        about: "Registered devices in the devices collection, and new ones in the last 15 minutes.",
    },
    Group {
        key: "sync",
        title: "Sync activity",
        whose: "the Forest database",
        unit: "",
        about: "Tasks and focus sessions written by a mobile client (a string clientId), and users synced in the last hour.",
    },
];

#[component]
pub fn MonitorPage() -> impl IntoView {
    let set = ServerAction::<SetThreshold>::new();
    let clear = ServerAction::<ClearThreshold>::new();
    let overview = guarded(Role::Viewer, || (), |_| get_monitor());
    let query = use_query_map();
    let word = Memo::new(move |_| query.with(|q| q.get("range")).unwrap_or_default());
    let range = move || match word.get().as_str() {
        "" => Ok(HistoryRange::Live),
        word => HistoryRange::parse(word).ok_or_else(|| word.to_owned()),
    };
    let history = guarded(Role::Viewer, move || word.get(), load_history);
    // The Forest application's side: its API probe and its logs' rates.
    let forest = ForestWatch::load();
    view! {
        <h1>"Monitor"</h1>
        <RequireRole role=Role::Viewer>
            <RangeChoice range=Signal::derive(move || range().ok()) />
            {move || match range() {
                Ok(HistoryRange::Live) => {
                    view! {
                        <Loaded resource=overview let:overview>
                            <Dashboard overview set clear />
                        </Loaded>
                    }
                        .into_any()
                }
                Ok(_) => {
                    // A range's history is always there (`load_history`): the
                    // `None` of the live window is never shown here.
                    view! {
                        <Loaded
                            resource=history
                            fallback=|| view! { <p class="muted">"Reading the kept minutes…"</p> }
                            let:history
                        >
                            {history.map(|history| view! { <HistoryView history /> })}
                        </Loaded>
                    }
                        .into_any()
                }
                Err(word) => {
                    view! {
                        <p role="alert">
                            {format!("There is no range {word:?}: choose one above.")}
                        </p>
                    }
                        .into_any()
                }
            }}
            <h2>"The Forest application"</h2>
            <LogRates watch=forest />
            <ProbePanel watch=forest.probes />
        </RequireRole>
    }
}

/// The history of a range named in the address; none for the live window
/// or a word that names no range (the page says so itself).
async fn load_history(word: String) -> Result<Option<MonitorHistory>, AppError> {
    match HistoryRange::parse(&word) {
        None | Some(HistoryRange::Live) => Ok(None),
        Some(range) => get_monitor_history(range.as_str().to_owned())
            .await
            .map(Some),
    }
}

/// Links to each range: plain links, so the choice works without JavaScript.
#[component]
fn RangeChoice(range: Signal<Option<HistoryRange>>) -> impl IntoView {
    let links = HistoryRange::ALL
        .into_iter()
        .map(|choice| {
            let href = match choice {
                HistoryRange::Live => "/monitor".to_owned(),
                other => format!("/monitor?range={}", other.as_str()),
            };
            view! {
                <li>
                    <a
                        href=href
                        aria-current=move || (range.get() == Some(choice)).then_some("page")
                    >
                        {choice.label()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="ranges" aria-label="Range">
            <ul>{links}</ul>
        </nav>
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
    let thresholds = StoredValue::new(overview.thresholds.clone());
    view! {
        <LiveCharts window=overview.window thresholds=overview.thresholds>
            <ThresholdsPanel thresholds series_keys set clear may_edit />
        </LiveCharts>
    }
}

/// The panels that follow the samples: an island, drawn by the browser
/// from the window the server read (its props). `children` (the
/// thresholds' forms) are rendered by the server and posted by the
/// browser itself. The page's live refresh leaves the island alone.
#[island]
fn LiveCharts(window: Window, thresholds: Vec<Threshold>, children: Children) -> impl IntoView {
    let window = RwSignal::new(window);
    let thresholds = StoredValue::new(thresholds);
    let live = RwSignal::new(false);
    live::follow(window, live);
    view! {
        <LastSample window live />
        <noscript>
            <p class="notice">
                "Without JavaScript this page shows the samples as they were when it loaded; reload it for newer ones."
            </p>
        </noscript>
        <div class="panels">
            <AlertsPanel window thresholds />
            <MigrationPanel window />
            {GROUPS
                .into_iter()
                .map(|group| view! { <ChartPanel window thresholds group /> })
                .collect_view()}
            {children()}
        </div>
    }
}
