//! The settings of the Forest checkout (`[forest]`: where the log watcher
//! and the Prisma check look), the Forest API probe (`[forest_api]`) and the
//! Forest server's log watcher (`[forest_logs]`), with their validation.

use super::{ConfigError, invalid};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
pub struct ForestSettings {
    /// The Forest checkout (the folder holding `apps/server`); empty when
    /// not configured.
    pub checkout: PathBuf,
    /// schema.prisma: absolute, or relative to `checkout`.
    pub schema: PathBuf,
}

impl ForestSettings {
    /// schema.prisma; `None` when it is relative and no checkout is set.
    pub fn schema_path(&self) -> Option<PathBuf> {
        under_checkout(&self.checkout, &self.schema)
    }

    /// Takes the checkout from `[forest_logs] checkout`, its old place,
    /// when `[forest] checkout` is not set; both set and different is refused.
    pub(super) fn adopt_legacy_checkout(
        &mut self,
        logs: &mut ForestLogsSettings,
    ) -> Result<(), ConfigError> {
        let legacy = std::mem::take(&mut logs.checkout);
        if self.checkout.as_os_str().is_empty() {
            self.checkout = legacy;
        } else if !legacy.as_os_str().is_empty() && legacy != self.checkout {
            return Err(invalid(
                "forest_logs.checkout",
                "is the old name of forest.checkout, which is also set to another folder; set only forest.checkout",
            ));
        }
        logs.checkout = self.checkout.clone();
        if self.schema == Path::new("") {
            return Err(invalid("forest.schema", "must not be empty"));
        }
        Ok(())
    }
}

/// `path` when absolute, else under `checkout` when one is set.
fn under_checkout(checkout: &Path, path: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        Some(path.to_path_buf())
    } else if checkout.as_os_str().is_empty() {
        None
    } else {
        Some(checkout.join(path))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForestApiSettings {
    /// One or more base URLs; a list, or one string of URLs separated by
    /// commas (as an environment variable gives it).
    #[serde(deserialize_with = "list")]
    pub base_urls: Vec<String>,
    /// Path of the health endpoint; empty probes none.
    pub health_path: String,
    /// Further endpoints, each `METHOD /path STATUS`.
    #[serde(deserialize_with = "list")]
    pub endpoints: Vec<String>,
    pub timeout_secs: u64,
    pub interval_secs: u64,
    /// `Name: value`, sent with every probe; empty sends none.
    pub credentials_header: SecretString,
    pub body_limit_bytes: usize,
}

/// One request a probe sends, and what it expects back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    pub method: String,
    pub url: String,
    pub expected_status: u16,
    /// Whether the body must be the Forest health shape
    /// (`success: true`, `data.status == "healthy"`).
    pub health: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForestLogsSettings {
    /// `[forest] checkout`, copied here when the settings load; in a file,
    /// the old place of that key (still read).
    #[serde(default)]
    pub checkout: PathBuf,
    /// The log folder: absolute, or relative to `checkout`.
    pub folder: PathBuf,
    pub follow_files: usize,
    pub poll_interval_ms: u64,
    pub synced_pattern: String,
    pub conflict_pattern: String,
    /// The request paths (query left off) whose requests are counted per
    /// route: requests, server errors and response times.
    pub route_pattern: String,
    /// A line (a JSON line's message) that matches this tells the Forest
    /// server's Prisma pool: named groups `busy` (required), `open`, `idle`
    /// and `waiting`. Empty: only Prisma's metrics JSON is read.
    pub pool_pattern: String,
    pub max_line_bytes: usize,
    pub recent_errors: usize,
    pub retain_minutes: u32,
}

const METHODS: [&str; 5] = ["GET", "HEAD", "POST", "PUT", "OPTIONS"];

impl ForestApiSettings {
    /// Every request one probe round sends, in order: per base URL, the
    /// health endpoint, then the further endpoints.
    pub fn targets(&self) -> Result<Vec<ProbeTarget>, ConfigError> {
        let mut targets = Vec::new();
        for base in &self.base_urls {
            let base = base.trim_end_matches('/');
            if !self.health_path.is_empty() {
                targets.push(ProbeTarget {
                    method: "GET".to_owned(),
                    url: format!("{base}{}", self.health_path),
                    expected_status: 200,
                    health: true,
                });
            }
            for endpoint in &self.endpoints {
                let (method, path, status) = parse_endpoint(endpoint)?;
                targets.push(ProbeTarget {
                    method,
                    url: format!("{base}{path}"),
                    expected_status: status,
                    health: false,
                });
            }
        }
        Ok(targets)
    }

    /// The credentials header as name and value, when one is configured.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        let (name, value) = self.credentials_header.expose_secret().split_once(':')?;
        Some((name.trim(), value.trim()))
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.interval_secs)
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.base_urls.is_empty() {
            return Err(invalid("forest_api.base_urls", "name at least one URL"));
        }
        if let Some(url) = self
            .base_urls
            .iter()
            .find(|url| !(url.starts_with("http://") || url.starts_with("https://")))
        {
            return Err(invalid(
                "forest_api.base_urls",
                &format!("{url:?} must start with http:// or https://"),
            ));
        }
        if !self.health_path.is_empty() && !self.health_path.starts_with('/') {
            return Err(invalid("forest_api.health_path", "must start with /"));
        }
        if self.timeout_secs == 0 || self.interval_secs == 0 || self.body_limit_bytes == 0 {
            return Err(invalid(
                "forest_api.timeout_secs, interval_secs and body_limit_bytes",
                "must be at least 1",
            ));
        }
        let header = self.credentials_header.expose_secret();
        if !header.is_empty() && self.credentials().is_none_or(|(name, _)| name.is_empty()) {
            return Err(invalid(
                "forest_api.credentials_header",
                "must read `Name: value`",
            ));
        }
        self.targets().map(drop)
    }
}

