//! A counter that ticks every interval in the browser, for resources that
//! refresh by themselves: put it in the resource's source. It never ticks
//! on the server, so a page without JavaScript is rendered once.

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
