//! The database status in the header, read again in the browser when any
//! area is announced (the change watcher announces them all when the
//! database stops or starts answering; and by the live fallback), rendered
//! once on the server for pages without JavaScript.

use super::live::Live;
use super::resource_codec::PageResource;
use crate::api::get_health;
use crate::model::{AppError, Area, HealthReport};
use leptos::prelude::*;

#[component]
pub fn DatabaseStatus() -> impl IntoView {
    let live = Live::get();
    // Blocking, so that pages served without JavaScript carry the status inline.
    let health =
        PageResource::new_with_options(move || live.of(&Area::SETTLED), |_| get_health(), true);

    view! {
        <div class="db-status" role="status" aria-live="polite" aria-label="Database status">
            <Transition fallback=|| {
                view! { <span class="light light-unknown">"Database: checking…"</span> }
            }>{move || health.get().map(describe)}</Transition>
        </div>
    }
}

fn describe(result: Result<HealthReport, AppError>) -> AnyView {
    match result {
        Ok(report) => {
            let db = report.database;
            let origin = if db.embedded { "embedded" } else { "server" };
            view! {
                <span class="light light-ok" data-state="connected">
                    "Database connected"
                </span>
                <span class="detail">
                    {format!(
                        "{} on {} {} · {:.1} ms · migration {}",
                        db.name,
                        origin,
                        db.version,
                        db.latency_ms,
                        report.migration.state,
                    )}
                </span>
            }
            .into_any()
        }
        Err(error) => view! {
            <span class="light light-down" data-state="unreachable">
                "Database unreachable"
            </span>
            <span class="detail">{error.to_string()}</span>
        }
        .into_any(),
    }
}
