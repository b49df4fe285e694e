//! Makes the page in the browser look like a page read again, touching
//! only what differs: an element whose HTML is the same is left alone, so
//! the focus, a half-typed field, an opened `<details>` and the scroll stay
//! where they were.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

/// Makes `old` look like `new`. An element whose children differ in
/// number or kind is replaced whole; islands draw themselves and are
/// never touched. Equal subtrees are found by the DOM's own comparison
/// (`isEqualNode`), not by serialising each level's HTML again.
pub fn morph(document: &Document, old: &Element, new: &Element) {
    if old.tag_name() == "LEPTOS-ISLAND" || old.is_equal_node(Some(new)) {
        return;
    }
    let (olds, news) = (old.child_nodes(), new.child_nodes());
    let same_shape = old.tag_name() == new.tag_name()
        && olds.length() == news.length()
        && (0..olds.length()).all(|at| match (olds.item(at), news.item(at)) {
            (Some(a), Some(b)) => a.node_name() == b.node_name(),
            _ => false,
        });
    if !same_shape {
        if let Ok(copy) = document.import_node_with_deep(new, true) {
            let _ = old.replace_with_with_node_1(&copy);
        }
        return;
    }
    copy_attributes(old, new);
    for at in 0..olds.length() {
        let (Some(a), Some(b)) = (olds.item(at), news.item(at)) else {
            continue;
        };
        match (a.dyn_ref::<Element>(), b.dyn_ref::<Element>()) {
            (Some(a), Some(b)) => morph(document, a, b),
            _ => {
                if a.text_content() != b.text_content() {
                    a.set_text_content(b.text_content().as_deref());
                }
            }
        }
    }
}

/// Attributes the person sets by using the page, not the server: a
/// `<details>` they opened stays open.
const THE_PERSONS: [(&str, &str); 1] = [("DETAILS", "open")];

/// Gives `old` the attributes of `new`, but for those the person set.
fn copy_attributes(old: &Element, new: &Element) {
    let tag = old.tag_name();
    let names = |element: &Element| {
        element
            .get_attribute_names()
            .iter()
            .filter_map(|name| name.as_string())
            .filter(|name| !THE_PERSONS.contains(&(tag.as_str(), name.as_str())))
            .collect::<Vec<_>>()
    };
    for name in names(new) {
        let value = new.get_attribute(&name).unwrap_or_default();
        if old.get_attribute(&name).as_deref() != Some(value.as_str()) {
            let _ = old.set_attribute(&name, &value);
        }
    }
    for name in names(old) {
        if !new.has_attribute(&name) {
            let _ = old.remove_attribute(&name);
        }
    }
}
