//! The database status in the header. Every page shows it, so every
//! settled area's announcement reads the page again (`live.rs`); the
//! change watcher announces them all when the database stops or starts
//! answering.

use crate::api::get_health;
use crate::model::{AppError, HealthReport};
use leptos::prelude::*;

#[component]
pub fn DatabaseStatus() -> impl IntoView {
    // Blocking, so that the page carries the status inline.
    let health = Resource::new_blocking(|| (), |()| get_health());

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
