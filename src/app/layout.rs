//! The header: the app's name, the navigation and the database status.

use super::Section;
use super::status::DatabaseStatus;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Header() -> impl IntoView {
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
                        .collect_view()}
                </ul>
            </nav>
            <DatabaseStatus />
        </header>
    }
}
