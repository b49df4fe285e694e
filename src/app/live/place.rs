//! A person's place on the page across a form's post. Every form is
//! posted by the browser itself and comes back as a new load of the page,
//! which would start at its top, away from the form just used: the scroll
//! position is noted as the form goes and restored when the same page
//! loads again.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Storage, Window};

/// Where the place waits for the next load, in the tab's session storage.
const KEY: &str = "forest-runbook.place";

/// Restores the place noted for this page, if any, and notes it again
/// whenever a form of the page is posted.
pub fn keep() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(storage) = window.session_storage().ok().flatten() else {
        return;
    };
    restore(&window, &storage);
    let noting = window.clone();
    let on_submit = Closure::<dyn FnMut()>::new(move || {
        if let (Some(path), Ok(y)) = (path(&noting), noting.scroll_y()) {
            // Whole pixels: reading a float back would cost the bundle a
            // float parser.
            let _ = storage.set_item(KEY, &format!("{} {path}", y.round() as i64));
        }
    });
    if let Some(document) = window.document() {
        // Capturing, so a form's own handlers cannot hide the submit.
        let _ = document.add_event_listener_with_callback_and_bool(
            "submit",
            on_submit.as_ref().unchecked_ref(),
            true,
        );
    }
    on_submit.forget();
}

/// Scrolls to the place noted on this page (not another: a post may
/// lead elsewhere), and forgets it.
fn restore(window: &Window, storage: &Storage) {
    let Some(noted) = storage.get_item(KEY).ok().flatten() else {
        return;
    };
    let _ = storage.remove_item(KEY);
    let Some((y, at)) = noted.split_once(' ') else {
        return;
    };
    if let (Ok(y), Some(here)) = (y.parse::<i64>(), path(window))
        && here == at
    {
        window.scroll_to_with_x_and_y(0.0, y as f64);
    }
}

fn path(window: &Window) -> Option<String> {
    window.location().pathname().ok()
}
