//! The webhook notifications' settings (`[notify]`): where notices go, in
//! which body format, and how hard delivery tries. A webhook URL is a
//! secret of sorts (a Slack incoming-webhook URL is its own password), so
//! everything here that may be logged or shown names only its scheme and host.

use super::forest::list;
use super::{ConfigError, invalid};
use reqwest::Url;
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Clone, Deserialize)]
pub struct NotifySettings {
    /// Each `FORMAT URL`, FORMAT `slack` or `json`; a list, or one string
    /// separated by commas (as an environment variable gives it).
    #[serde(deserialize_with = "list")]
    pub webhooks: Vec<String>,
    /// The address people open the app at, for the link in each notice;
    /// empty: `http://` and `server.address`.
    pub public_url: String,
    /// Notices waiting per webhook; beyond, new ones are dropped and counted.
    pub queue_size: usize,
    /// Seconds one attempt may take.
    pub timeout_secs: u64,
    /// Attempts per notice at most.
    pub max_attempts: usize,
    /// The first wait between attempts; each next one doubles, up to a minute.
    pub first_retry_ms: u64,
    /// Seconds after which a notice not yet delivered is given up.
    pub give_up_secs: u64,
    /// Delivery records kept; older ones are trimmed.
    pub keep: u64,
}

/// The webhooks show as scheme and host only, so the settings can be
/// printed (`AppState` is `Debug`) without their secrets.
impl std::fmt::Debug for NotifySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let webhooks: Vec<String> = self
            .webhooks
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                parse_webhook(index, entry)
                    .map_or_else(|_| "(invalid)".to_owned(), |hook| format!("{hook:?}"))
            })
            .collect();
        f.debug_struct("NotifySettings")
            .field("webhooks", &webhooks)
            .field("public_url", &self.public_url)
            .field("queue_size", &self.queue_size)
            .field("timeout_secs", &self.timeout_secs)
            .field("max_attempts", &self.max_attempts)
            .field("first_retry_ms", &self.first_retry_ms)
            .field("give_up_secs", &self.give_up_secs)
            .field("keep", &self.keep)
            .finish()
    }
}

/// The body a webhook is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookFormat {
    /// Slack's incoming webhooks (and Mattermost, Rocket.Chat, Teams'
    /// Slack-compatible ones): `{"text": "..."}`.
    Slack,
    /// The notice's fields: event, step, actor, outcome, message, time, link.
    Json,
}

impl WebhookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Slack => "slack",
            Self::Json => "json",
        }
    }
}

/// One configured receiver of notices.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub format: WebhookFormat,
    pub url: Url,
}

impl Webhook {
    /// `https://hooks.slack.com/…`: what may be logged or shown of it.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }
}

/// The URL itself never reaches a log through `{:?}`.
impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.format.as_str(), self.redacted())
    }
}

fn redact(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{}://{host}:{port}/…", url.scheme()),
        None => format!("{}://{host}/…", url.scheme()),
    }
}

impl NotifySettings {
    /// The configured webhooks, parsed.
    pub fn hooks(&self) -> Result<Vec<Webhook>, ConfigError> {
        self.webhooks
            .iter()
            .enumerate()
            .map(|(index, entry)| parse_webhook(index, entry))
            .collect()
    }

