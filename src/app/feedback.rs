//! How pages run actions and show errors: the form that runs a server
//! function, the button of a step with its last failure, and why a part of
//! a page could not load.

use crate::model::AppError;
use leptos::prelude::*;
use leptos::server_fn::client::Client;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::request::ClientReq;
use leptos::server_fn::{Http, ServerFn};
use serde::de::DeserializeOwned;

/// A server function that a page's form runs. Its bounds are `ActionForm`'s,
/// said once here instead of at every generic form.
pub trait FormAction:
    ServerFn<Error = AppError, Output: Clone + Send + Sync + 'static> + Clone + Send + Sync + 'static
{
    /// An inline form with `fields` and a submit button that runs `action`.
    fn form(action: ServerAction<Self>, fields: AnyView, button: &'static str) -> AnyView;
}

impl<A, P> FormAction for A
where
    A: ServerFn<Error = AppError, Protocol = Http<PostUrl, P>>
        + DeserializeOwned
        + Clone
        + Send
        + Sync
        + 'static,
    A::Output: Clone + Send + Sync + 'static,
    A::Client: Client<AppError>,
    <<A::Client as Client<AppError>>::Request as ClientReq<AppError>>::FormData:
        From<leptos::web_sys::FormData>,
{
    fn form(action: ServerAction<Self>, fields: AnyView, button: &'static str) -> AnyView {
        view! {
            <ActionForm action attr:class="inline">
                {fields}
                <button type="submit">{button}</button>
            </ActionForm>
        }
        .into_any()
    }
}

/// A step's button, for people who `may` run it (the server refuses
/// others anyway), and the action's last error.
pub fn step_button<A: FormAction>(
    action: ServerAction<A>,
    button: &'static str,
    may: bool,
) -> impl IntoView {
    view! {
        {may.then(|| A::form(action, ().into_any(), button))}
        {action_error(action)}
    }
}

/// The last error of `action`, as an alert; nothing after a success.
pub fn action_error<A>(action: ServerAction<A>) -> impl Fn() -> Option<AnyView> + Copy
where
    A: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::err).map(|error| {
            view! {
                <p class="error" role="alert">
                    {error.to_string()}
                </p>
            }
            .into_any()
        })
    }
}

/// Why a part of a page could not load: an alert, or, inside a table's
/// body, a row spanning `columns` that says why the table is empty.
pub fn load_error(error: &AppError, columns: Option<u8>) -> AnyView {
    match columns {
        None => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        Some(columns) => view! {
            <tr>
                <td colspan=columns.to_string() role="alert">
                    {error.to_string()}
                </td>
            </tr>
        }
        .into_any(),
    }
}
