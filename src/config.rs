//! The app's runtime settings: `Leptos.toml` layered under environment
//! variables. Owns parsing and validation; nothing here touches the network.

mod forest;
mod notify;
mod server;

pub use forest::{ForestApiSettings, ForestLogsSettings, ForestSettings, ProbeTarget};
pub use notify::{NotifySettings, Webhook, WebhookFormat};
use secrecy::SecretString;
use serde::Deserialize;
pub use server::ServerSettings;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::model::ENV_PREFIX;
/// Default settings file, relative to the working folder.
pub const DEFAULT_FILE: &str = "Leptos.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read settings from {path}: {source}")]
    Load {
        path: PathBuf,
        #[source]
        source: config::ConfigError,
    },
    #[error("settings file {0} does not exist")]
    Missing(PathBuf),
    #[error("invalid setting {key}: {reason}")]
    Invalid { key: &'static str, reason: String },
}

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub paths: PathSettings,
    pub backup: BackupSettings,
    pub staging: StagingSettings,
    pub monitor: MonitorSettings,
    pub auth: AuthSettings,
    pub site: SiteSettings,
    pub forest: ForestSettings,
    pub forest_api: ForestApiSettings,
    pub forest_logs: ForestLogsSettings,
    pub notify: NotifySettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    /// Empty when the embedded server is to be used.
    pub uri: String,
    pub name: String,
    pub data_dir: PathBuf,
    pub server_binary: PathBuf,
    pub start_timeout_secs: u64,
    pub seed_demo_data: bool,
    pub demo_messy: bool,
    /// For tests only: the password of every demo account. Empty (the
    /// default): each gets a random one, printed once at first start.
    pub demo_password: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PathSettings {
    pub backups_dir: PathBuf,
    pub logs_dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BackupSettings {
    pub reserve_mb: u64,
    pub fresh_hours: u64,
}

/// Where a rehearsal's scratch copy goes.
#[derive(Debug, Clone, Deserialize)]
pub struct StagingSettings {
    /// A MongoDB connection string; empty: the production server.
    pub uri: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MonitorSettings {
    pub sample_interval_secs: u64,
    /// Seconds between two readings of the device and sync counts.
    pub count_interval_secs: u64,
    /// Empty: `GET /metrics` is open. Otherwise scrapers must send
    /// `Authorization: Bearer <token>`.
    pub metrics_token: SecretString,
    /// Days the monitor's history keeps each minute (a TTL index).
    pub history_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    pub session_hours: u64,
    /// Hours an account must have held its admin powers before it may
    /// approve a four-eyes request.
    pub approver_wait_hours: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SiteSettings {
    pub root: PathBuf,
    pub pkg_dir: String,
}

/// Where the environment comes from; a trait so tests can layer settings
/// without touching the process environment.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
    fn vars(&self) -> Vec<(String, String)>;
}

/// The real process environment.
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn vars(&self) -> Vec<(String, String)> {
        std::env::vars().collect()
    }
}

impl Settings {
    /// Loads `file` and applies the overrides of `env`. The file must exist
    /// unless it is the default one, whose absence leaves the built-in
    /// defaults in force.
    pub fn load(file: &Path, env: &impl EnvSource) -> Result<Self, ConfigError> {
        let required = file != Path::new(DEFAULT_FILE);
        if required && !file.exists() {
            return Err(ConfigError::Missing(file.to_path_buf()));
        }
        let load_error = |source| ConfigError::Load {
            path: file.to_path_buf(),
            source,
        };
        let overrides = env_overrides(env);
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(
                config::File::from(file)
                    .format(config::FileFormat::Toml)
                    .required(required),
            );
        for (key, value) in overrides {
            builder = builder.set_override(key, value).map_err(load_error)?;
        }
        if let Some(uri) = env
            .var("MONGODB_URI")
            .or_else(|| env.var("DATABASE_URL"))
            .filter(|uri| !uri.trim().is_empty())
        {
            builder = builder
                .set_override("database.uri", uri)
                .map_err(load_error)?;
        }
        let mut settings: Settings = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(load_error)?;
        settings
            .forest
            .adopt_legacy_checkout(&mut settings.forest_logs)?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.database.name.trim().is_empty() {
            return Err(invalid("database.name", "must not be empty"));
        }
        if self.database.name.contains(['/', '\\', '.', ' ', '"', '$']) {
            return Err(invalid(
                "database.name",
                "must not contain / \\ . space \" or $",
            ));
        }
        let pkg = &self.site.pkg_dir;
        if pkg.is_empty() || pkg.starts_with('.') || pkg.contains(['/', '\\']) || pkg == "api" {
            return Err(invalid(
                "site.pkg_dir",
                "must be one folder name, not starting with a dot, and not api",
            ));
        }
        if self.monitor.sample_interval_secs == 0 {
            return Err(invalid(
                "monitor.sample_interval_secs",
                "must be at least 1",
            ));
        }
        if self.monitor.count_interval_secs == 0 {
            return Err(invalid("monitor.count_interval_secs", "must be at least 1"));
        }
        if !(1..=366).contains(&self.monitor.history_days) {
            return Err(invalid("monitor.history_days", "must be between 1 and 366"));
        }
        if !(1..=24 * 30).contains(&self.auth.session_hours) {
            return Err(invalid("auth.session_hours", "must be between 1 and 720"));
        }
        if self.database.start_timeout_secs == 0 {
            return Err(invalid("database.start_timeout_secs", "must be at least 1"));
        }
        if !self.database.demo_password.is_empty() && self.database.demo_password.len() < 12 {
            return Err(invalid(
                "database.demo_password",
                "must be empty or at least 12 characters",
            ));
        }
        let staging = self.staging.uri.trim();
        if !staging.is_empty()
            && !staging.starts_with("mongodb://")
            && !staging.starts_with("mongodb+srv://")
        {
            return Err(invalid(
                "staging.uri",
                "must be empty or a mongodb:// or mongodb+srv:// connection string",
            ));
        }
        self.server.validate()?;
        self.forest_api.validate()?;
        self.forest_logs.validate()?;
        self.notify.validate()
    }

    /// True when no URI is configured and the embedded server is to be used.
    pub fn uses_embedded_database(&self) -> bool {
        self.database.uri.trim().is_empty()
    }

    pub fn session_lifetime(&self) -> Duration {
        Duration::from_secs(self.auth.session_hours * 3_600)
    }

    pub fn approver_wait(&self) -> Duration {
        Duration::from_secs(self.auth.approver_wait_hours.saturating_mul(3_600))
    }

    pub fn sample_interval(&self) -> Duration {
        Duration::from_secs(self.monitor.sample_interval_secs)
    }

    pub fn count_interval(&self) -> Duration {
        Duration::from_secs(self.monitor.count_interval_secs)
    }

    /// How long the monitor's history keeps a minute.
    pub fn history_kept(&self) -> Duration {
        Duration::from_secs(u64::from(self.monitor.history_days) * 86_400)
    }
}

fn invalid(key: &'static str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        key,
        reason: reason.to_owned(),
    }
}

