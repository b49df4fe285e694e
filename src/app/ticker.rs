//! A counter that ticks every interval in the browser, for resources that
//! refresh by themselves: put it in the resource's source. It never ticks
//! on the server, so a page without JavaScript is rendered once.

use crate::model::AppError;
use leptos::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// How often a page reads again while something it shows is running.
pub const LIVE_EVERY: Duration = Duration::from_secs(1);
/// How often a page reads again otherwise, so that what someone else
/// starts shows up without a reload.
pub const IDLE_EVERY: Duration = Duration::from_secs(5);

/// Ticks every `every` while `active()` holds.
pub fn ticker(
    every: Duration,
    active: impl Fn() -> bool + Send + Sync + 'static,
) -> ReadSignal<u32> {
    let (tick, set_tick) = signal(0_u32);
    let active = Arc::new(active);
    Effect::new(move |_| {
        let active = Arc::clone(&active);
        let advance = move || {
            if untrack(|| active()) {
                set_tick.update(|n| *n = n.wrapping_add(1));
            }
        };
        if let Ok(handle) = set_interval_with_handle(advance, every) {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}

/// What keeps a page's resource fresh for everyone watching it: read
/// `ticks()` in the resource's source, then `follow` the resource with
/// what says that something it shows is running. It reads again every
/// `LIVE_EVERY` while something runs, every `IDLE_EVERY` otherwise.
#[derive(Clone, Copy)]
pub struct Refresh {
    running: RwSignal<bool>,
    live: ReadSignal<u32>,
    idle: ReadSignal<u32>,
}

impl Refresh {
    /// `also`: something of this page's own that runs (a pending action).
    pub fn new(also: impl Fn() -> bool + Send + Sync + 'static) -> Self {
        let running = RwSignal::new(false);
        let live = ticker(LIVE_EVERY, move || running.get() || also());
        let idle = ticker(IDLE_EVERY, || true);
        Self {
            running,
            live,
            idle,
        }
    }

    /// For the resource's source.
    pub fn ticks(self) -> (u32, u32) {
        (self.live.get(), self.idle.get())
    }

    /// Reads every `LIVE_EVERY` while `runs` holds of the loaded value.
    pub fn follow<T>(
        self,
        resource: Resource<Result<Option<T>, AppError>>,
        runs: impl Fn(&T) -> bool + Send + Sync + 'static,
    ) where
        T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    {
        Effect::new(move |_| {
            let now = resource
                .get()
                .and_then(Result::ok)
                .flatten()
                .is_some_and(|value| runs(&value));
            self.running.set(now);
        });
    }
}
