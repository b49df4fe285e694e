//! The island's work in the browser: the change stream, and reading the
//! page again, one read at a time.

use super::morph::morph;
use crate::model::{Area, Changed};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, EventSource, MessageEvent};

const CHANGES: &str = "/api/changes";

/// Where a page shows a running job's progress.
const FOLLOWS_JOB: &str = "[data-follows-job]";

/// Where the header names the person signed in.
const SIGNED_IN: &str = "[data-signed-in]";

/// Opens the change stream for the page's life, when someone is signed in
/// (the stream refuses anyone else). The browser reconnects by itself
/// after a network error; a stream the server refused (the session ended)
/// stays closed.
pub fn listen(read_at: u64) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    mark_live(&document);
    if document.query_selector(SIGNED_IN).ok().flatten().is_none() {
        return;
    }
    let Ok(source) = EventSource::new(CHANGES) else {
        return;
    };
    let reads = Reads::default();
    // The last version this page is known to show.
    let last = Cell::new(read_at);
    let on_changed = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(changed) = event
            .data()
            .as_string()
            .and_then(|text| serde_json::from_slice::<Changed>(text.as_bytes()).ok())
        else {
            return;
        };
        // The greeting has no areas: another version than the page's
        // means announcements it did not see.
        let stale = if changed.areas.is_empty() {
            changed.version != last.get()
        } else {
            changed.areas.iter().any(|area| shown(*area))
        };
        last.set(changed.version);
        if stale {
            reads.request();
        }
    });
    let _ = source.add_event_listener_with_callback("changed", on_changed.as_ref().unchecked_ref());
    // Listens as long as the page is open.
    on_changed.forget();
}

/// True when the page shows `area`.
fn shown(area: Area) -> bool {
    Area::SETTLED.contains(&area)
        || web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(FOLLOWS_JOB).ok().flatten())
            .is_some()
}

/// Reads of the page: one at a time, and one more after it when another
/// was asked for meanwhile (a job's progress is announced every second,
/// and a read may take longer).
#[derive(Clone, Default)]
struct Reads {
    running: Rc<Cell<bool>>,
    again: Rc<Cell<bool>>,
}

impl Reads {
    fn request(&self) {
        if self.running.replace(true) {
            self.again.set(true);
            return;
        }
        let reads = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                reads.again.set(false);
                read_again().await;
                if !reads.again.get() {
                    break;
                }
            }
            reads.running.set(false);
        });
    }
}

/// Reads the page again and morphs the shell into it. A failed read
/// leaves the page as it is; the next announcement tries again.
async fn read_again() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Some(document), Ok(href)) = (window.document(), window.location().href()) else {
        return;
    };
    let Some(text) = fetch_text(&window, &href).await else {
        return;
    };
    let Some(fresh) = web_sys::DomParser::new()
        .and_then(|parser| parser.parse_from_string(&text, web_sys::SupportedType::TextHtml))
        .ok()
    else {
        return;
    };
    if let (Ok(Some(new)), Ok(Some(old))) = (
        fresh.query_selector(".shell"),
        document.query_selector(".shell"),
    ) {
        morph(&document, &old, &new);
        mark_live(&document);
    }
}

async fn fetch_text(window: &web_sys::Window, href: &str) -> Option<String> {
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(href))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}

/// Tells people (and the end-to-end tests) that the page follows changes.
fn mark_live(document: &Document) {
    if let Ok(Some(shell)) = document.query_selector(".shell") {
        let _ = shell.set_attribute("data-hydrated", "true");
    }
}
