//! Parts of the grid tables that pages share: the head of column titles and
//! the row that says a table is empty.

use leptos::prelude::*;

/// A table head with one column title each.
pub fn head(columns: &'static [&'static str]) -> impl IntoView {
    view! {
        <thead>
            <tr>
                {columns.iter().map(|title| view! { <th scope="col">{*title}</th> }).collect_view()}
            </tr>
        </thead>
    }
}

/// A row spanning `columns.len()` columns with `text`, shown when `empty`.
pub fn empty_row(
    empty: bool,
    columns: &'static [&'static str],
    text: &'static str,
) -> impl IntoView {
    empty.then(|| {
        view! {
            <tr>
                <td colspan=columns.len().to_string()>{text}</td>
            </tr>
        }
    })
}
