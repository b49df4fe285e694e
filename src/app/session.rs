//! Who is signed in, shared by every page: one resource, read once per
//! page on the server.

use crate::api::{Login, who_am_i};
use crate::model::{AppError, CurrentUser, Role};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
}

impl Session {
    /// Creates the session context; call once, in `App`.
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let user = Resource::new_blocking(|| (), |()| who_am_i());
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
/// may not read it. Its own enum, not an `Option`, so that a value that is
/// itself an `Option` ("none yet") never reads as "not allowed".
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
pub type GuardedResource<T> = Resource<Result<Guarded<T>, AppError>>;

/// A resource for the guarded part of a page: it loads `fetch(source())`
/// for people holding `role` and is `Guarded::Hidden` for anyone else.
/// Create it in the page, outside `RequireRole`, so that its read starts
/// with the page's and keeps the request's context.
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
    Resource::new(source, move |input| {
        let user = session.user;
        let load = fetch(input);
        async move {
            match user.await {
                Ok(Some(user)) if user.role.includes(role) => load.await.map(Guarded::Shown),
                _ => Ok(Guarded::Hidden),
            }
        }
    })
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
                            provide_context(user);
                            children().into_any()
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