fn parse_endpoint(text: &str) -> Result<(String, String, u16), ConfigError> {
    let refuse = || {
        invalid(
            "forest_api.endpoints",
            &format!("{text:?} must read `METHOD /path STATUS`, e.g. `GET /api/tasks 401`"),
        )
    };
    let mut words = text.split_whitespace();
    let (Some(method), Some(path), Some(status), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(refuse());
    };
    let method = method.to_uppercase();
    let status: u16 = status.parse().map_err(|_| refuse())?;
    if !METHODS.contains(&method.as_str())
        || !path.starts_with('/')
        || !(100..600).contains(&status)
    {
        return Err(refuse());
    }
    Ok((method, path.to_owned(), status))
}

impl ForestLogsSettings {
    /// The log folder; `None` when it is relative and no checkout is set.
    pub fn folder(&self) -> Option<PathBuf> {
        under_checkout(&self.checkout, &self.folder)
    }

    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        for (key, pattern) in [
            ("forest_logs.synced_pattern", &self.synced_pattern),
            ("forest_logs.conflict_pattern", &self.conflict_pattern),
            ("forest_logs.route_pattern", &self.route_pattern),
        ] {
            regex::Regex::new(pattern).map_err(|e| invalid(key, &e.to_string()))?;
        }
        if !self.pool_pattern.is_empty() {
            let key = "forest_logs.pool_pattern";
            let pool =
                regex::Regex::new(&self.pool_pattern).map_err(|e| invalid(key, &e.to_string()))?;
            if !pool.capture_names().any(|name| name == Some("busy")) {
                return Err(invalid(
                    key,
                    "needs a named group busy, e.g. busy=(?<busy>\\d+); open, idle and waiting are optional",
                ));
            }
        }
        if self.follow_files == 0
            || self.poll_interval_ms == 0
            || self.max_line_bytes < 80
            || self.recent_errors == 0
            || self.retain_minutes < 60
        {
            return Err(invalid(
                "forest_logs",
                "follow_files, poll_interval_ms and recent_errors must be at least 1, \
                 max_line_bytes at least 80, retain_minutes at least 60",
            ));
        }
        if self.folder == Path::new("") {
            return Err(invalid("forest_logs.folder", "must not be empty"));
        }
        Ok(())
    }
}

/// A list of strings, or one string whose items are separated by commas
/// (what an environment variable can carry).
pub(super) fn list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrText {
        List(Vec<String>),
        Text(String),
    }
    Ok(match ListOrText::deserialize(deserializer)? {
        ListOrText::List(items) => items,
        ListOrText::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(endpoints: &[&str]) -> ForestApiSettings {
        ForestApiSettings {
            base_urls: vec!["http://a:1/".into(), "https://b".into()],
            health_path: "/api/health".into(),
            endpoints: endpoints.iter().map(|e| (*e).to_owned()).collect(),
            timeout_secs: 5,
            interval_secs: 60,
            credentials_header: SecretString::default(),
            body_limit_bytes: 1_024,
        }
    }

    #[test]
    fn targets_are_the_health_endpoint_then_the_others_per_base_url() {
        let targets = api(&["post /api/tasks 401"]).targets().expect("valid");
        let urls: Vec<_> = targets
            .iter()
            .map(|t| format!("{} {} {}", t.method, t.url, t.expected_status))
            .collect();
        assert_eq!(
            urls,
            [
                "GET http://a:1/api/health 200",
                "POST http://a:1/api/tasks 401",
                "GET https://b/api/health 200",
                "POST https://b/api/tasks 401",
            ]
        );
        assert!(targets[0].health && !targets[1].health);
    }

    #[test]
    fn a_malformed_endpoint_or_header_is_refused_with_its_key() {
        for bad in [
            "GET /x",
            "FETCH /x 200",
            "GET x 200",
            "GET /x 999",
            "GET /x 200 y",
        ] {
            let err = api(&[bad]).validate().expect_err(bad);
            assert!(err.to_string().contains("forest_api.endpoints"), "{err}");
        }
        let mut settings = api(&[]);
        settings.credentials_header = "no colon".into();
        assert!(settings.validate().is_err());
        settings.credentials_header = "Authorization: Bearer x".into();
        assert_eq!(settings.credentials(), Some(("Authorization", "Bearer x")));
        settings.base_urls = vec!["localhost:8080".into()];
        assert!(settings.validate().is_err());
    }

    #[test]
    fn an_invalid_route_pattern_is_refused_with_its_key() {
        let mut logs = crate::config::Settings::load(
            Path::new(crate::config::DEFAULT_FILE),
            &crate::config::ProcessEnv,
        )
        .expect("settings")
        .forest_logs;
        assert!(logs.validate().is_ok());
        logs.route_pattern = "^/api/sync(".into();
        let err = logs.validate().expect_err("unclosed group");
        assert!(
            err.to_string().contains("forest_logs.route_pattern"),
            "{err}"
        );
        logs.route_pattern = "^/api/sync".into();
        logs.pool_pattern = r"open=(?<open>\d+)".into();
        let err = logs.validate().expect_err("no busy group");
        assert!(
            err.to_string().contains("forest_logs.pool_pattern"),
            "{err}"
        );
        logs.pool_pattern = r"busy=(?<busy>\d+)".into();
        assert!(logs.validate().is_ok());
    }
}
