//! A section whose page is not built yet: it says what it will hold.

use super::Section;
use leptos::prelude::*;

#[component]
pub fn PlannedPage(section: Section) -> impl IntoView {
    view! {
        <h1>{section.title()}</h1>
        <p class="lead">{section.summary()}</p>
        <p class="notice" role="note">
            "This page is not available yet in this version of forest-runbook."
        </p>
    }
}
