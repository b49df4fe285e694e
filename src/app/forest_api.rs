//! The Forest API page: the probe of its API, the watch of its server's
//! logs and its Prisma pool as those logs tell it. The panels are standalone components fed by `ForestWatch`, or by
//! `ProbeWatch` alone, so other pages (Monitor, Checklist, Runbook) mount
//! them too.

mod chart;
mod logs;
mod pool;
mod probes;

use super::session::{GuardedResource, RequireRole, guarded};
use crate::api::{ProbeNow, forest_api_overview, forest_logs, forest_pool};
use crate::model::{LogSnapshot, ProbeOverview, Role};
use leptos::prelude::*;
pub use logs::{LogErrors, LogRates};
use pool::PoolPanel;
pub use probes::ProbePanel;

/// What the probe panel shows: the probe's results and "Probe now". Create
/// it in the page, outside `RequireRole` (see `guarded`); it loads only
/// for people who may read it.
#[derive(Clone, Copy)]
pub struct ProbeWatch {
    pub overview: GuardedResource<ProbeOverview>,
    pub probe: ServerAction<ProbeNow>,
}

impl ProbeWatch {
    /// Read again when the Forest area is announced.
    pub fn load() -> Self {
        let probe = ServerAction::<ProbeNow>::new();
        Self {
            overview: guarded(Role::Viewer, || (), |_| forest_api_overview()),
            probe,
        }
    }
}

/// The probe and the logs, for pages that show both; created as
/// `ProbeWatch` is, and read again with it.
#[derive(Clone, Copy)]
pub struct ForestWatch {
    pub probes: ProbeWatch,
    pub logs: GuardedResource<LogSnapshot>,
}

impl ForestWatch {
    pub fn load() -> Self {
        Self {
            probes: ProbeWatch::load(),
            logs: guarded(Role::Viewer, || (), |_| forest_logs()),
        }
    }
}

#[component]
pub fn ForestApiPage() -> impl IntoView {
    let watch = ForestWatch::load();
    let pool = guarded(Role::Viewer, || (), |_| forest_pool());
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
