//! How a setting is named outside `Leptos.toml`: the environment variable
//! that overrides key `key` of section `[section]`. The settings loader
//! reads variables by this rule and the pages tell people to set them by
//! it, so it is written once, here, where both can see it.

/// Prefix of the environment variables that override settings keys.
pub const ENV_PREFIX: &str = "FOREST";

/// The environment variable that overrides `key` of `[section]`:
/// `FOREST_<SECTION>__<KEY>`.
pub fn setting_variable(section: &str, key: &str) -> String {
    format!(
        "{ENV_PREFIX}_{}__{}",
        section.to_uppercase(),
        key.to_uppercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_follows_the_settings_rule() {
        assert_eq!(
            setting_variable("forest_logs", "pool_pattern"),
            "FOREST_FOREST_LOGS__POOL_PATTERN"
        );
        assert_eq!(
            setting_variable("forest", "checkout"),
            "FOREST_FOREST__CHECKOUT"
        );
    }
}