/// `FOREST_SECTION__KEY=value` pairs as `section.key` overrides. The
/// settings-file selector and `database.uri` have their own variables.
fn env_overrides(env: &impl EnvSource) -> Vec<(String, String)> {
    let prefix = format!("{ENV_PREFIX}_");
    let mut overrides: Vec<(String, String)> = env
        .vars()
        .into_iter()
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix(&prefix)?;
            let (section, key) = rest.split_once("__")?;
            let key = format!("{}.{}", section.to_lowercase(), key.to_lowercase());
            (key != "database.uri").then_some((key, value))
        })
        .collect();
    overrides.sort();
    overrides
}

/// The built-in defaults: the shipped `Leptos.toml`, which documents each
/// key, so a settings file need name only what it changes.
const DEFAULTS: &str = include_str!("../Leptos.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<String, String>);

    impl FakeEnv {
        fn new(pairs: &[(&str, &str)]) -> Self {
            Self(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            )
        }
    }

    impl EnvSource for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }

        fn vars(&self) -> Vec<(String, String)> {
            self.0.clone().into_iter().collect()
        }
    }

    fn file_with(contents: &str) -> tempfile::NamedTempFile {
        let file = tempfile::Builder::new()
            .suffix(".toml")
            .tempfile()
            .expect("temp file");
        std::fs::write(file.path(), contents).expect("write settings");
        file
    }

    #[test]
    fn an_empty_settings_file_leaves_the_shipped_defaults_in_force() {
        let empty = file_with("");
        let defaults = Settings::load(empty.path(), &FakeEnv::new(&[])).expect("defaults");
        assert!(defaults.uses_embedded_database());
        assert_eq!(defaults.sample_interval(), Duration::from_secs(2));
        assert_eq!(defaults.database.name, "forest");
        assert_eq!(defaults.server.address.port(), 3000);
    }

    #[test]
    fn the_variable_the_pages_name_is_the_one_the_loader_reads() {
        let variable = crate::model::setting_variable("forest_logs", "pool_pattern");
        let env = FakeEnv::new(&[(variable.as_str(), "pool busy=(?<busy>\\d+)")]);
        let empty = file_with("");
        let settings = Settings::load(empty.path(), &env).expect("loads");
        assert_eq!(settings.forest_logs.pool_pattern, "pool busy=(?<busy>\\d+)");
    }

    #[test]
    fn file_values_override_defaults_and_env_overrides_the_file() {
        let file = file_with(
            "[server]\naddress = \"127.0.0.1:4000\"\n[monitor]\nsample_interval_secs = 5\n",
        );
        let env = FakeEnv::new(&[
            ("FOREST_MONITOR__SAMPLE_INTERVAL_SECS", "9"),
            ("FOREST_PATHS__BACKUPS_DIR", "/srv/backups"),
        ]);
        let settings = Settings::load(file.path(), &env).expect("loads");
        assert_eq!(settings.server.address.port(), 4000);
        assert_eq!(settings.monitor.sample_interval_secs, 9);
        assert_eq!(settings.paths.backups_dir, PathBuf::from("/srv/backups"));
        assert_eq!(settings.database.name, "forest");
    }

    #[test]
    fn mongodb_uri_wins_over_database_url_which_wins_over_the_file() {
        let file = file_with("[database]\nuri = \"mongodb://file:1/a\"\n");
        let both = FakeEnv::new(&[
            ("MONGODB_URI", "mongodb://first:1/b"),
            ("DATABASE_URL", "mongodb://second:1/c"),
        ]);
        let settings = Settings::load(file.path(), &both).expect("loads");
        assert_eq!(settings.database.uri, "mongodb://first:1/b");

        let prisma_only = FakeEnv::new(&[("DATABASE_URL", "mongodb://second:1/c")]);
        let settings = Settings::load(file.path(), &prisma_only).expect("loads");
        assert_eq!(settings.database.uri, "mongodb://second:1/c");
        assert!(!settings.uses_embedded_database());

        let settings = Settings::load(file.path(), &FakeEnv::new(&[])).expect("loads");
        assert_eq!(settings.database.uri, "mongodb://file:1/a");
    }

    #[test]
    fn bad_values_are_refused_with_the_key_named() {
        let file = file_with("[monitor]\nsample_interval_secs = 0\n");
        let err = Settings::load(file.path(), &FakeEnv::new(&[])).expect_err("refused");
        assert!(
            err.to_string().contains("monitor.sample_interval_secs"),
            "{err}"
        );

        let env = FakeEnv::new(&[("FOREST_SERVER__ADDRESS", "not an address")]);
        let err = Settings::load(Path::new(DEFAULT_FILE), &env).expect_err("refused");
        assert!(err.to_string().contains("address"), "{err}");

        let env = FakeEnv::new(&[("FOREST_DATABASE__NAME", "a/b")]);
        let err = Settings::load(Path::new(DEFAULT_FILE), &env).expect_err("refused");
        assert!(err.to_string().contains("database.name"), "{err}");

        let env = FakeEnv::new(&[("FOREST_SERVER__TRUSTED_PROXIES", "10.0.0.0/8, proxy")]);
        let err = Settings::load(Path::new(DEFAULT_FILE), &env).expect_err("refused");
        assert!(err.to_string().contains("server.trusted_proxies"), "{err}");

        for pkg in ["", "../etc", "a/b", "api"] {
            let env = FakeEnv::new(&[("FOREST_SITE__PKG_DIR", pkg)]);
            let err = Settings::load(Path::new(DEFAULT_FILE), &env).expect_err("refused");
            assert!(err.to_string().contains("site.pkg_dir"), "{pkg:?}: {err}");
        }
    }

    #[test]
    fn forest_settings_take_lists_from_the_environment_as_comma_separated_text() {
        let env = FakeEnv::new(&[
            ("FOREST_FOREST_API__BASE_URLS", "http://a:1, http://b:2"),
            ("FOREST_FOREST_API__ENDPOINTS", "GET /api/tasks 401"),
            ("FOREST_FOREST__CHECKOUT", "/srv/forest"),
            (
                "FOREST_FOREST_LOGS__POOL_PATTERN",
                r"pool busy=(?<busy>\d+)",
            ),
        ]);
        let settings = Settings::load(Path::new(DEFAULT_FILE), &env).expect("loads");
        assert_eq!(settings.forest_api.base_urls, ["http://a:1", "http://b:2"]);
        assert_eq!(settings.forest_logs.pool_pattern, r"pool busy=(?<busy>\d+)");
        assert_eq!(settings.forest_api.targets().expect("targets").len(), 4);
        assert_eq!(
            settings.forest_logs.folder(),
            Some(PathBuf::from("/srv/forest/apps/server/logs"))
        );
        assert_eq!(
            settings.forest.schema_path(),
            Some(PathBuf::from(
                "/srv/forest/apps/server/prisma/schema.prisma"
            ))
        );
        let defaults = Settings::load(Path::new(DEFAULT_FILE), &FakeEnv::new(&[])).expect("loads");
        assert_eq!(defaults.forest_logs.folder(), None);
        assert_eq!(defaults.forest.schema_path(), None);
    }

    #[test]
    fn webhooks_come_from_the_environment_and_a_bad_one_is_refused_by_name() {
        let env = FakeEnv::new(&[(
            "FOREST_NOTIFY__WEBHOOKS",
            "slack https://hooks.example/T/B/token, json http://127.0.0.1:9/in",
        )]);
        let settings = Settings::load(Path::new(DEFAULT_FILE), &env).expect("loads");
        let hooks = settings.notify.hooks().expect("parsed");
        assert_eq!(hooks.len(), 2);
        assert_eq!(hooks[1].format, WebhookFormat::Json);

        let env = FakeEnv::new(&[("FOREST_NOTIFY__WEBHOOKS", "slack file:///etc/token")]);
        let err = Settings::load(Path::new(DEFAULT_FILE), &env).expect_err("refused");
        assert!(err.to_string().contains("notify.webhooks"), "{err}");
        assert!(!err.to_string().contains("token"), "{err}");
    }

    #[test]
    fn the_old_forest_logs_checkout_is_still_read_and_a_clash_is_refused() {
        let legacy = FakeEnv::new(&[("FOREST_FOREST_LOGS__CHECKOUT", "/srv/old")]);
        let settings = Settings::load(Path::new(DEFAULT_FILE), &legacy).expect("loads");
        assert_eq!(settings.forest.checkout, PathBuf::from("/srv/old"));
        assert_eq!(
            settings.forest_logs.folder(),
            Some(PathBuf::from("/srv/old/apps/server/logs"))
        );
        let clash = FakeEnv::new(&[
            ("FOREST_FOREST_LOGS__CHECKOUT", "/srv/old"),
            ("FOREST_FOREST__CHECKOUT", "/srv/new"),
        ]);
        let err = Settings::load(Path::new(DEFAULT_FILE), &clash).expect_err("refused");
        assert!(err.to_string().contains("forest_logs.checkout"), "{err}");
        let schema = FakeEnv::new(&[("FOREST_FOREST__SCHEMA", "/etc/forest/schema.prisma")]);
        let settings = Settings::load(Path::new(DEFAULT_FILE), &schema).expect("loads");
        assert_eq!(
            settings.forest.schema_path(),
            Some(PathBuf::from("/etc/forest/schema.prisma"))
        );

        let env = FakeEnv::new(&[
            (
                "FOREST_SERVER__ALLOWED_HOSTS",
                "runbook.example, ops.example:443",
            ),
            ("FOREST_SERVER__TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7"),
        ]);
        let settings = Settings::load(Path::new(DEFAULT_FILE), &env).expect("loads");
        assert!(settings.server.allows_host("ops.example:443"));
        assert!(
            settings
                .server
                .is_trusted_proxy("10.9.8.7".parse().expect("ip"))
        );
        assert!(
            settings
                .server
                .is_trusted_proxy("192.0.2.7".parse().expect("ip"))
        );
        assert!(
            !settings
                .server
                .is_trusted_proxy("192.0.2.8".parse().expect("ip"))
        );
    }

    #[test]
    fn a_named_settings_file_must_exist() {
        let err = Settings::load(Path::new("/nonexistent/forest.toml"), &FakeEnv::new(&[]))
            .expect_err("refused");
        assert!(matches!(err, ConfigError::Missing(_)));
    }
}
