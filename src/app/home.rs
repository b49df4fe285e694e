//! Home: the deployment at a glance (`glance`), what the migration does,
//! and where each section is.

mod glance;

use super::Section;
use glance::Glance;
use leptos::prelude::*;

/// Phase 0 as people read it; the migration declaration is the source of truth.
const CHANGES: [&str; 4] = [
    "New collection devices, with a unique index on deviceId and an index on userId.",
    "users gains a nullable lastSyncedAt, indexed.",
    "tasks gains a nullable clientId, unique when it is a string.",
    "focus_sessions gains a nullable clientId, unique when it is a string.",
];

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <h1>"Phase 0: mobile sync"</h1>
        <p class="lead">
            "forest-runbook carries the Forest database through the migration "
            <code>"add_mobile_sync_support"</code> ", step by step, with everyone watching."
        </p>
        <Glance />
        <h2>"What the migration changes"</h2>
        <ul class="changes">
            {CHANGES.into_iter().map(|change| view! { <li>{change}</li> }).collect_view()}
        </ul>
        <p>"No existing document is rewritten: every new field is optional."</p>
        <h2>"Sections"</h2>
        <dl class="sections">
            {Section::ALL
                .into_iter()
                .map(|section| {
                    view! {
                        <dt>
                            <a href=section.href()>{section.title()}</a>
                        </dt>
                        <dd>{section.summary()}</dd>
                    }
                })
                .collect_view()}
        </dl>
    }
}
