//! The database status in the header, refreshed every few seconds in the
//! browser and rendered once on the server for pages without JavaScript.

use super::ticker::ticker;
use crate::api::get_health;
use crate::model::{AppError, HealthReport};
use leptos::prelude::*;
use std::time::Duration;

const REFRESH: Duration = Duration::from_secs(5);

#[component]
pub fn DatabaseStatus() -> impl IntoView {
    let tick = ticker(REFRESH, || true);
    // Blocking, so that pages served without JavaScript carry the status inline.
    let health = Resource::new_blocking(move || tick.get(), |_| get_health());

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
