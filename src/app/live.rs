//! The pages' one refresh mechanism. The server announces which areas
//! changed (`GET /api/changes`); a page names the areas it shows by
//! reading `Live::of` in its resources' sources, and they read again when
//! one of those is announced. While the stream is down (or nobody is
//! signed in) they read again every `FALLBACK_EVERY`, and a stream the
//! browser gave up on is opened again then. Nothing moves on the server,
//! so a page without JavaScript is rendered once.

use crate::model::Area;
use leptos::prelude::*;

/// What every page's resources follow; cheap to copy.
#[derive(Clone, Copy)]
pub struct Live {
    /// Per area, how often it was announced.
    announced: [RwSignal<u32>; Area::ALL.len()],
    /// Ticks every `FALLBACK_EVERY` while the stream is down.
    fallback: RwSignal<u32>,
}

impl Live {
    /// Creates the context; call once, in `App`, after the session.
    pub fn provide() {
        let live = Self {
            announced: std::array::from_fn(|_| RwSignal::new(0)),
            fallback: RwSignal::new(0),
        };
        provide_context(live);
        #[cfg(feature = "hydrate")]
        browser::listen(live);
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// For a resource's source: moves when one of `areas` is announced or
    /// the fallback ticks.
    pub fn of(self, areas: &[Area]) -> u32 {
        areas.iter().fold(self.fallback.get(), |sum, area| {
            sum.wrapping_add(self.announced[area.index()].get())
        })
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Live;
    use crate::app::session::Session;
    use crate::model::{Area, Changed, Role};
    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use std::time::Duration;

    const CHANGES: &str = "/api/changes";

    /// How often pages read again while the change stream is down.
    const FALLBACK_EVERY: Duration = Duration::from_secs(30);

    fn bump(signal: RwSignal<u32>) {
        signal.update(|n| *n = n.wrapping_add(1));
    }

    /// Listens while someone is signed in (the stream refuses anyone
    /// else); ticks the fallback while not connected.
    pub fn listen(live: Live) {
        let session = Session::get();
        // The last version seen, across reconnections.
        let last = Rc::new(Cell::new(None::<u64>));
        Effect::new(move |_| {
            let signed_in = session.allows(Role::Viewer);
            let connected = RwSignal::new(false);
            let held = Rc::new(RefCell::new(
                signed_in
                    .then(|| Connection::open(live, connected, Rc::clone(&last)))
                    .flatten(),
            ));
            let ticking = Rc::clone(&held);
            let last = Rc::clone(&last);
            let tick = move || {
                if connected.get_untracked() {
                    return;
                }
                bump(live.fallback);
                let closed = ticking
                    .borrow()
                    .as_ref()
                    .is_none_or(|c| c.source.ready_state() == EventSource::CLOSED);
                if signed_in && closed {
                    let fresh = Connection::open(live, connected, Rc::clone(&last));
                    *ticking.borrow_mut() = fresh;
                }
            };
            let interval = set_interval_with_handle(tick, FALLBACK_EVERY).ok();
            let held = SendWrapper::new(held);
            on_cleanup(move || {
                if let Some(interval) = interval {
                    interval.clear();
                }
                held.take().borrow_mut().take();
            });
        });
    }

    type Listener = Closure<dyn FnMut(MessageEvent)>;
    type Signal = Closure<dyn FnMut()>;

    /// An open `EventSource` with its listeners; closed when dropped.
    struct Connection {
        source: EventSource,
        _listeners: (Listener, Signal, Signal),
    }

    impl Connection {
        fn open(
            live: Live,
            connected: RwSignal<bool>,
            last: Rc<Cell<Option<u64>>>,
        ) -> Option<Self> {
            let source = EventSource::new(CHANGES).ok()?;
            let on_changed: Listener = Closure::new(move |event: MessageEvent| {
                let Some(changed) = event
                    .data()
                    .as_string()
                    .and_then(|text| serde_json::from_slice::<Changed>(text.as_bytes()).ok())
                else {
                    return;
                };
                // A greeting after a reconnection with another version:
                // announcements were missed, so every area reads again.
                let missed = changed.areas.is_empty()
                    && last.get().is_some_and(|seen| seen != changed.version);
                let areas: &[Area] = if missed { &Area::ALL } else { &changed.areas };
                for area in areas {
                    bump(live.announced[area.index()]);
                }
                last.set(Some(changed.version));
            });
            let on_open: Signal = Closure::new(move || connected.set(true));
            let on_error: Signal = Closure::new(move || connected.set(false));
            let listeners = [
                ("changed", on_changed.as_ref()),
                ("open", on_open.as_ref()),
                ("error", on_error.as_ref()),
            ];
            for (name, listener) in listeners {
                let _ = source.add_event_listener_with_callback(name, listener.unchecked_ref());
            }
            Some(Self {
                source,
                _listeners: (on_changed, on_open, on_error),
            })
        }
    }

    impl Drop for Connection {
        fn drop(&mut self) {
            self.source.close();
        }
    }
}
