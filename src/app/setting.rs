//! How a page names a setting a person may need to change: the key, its
//! section of Leptos.toml and the environment variable that overrides it
//! (`model::setting_variable`, the rule the settings loader reads by).

use crate::model::setting_variable;
use leptos::prelude::*;

/// "`key` in the `[section]` section of Leptos.toml (or `FOREST_…`)".
#[component]
pub fn Setting(section: &'static str, key: &'static str) -> impl IntoView {
    view! {
        <code>{key}</code>
        " in the "
        <code>{format!("[{section}]")}</code>
        " section of Leptos.toml (or "
        <code>{setting_variable(section, key)}</code>
        ")"
    }
}