    /// Where links in notices point: `public_url`, or the listening address.
    pub fn link_base(&self, listening: SocketAddr) -> String {
        if self.public_url.is_empty() {
            format!("http://{listening}")
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    pub fn first_retry(&self) -> Duration {
        Duration::from_millis(self.first_retry_ms)
    }

    pub fn give_up(&self) -> Duration {
        Duration::from_secs(self.give_up_secs)
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.hooks()?;
        if !self.public_url.is_empty() && http_url(&self.public_url).is_none() {
            return Err(invalid(
                "notify.public_url",
                "must be empty or an http:// or https:// URL with a host",
            ));
        }
        if self.queue_size == 0
            || self.timeout_secs == 0
            || self.max_attempts == 0
            || self.give_up_secs == 0
            || self.keep == 0
        {
            return Err(invalid(
                "notify",
                "queue_size, timeout_secs, max_attempts, give_up_secs and keep must be at least 1",
            ));
        }
        Ok(())
    }
}

fn http_url(text: &str) -> Option<Url> {
    Url::parse(text)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .filter(|url| url.host_str().is_some_and(|host| !host.is_empty()))
}

/// `slack https://…` or `json https://…`. The refusal names the entry by
/// its place and shows no more of the URL than its scheme and host.
fn parse_webhook(index: usize, entry: &str) -> Result<Webhook, ConfigError> {
    let refuse = |why: &str| {
        invalid(
            "notify.webhooks",
            &format!(
                "entry {} {why}; each entry reads `slack URL` or `json URL`",
                index + 1
            ),
        )
    };
    let mut words = entry.split_whitespace();
    let (Some(format), Some(url), None) = (words.next(), words.next(), words.next()) else {
        return Err(refuse("is not a format and a URL"));
    };
    let format = match format.to_lowercase().as_str() {
        "slack" => WebhookFormat::Slack,
        "json" => WebhookFormat::Json,
        _ => return Err(refuse("names an unknown format")),
    };
    let Some(url) = http_url(url) else {
        let shown = Url::parse(url).map_or_else(|_| "an unreadable URL".to_owned(), |u| redact(&u));
        return Err(refuse(&format!(
            "must be an http:// or https:// URL with a host, not {shown}"
        )));
    };
    Ok(Webhook { format, url })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(webhooks: &[&str]) -> NotifySettings {
        NotifySettings {
            webhooks: webhooks.iter().map(|w| (*w).to_owned()).collect(),
            public_url: String::new(),
            queue_size: 8,
            timeout_secs: 5,
            max_attempts: 3,
            first_retry_ms: 10,
            give_up_secs: 60,
            keep: 100,
        }
    }

    #[test]
    fn webhooks_parse_with_their_format_and_show_only_scheme_and_host() {
        let hooks = with(&[
            "slack https://hooks.slack.com/services/T0/B0/secret",
            "JSON http://127.0.0.1:9000/in",
        ])
        .hooks()
        .expect("valid");
        assert_eq!(hooks[0].format, WebhookFormat::Slack);
        assert_eq!(hooks[0].redacted(), "https://hooks.slack.com/…");
        assert_eq!(hooks[1].format, WebhookFormat::Json);
        assert_eq!(format!("{:?}", hooks[1]), "json http://127.0.0.1:9000/…");
        let settings = with(&["slack https://hooks.slack.com/services/T0/B0/secret"]);
        assert!(!format!("{settings:?}").contains("secret"));
    }

    #[test]
    fn bad_entries_are_refused_naming_the_setting_without_the_secret_path() {
        for entry in [
            "slack ftp://files.example/secret-token",
            "slack http://:80/secret-token",
            "slack not-a-url",
            "teams https://hooks.example/secret-token",
            "https://hooks.example/secret-token",
            "slack https://a.example/x extra",
        ] {
            let error = with(&[entry]).validate().expect_err(entry).to_string();
            assert!(error.contains("notify.webhooks"), "{entry}: {error}");
            assert!(!error.contains("secret-token"), "{entry}: {error}");
        }
        let error = with(&[]);
        let error = NotifySettings {
            public_url: "javascript:alert(1)".into(),
            ..error
        }
        .validate()
        .expect_err("refused")
        .to_string();
        assert!(error.contains("notify.public_url"), "{error}");
    }

    #[test]
    fn links_point_at_the_public_url_or_the_listening_address() {
        let listening: SocketAddr = "127.0.0.1:3000".parse().expect("address");
        assert_eq!(with(&[]).link_base(listening), "http://127.0.0.1:3000");
        let public = NotifySettings {
            public_url: "https://runbook.example/".into(),
            ..with(&[])
        };
        assert_eq!(public.link_base(listening), "https://runbook.example");
    }
}
