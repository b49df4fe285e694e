//! How pages show errors: the last failure of a form's action, and why a
//! part of a page could not load.

use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The last error of `action`, as an alert; nothing after a success.
pub fn action_error<A>(action: ServerAction<A>) -> impl Fn() -> Option<AnyView> + Copy
where
    A: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|error| view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any())
    }
}

/// Why a part of a page could not load: an alert, or, inside a table's
/// body, a row spanning `columns` that says why the table is empty.
pub fn load_error(error: &AppError, columns: Option<u8>) -> AnyView {
    match columns {
        None => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        Some(columns) => view! {
            <tr>
                <td colspan=columns.to_string() role="alert">{error.to_string()}</td>
            </tr>
        }
        .into_any(),
    }
}
