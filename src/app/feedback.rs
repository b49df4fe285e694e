//! How pages show errors: the last failure of a form's action, and a
//! failed load inside a table.

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

/// A table row spanning `columns` that says why the table is empty.
pub fn error_row(columns: u8, error: &AppError) -> AnyView {
    view! {
        <tr>
            <td colspan=columns.to_string() role="alert">{error.to_string()}</td>
        </tr>
    }
    .into_any()
}
