//! The Forest API page: the probe of its API, the watch of its server's
//! logs and its Prisma pool as those logs tell it. The panels are standalone components fed by `ForestWatch`, or by
//! `ProbeWatch` alone, so other pages (Monitor, Checklist, Runbook) mount
//! them too.

mod chart;
mod logs;
mod pool;
mod probes;

use super::session::{RequireRole, guarded};
use super::ticker::ticker;
use crate::api::{ProbeNow, forest_api_overview, forest_logs, forest_pool};
use crate::model::{AppError, LogSnapshot, ProbeOverview, Role};
use leptos::prelude::*;
pub use logs::{LogErrors, LogRates};
use pool::PoolPanel;
pub use probes::ProbePanel;
use std::time::Duration;

/// How often a live page asks for new results and counts.
const REFRESH: Duration = Duration::from_secs(3);

/// What the probe panel shows: the probe's results and "Probe now". Create
/// it in the page, outside `RequireRole`, so that it is the same on the
/// server and while hydrating; it loads only for people who may read it.
#[derive(Clone, Copy)]
pub struct ProbeWatch {
    pub overview: Resource<Result<Option<ProbeOverview>, AppError>>,
    pub probe: ServerAction<ProbeNow>,
}

impl ProbeWatch {
    /// For pages that show only the probe panel, refreshed every `REFRESH`.
    pub fn load() -> Self {
        Self::refreshed_by(ticker(REFRESH, || true))
    }

    fn refreshed_by(tick: ReadSignal<u32>) -> Self {
        let probe = ServerAction::<ProbeNow>::new();
        Self {
            overview: guarded(
                Role::Viewer,
                move || (tick.get(), probe.version().get()),
                |_| forest_api_overview(),
            ),
            probe,
        }
    }
}

/// The probe and the logs, for pages that show both; created as
/// `ProbeWatch` is, and refreshed by the same tick.
#[derive(Clone, Copy)]
pub struct ForestWatch {
    pub probes: ProbeWatch,
    pub logs: Resource<Result<Option<LogSnapshot>, AppError>>,
}

impl ForestWatch {
    pub fn load() -> Self {
        Self::refreshed_by(ticker(REFRESH, || true))
    }

    fn refreshed_by(tick: ReadSignal<u32>) -> Self {
        Self {
            probes: ProbeWatch::refreshed_by(tick),
            logs: guarded(Role::Viewer, move || tick.get(), |_| forest_logs()),
        }
    }
}

#[component]
pub fn ForestApiPage() -> impl IntoView {
    let tick = ticker(REFRESH, || true);
    let watch = ForestWatch::refreshed_by(tick);
    let pool = guarded(Role::Viewer, move || tick.get(), |_| forest_pool());
    view! {
        <h1>"Forest API"</h1>
        <RequireRole role=Role::Viewer>
            <ProbePanel watch=watch.probes />
            <LogRates watch />
            <PoolPanel pool />
            <LogErrors watch />
        </RequireRole>
    }
}
