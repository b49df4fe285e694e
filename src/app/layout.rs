//! The header: the app's name, the navigation, the database status and
//! who is signed in.

use super::Section;
use super::session::Session;
use super::status::DatabaseStatus;
use crate::model::Role;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
    let session = Session::get();
    view! {
        <header class="masthead">
            <a class="brand" href="/">
                "forest-runbook"
            </a>
            <nav aria-label="Sections">
                <ul>
                    {Section::ALL
                        .into_iter()
                        .map(|section| {
                            view! {
                                <li>
                                    <A href=section.href()>{section.title()}</A>
                                </li>
                            }
                        })
                        .collect_view()} <Transition fallback=|| ()>
                        <Show when=move || session.allows(Role::Admin)>
                            <li>
                                <A href="/users">"Users"</A>
                            </li>
                            <li>
                                <A href="/settings">"Settings"</A>
                            </li>
                        </Show>
                    </Transition>
                </ul>
            </nav>
            <DatabaseStatus />
            <SignedIn />
        </header>
    }
}

#[component]
fn SignedIn() -> impl IntoView {
    let session = Session::get();
    view! {
        <div class="who" aria-label="Signed in as">
            <Transition fallback=|| ()>
                {move || match session.current() {
                    Some(user) => {
                        view! {
                            // The live refresh listens only for someone signed in.
                            <span class="user" data-signed-in="">
                                {user.username}
                                " · "
                                {user.role.label()}
                            </span>
                            // A plain form: signing out reloads the whole page,
                            // so no state of the signed-in person outlives it.
                            <form method="post" action="/api/logout" class="inline">
                                <button type="submit">"Sign out"</button>
                            </form>
                        }
                            .into_any()
                    }
                    None => view! { <A href="/login">"Sign in"</A> }.into_any(),
                }}
            </Transition>
        </div>
    }
}
