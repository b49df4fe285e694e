//! The one way a part of a page shows a guarded resource (`session::guarded`):
//! a fallback while it first loads, the error when it failed, nothing for
//! someone who may not see it, and its view once it is there.

use super::feedback::load_error;
use crate::app::session::{Guarded, GuardedResource};
use leptos::prelude::*;

/// Shows `children(value)` once `resource` holds a value, and `fallback`
/// (nothing by default) until then. A failed load shows its error as an
/// alert, or, with `columns`, as a row across that many columns of the
/// table body it sits in. `Guarded::Hidden` shows
/// nothing: the person may not read it, and `RequireRole` says so.
#[component]
pub fn Loaded<T, F, V>(
    resource: GuardedResource<T>,
    #[prop(optional, into)] fallback: ViewFnOnce,
    #[prop(optional, into)] columns: Option<u8>,
    children: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(Guarded::Shown(value)) => children(value).into_view().into_any(),
                        Ok(Guarded::Hidden) => ().into_any(),
                        Err(error) => load_error(&error, columns),
                    }
                })
            }}
        </Transition>
    }
}
