//! Live updates in the browser: one `EventSource` on the monitor's events.
//! It receives the server's buffered window first (again after every
//! reconnect), then each sample; the browser reconnects by itself.

use crate::model::Window;
use leptos::prelude::*;

/// Follows the server's samples into `window` once the page is hydrated;
/// `live` turns true with the first window received. Does nothing on the
/// server, where effects do not run.
pub fn follow(window: RwSignal<Window>, live: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::open(window, live));
    #[cfg(not(feature = "hydrate"))]
    let _ = (window, live);
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::model::{Sample, Window};
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    const EVENTS: &str = "/api/monitor/events";

    type Listener = Closure<dyn FnMut(MessageEvent)>;

    pub fn open(window: RwSignal<Window>, live: RwSignal<bool>) {
        let Ok(source) = EventSource::new(EVENTS) else {
            return;
        };
        let on_window: Listener = Closure::new(move |event: MessageEvent| {
            if let Some(fresh) = parse::<Window>(&event) {
                window.set(fresh);
                live.set(true);
            }
        });
        let on_sample: Listener = Closure::new(move |event: MessageEvent| {
            if let Some(sample) = parse::<Sample>(&event) {
                window.update(|w| {
                    w.push(&sample);
                });
            }
        });
        for (name, listener) in [("window", &on_window), ("sample", &on_sample)] {
            let _ =
                source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        // The listeners live as long as the connection, which closes when
        // the page's dashboard goes away.
        let held = SendWrapper::new((source, on_window, on_sample));
        on_cleanup(move || {
            let (source, ..) = held.take();
            source.close();
        });
    }

    fn parse<T: serde::de::DeserializeOwned>(event: &MessageEvent) -> Option<T> {
        // From bytes, as the change stream's announcements (`app/live`).
        serde_json::from_slice(event.data().as_string()?.as_bytes()).ok()
    }
}
