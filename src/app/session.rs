//! Who is signed in, shared by every page: one resource, refreshed after
//! each sign-in (signing out reloads the page).

use super::resource_codec::PageResource;
use crate::api::{Login, who_am_i};
use crate::model::{AppError, CurrentUser, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy)]
pub struct Session {
    pub user: PageResource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
}

impl Session {
    /// Creates the session context; call once, in `App`.
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let user =
            PageResource::new_with_options(move || login.version().get(), |_| who_am_i(), true);
        let session = Self { user, login };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// The signed-in person, once known.
    pub fn current(&self) -> Option<CurrentUser> {
        self.user.get().and_then(Result::ok).flatten()
    }

    /// True when the signed-in person holds at least `role`.
    pub fn allows(&self, role: Role) -> bool {
        self.current().is_some_and(|user| user.role.includes(role))
    }
}

/// What a guarded resource holds: the value, or nothing because the person
/// may not read it. Its own enum, not an `Option`: a value that is itself
/// an `Option` would nest, JSON writes `Some(None)` as `null`, and the
/// browser would read "not allowed" where the server rendered "none yet",
/// hydrating other markup than the server sent (see the tests).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Guarded<T> {
    Hidden,
    Shown(T),
}

impl<T> Guarded<T> {
    /// The value, for someone who may read it.
    pub fn shown(self) -> Option<T> {
        match self {
            Self::Shown(value) => Some(value),
            Self::Hidden => None,
        }
    }
}

/// A guarded part of a page's resource.
pub type GuardedResource<T> = PageResource<Result<Guarded<T>, AppError>>;

/// A resource for the guarded part of a page: it loads `fetch(source())`
/// for people holding `role` and is `Guarded::Hidden` for anyone else.
/// Create it in the page, outside `RequireRole`, so that it is the same
/// resource on the server and while hydrating and keeps the request's
/// context.
pub fn guarded<S, T, Fut>(
    role: Role,
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> GuardedResource<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let session = Session::get();
    PageResource::new_with_options(
        // Not `allows`: before the session has loaded it says no, and a
        // value computed from that could be the one sent to the browser.
        move || (session.login.version().get(), source()),
        move |(_, input)| {
            let user = session.user;
            let load = fetch(input);
            async move {
                match user.await {
                    Ok(Some(user)) if user.role.includes(role) => load.await.map(Guarded::Shown),
                    _ => Ok(Guarded::Hidden),
                }
            }
        },
        false,
    )
}

/// The role of the person `RequireRole` let in; for its children.
pub fn granted_role() -> Option<Role> {
    use_context::<CurrentUser>().map(|user| user.role)
}

/// Shows `children` to people holding `role`; others see why not. The
/// children can read the person with `granted_role`.
#[component]
pub fn RequireRole(role: Role, children: ChildrenFn) -> impl IntoView {
    let session = Session::get();
    view! {
        <Suspense fallback=|| {
            view! { <p>"Checking your sign-in…"</p> }
        }>
            {move || {
                let children = children.clone();
                session
                    .user
                    .get()
                    .map(move |user| match user {
                        Ok(Some(user)) if user.role.includes(role) => {
                            let ready = RwSignal::new(false);
                            Effect::new(move |_| ready.set(true));
                            provide_context(user);
                            // Set once this part is live in the browser; until
                            // then a click would submit a form the plain way.
                            // The children read who is signed in from here: the
                            // same value on the server and while hydrating.
                            view! {
                                <div data-ready=move || ready.get().to_string()>{children()}</div>
                            }
                                .into_any()
                        }
                        Ok(Some(user)) => {
                            view! {
                                <p class="notice" role="alert">
                                    {AppError::Forbidden {
                                        required: role,
                                        actual: user.role,
                                    }
                                        .to_string()}
                                </p>
                            }
                                .into_any()
                        }
                        Ok(None) => {
                            view! {
                                <p class="notice" role="alert">
                                    "Please "
                                    <a href="/login">"sign in"</a>
                                    " to see this page."
                                </p>
                            }
                                .into_any()
                        }
                        Err(error) => {
                            view! {
                                <p class="notice" role="alert">
                                    {error.to_string()}
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::Guarded;
    use crate::model::AppError;

    fn round_trip<T>(value: &T) -> T
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        let text = serde_json::to_string(value).expect("serialises");
        serde_json::from_str(&text).expect("deserialises")
    }

    #[test]
    fn a_guarded_value_that_is_an_option_survives_the_trip_to_the_browser() {
        // What a guarded resource of `backup_progress` sends with no job
        // yet. As a nested `Option` the browser would read "not allowed";
        // the resource then hydrates other markup than the server's.
        let nested: Result<Option<Option<u8>>, AppError> = Ok(Some(None));
        assert_eq!(round_trip(&nested), Ok(None));
        let guarded: Result<Guarded<Option<u8>>, AppError> = Ok(Guarded::Shown(None));
        assert_eq!(round_trip(&guarded), guarded);
        let hidden: Result<Guarded<Option<u8>>, AppError> = Ok(Guarded::Hidden);
        assert_eq!(round_trip(&hidden), hidden);
    }
}
