//! How a page names a setting a person may need to change: the key, its
//! section of Leptos.toml and the environment variable that overrides it,
//! spelt by the one rule the settings follow (`FOREST_<SECTION>__<KEY>`).

use leptos::prelude::*;

/// The environment variable that overrides `key` of `[section]`.
fn variable(section: &str, key: &str) -> String {
    format!("FOREST_{}__{}", section.to_uppercase(), key.to_uppercase())
}

/// "`key` in the `[section]` section of Leptos.toml (or `FOREST_…`)".
#[component]
pub fn Setting(section: &'static str, key: &'static str) -> impl IntoView {
    view! {
        <code>{key}</code>
        " in the "
        <code>{format!("[{section}]")}</code>
        " section of Leptos.toml (or "
        <code>{variable(section, key)}</code>
        ")"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_follows_the_settings_rule() {
        assert_eq!(
            variable("forest_logs", "pool_pattern"),
            "FOREST_FOREST_LOGS__POOL_PATTERN"
        );
        assert_eq!(variable("forest", "checkout"), "FOREST_FOREST__CHECKOUT");
    }
}
