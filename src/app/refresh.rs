//! A counter that ticks every period in the browser, for parts that refresh
//! themselves; on the server it never ticks, so the page renders once.

use leptos::prelude::*;
use std::time::Duration;

/// A signal that changes every `period` once the page is live.
pub fn ticker(period: Duration) -> RwSignal<u32> {
    let tick = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let Ok(handle) =
            set_interval_with_handle(move || tick.update(|n| *n = n.wrapping_add(1)), period)
        {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}
