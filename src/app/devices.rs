//! The Devices page: registrations in total, by platform and app version,
//! new per day for the last 30 days, and how many were seen recently.
//! Before the migration it says that `devices` does not exist yet.

use super::chart::BarChart;
use super::loaded::Loaded;
use super::session::{RequireRole, guarded};
use crate::api::get_devices;
use crate::model::{DeviceStats, LabelledCount, Role};
use leptos::prelude::*;

#[component]
pub fn DevicesPage() -> impl IntoView {
    let stats = guarded(Role::Viewer, || (), |_| get_devices());
    view! {
        <h1>"Devices"</h1>
        <RequireRole role=Role::Viewer>
            <Loaded resource=stats fallback=|| view! { <p>"Counting…"</p> } let:stats>
                <Registrations stats />
            </Loaded>
        </RequireRole>
    }
}

#[component]
fn Registrations(stats: DeviceStats) -> impl IntoView {
    if !stats.exists {
        return view! {
            <p class="notice" role="status">
                "The devices collection does not exist yet: the migration creates it, and devices register once the mobile app syncs."
            </p>
        }
        .into_any();
    }
    let new_in_window: u64 = stats.per_day.iter().map(|d| d.count).sum();
    view! {
        <dl class="figures">
            <div>
                <dt>"Registered devices"</dt>
                <dd data-testid="devices-total">{stats.total}</dd>
            </div>
            <div>
                <dt>"Users with a device"</dt>
                <dd>{stats.users_with_devices}</dd>
            </div>
            <div>
                <dt>"Active in the last 24 hours"</dt>
                <dd>{stats.active_day}</dd>
            </div>
            <div>
                <dt>"Active in the last 7 days"</dt>
                <dd>{stats.active_week}</dd>
            </div>
            <div>
                <dt>{format!("New in the last {} days", stats.per_day.len())}</dt>
                <dd>{new_in_window}</dd>
            </div>
        </dl>
        <BarChart title="New registrations per day (UTC)".to_owned() bars=stats.per_day />
        <Breakdown title="By platform" counts=stats.by_platform />
        <Breakdown title="By app version" counts=stats.by_app_version />
        <p class="detail">{format!("Counted at {}.", stats.counted_at)}</p>
    }
    .into_any()
}

#[component]
fn Breakdown(title: &'static str, counts: Vec<LabelledCount>) -> impl IntoView {
    view! {
        <table class="grid" aria-label=title>
            <thead>
                <tr>
                    <th scope="col">{title}</th>
                    <th scope="col">"Devices"</th>
                </tr>
            </thead>
            <tbody>
                {counts
                    .into_iter()
                    .map(|c| {
                        view! {
                            <tr>
                                <td>{c.label}</td>
                                <td>{c.count}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
