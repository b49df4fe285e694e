//! The Forest API page: the probe of its API and the watch of its server's
//! logs. The panels are standalone components fed by `ForestWatch`, so
//! another page (Monitor) can mount them too.

mod chart;
mod logs;
mod probes;

use super::session::{RequireRole, guarded};
use super::ticker::ticker;
use crate::api::{ProbeNow, forest_api_overview, forest_logs};
use crate::model::{AppError, LogSnapshot, ProbeOverview, Role};
use leptos::prelude::*;
pub use logs::{LogErrors, LogRates};
pub use probes::ProbePanel;
use std::time::Duration;

/// How often a live page asks for new results and counts.
const REFRESH: Duration = Duration::from_secs(3);

/// The data the panels show. Create it in the page, outside `RequireRole`,
/// so that it is the same on the server and while hydrating; it loads only
/// for people who may read it.
#[derive(Clone, Copy)]
pub struct ForestWatch {
    pub overview: Resource<Result<Option<ProbeOverview>, AppError>>,
    pub logs: Resource<Result<Option<LogSnapshot>, AppError>>,
    pub probe: ServerAction<ProbeNow>,
}

impl ForestWatch {
    /// Creates the resources and the probe action, refreshed every `REFRESH`.
    pub fn load() -> Self {
        let probe = ServerAction::<ProbeNow>::new();
        let tick = ticker(REFRESH, || true);
        Self {
            overview: guarded(
                Role::Viewer,
                move || (tick.get(), probe.version().get()),
                |_| forest_api_overview(),
            ),
            logs: guarded(Role::Viewer, move || tick.get(), |_| forest_logs()),
            probe,
        }
    }
}

#[component]
pub fn ForestApiPage() -> impl IntoView {
    let watch = ForestWatch::load();
    view! {
        <h1>"Forest API"</h1>
        <RequireRole role=Role::Viewer>
            <ProbePanel watch />
            <LogRates watch />
            <LogErrors watch />
        </RequireRole>
    }
}
