//! `Prober`: sends each configured request to the Forest API and judges
//! the answer. Redirects are followed only on the same host and at most
//! `MAX_REDIRECTS` times; a body is read up to the configured limit; each
//! request is bounded by the timeout. Credentials go only where configured.

use super::verdict::{Answer, excerpt, judge};
use crate::config::{ForestApiSettings, ProbeTarget};
use crate::model::ProbeResult;
use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue, LOCATION};
use reqwest::{Client, Method, redirect};
use std::error::Error as _;
use std::time::{Duration, Instant};

const MAX_REDIRECTS: usize = 5;
const EXCERPT_CHARS: usize = 300;

/// Probes the Forest API as the settings describe.
#[derive(Debug, Clone)]
pub struct Prober {
    settings: ForestApiSettings,
}

impl Prober {
    pub fn new(settings: ForestApiSettings) -> Self {
        Self { settings }
    }

    /// Each request a round sends, as `METHOD url → status`.
    pub fn describe_targets(&self) -> Vec<String> {
        self.targets()
            .iter()
            .map(|t| format!("{} {} → {}", t.method, t.url, t.expected_status))
            .collect()
    }

    pub fn interval(&self) -> Duration {
        self.settings.interval()
    }

    fn targets(&self) -> Vec<ProbeTarget> {
        // Validated when the settings were loaded.
        self.settings.targets().unwrap_or_default()
    }

    /// One round: every target in order, each with its result.
    pub async fn probe_all(&self) -> Vec<ProbeResult> {
        let client = self.client();
        let mut results = Vec::new();
        for target in self.targets() {
            let started = Instant::now();
            let outcome = match &client {
                Ok(client) => self.request(client, &target).await,
                Err(error) => Err(format!("cannot set up the HTTP client: {error}")),
            };
            let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            results.push(result_of(&target, latency_ms, outcome));
        }
        results
    }

    fn client(&self) -> reqwest::Result<Client> {
        // Whichever part of the process installs it first wins; both are ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client::builder()
            .timeout(self.settings.timeout())
            .redirect(redirect::Policy::custom(same_host_only))
            .no_proxy()
            .user_agent(concat!("forest-runbook/", env!("CARGO_PKG_VERSION")))
            .build()
    }

    async fn request(&self, client: &Client, target: &ProbeTarget) -> Result<Reply, String> {
        let method = Method::from_bytes(target.method.as_bytes())
            .map_err(|_| format!("unknown method {}", target.method))?;
        let mut request = client.request(method, &target.url);
        if let Some((name, value)) = self.settings.credentials() {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| "forest_api.credentials_header has an invalid name".to_owned())?;
            let mut value = HeaderValue::from_str(value)
                .map_err(|_| "forest_api.credentials_header has an invalid value".to_owned())?;
            value.set_sensitive(true);
            request = request.header(name, value);
        }
        let mut response = request.send().await.map_err(|e| self.describe(&e))?;
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = response.status();
        let content_type = header(CONTENT_TYPE).unwrap_or_default();
        let location = status.is_redirection().then(|| header(LOCATION)).flatten();
        let limit = self.settings.body_limit_bytes;
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response.chunk().await.map_err(|e| self.describe(&e))? {
            let room = limit - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status: status.as_u16(),
            content_type,
            location,
            body,
            truncated,
        })
    }

    /// Says why a request got no answer, in words a person can act on.
    fn describe(&self, error: &reqwest::Error) -> String {
        if error.is_timeout() {
            return format!(
                "no complete answer within {} s (timed out): the Forest API hangs or is overloaded",
                self.settings.timeout_secs
            );
        }
        if error.is_redirect() {
            return format!("more than {MAX_REDIRECTS} redirects: a redirect loop");
        }
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::ConnectionRefused
            {
                return "connection refused: the Forest API is not running at this address \
                        (or forest_api.base_urls names the wrong one)"
                    .to_owned();
            }
            causes.push(cause.to_string());
            source = cause.source();
        }
        if error.is_connect() {
            format!("cannot connect: {}", causes.join(": "))
        } else {
            format!("request failed: {error}: {}", causes.join(": "))
        }
    }
}

struct Reply {
    status: u16,
    content_type: String,
    location: Option<String>,
    body: Vec<u8>,
    truncated: bool,
}

fn same_host_only(attempt: redirect::Attempt<'_>) -> redirect::Action {
    let origin = attempt.previous().first().cloned();
    let same = origin.is_some_and(|first| {
        first.host_str() == attempt.url().host_str()
            && first.port_or_known_default() == attempt.url().port_or_known_default()
    });
    if !same {
        attempt.stop()
    } else if attempt.previous().len() > MAX_REDIRECTS {
        attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
    } else {
        attempt.follow()
    }
}

fn result_of(target: &ProbeTarget, latency_ms: u64, outcome: Result<Reply, String>) -> ProbeResult {
    let at = super::rfc3339(time::OffsetDateTime::now_utc());
    let (status, passed, reason, body_excerpt) = match outcome {
        Ok(reply) => {
            let (passed, reason) = judge(
                target.expected_status,
                target.health,
                &Answer {
                    status: reply.status,
                    content_type: &reply.content_type,
                    location: reply.location.as_deref(),
                    body: &reply.body,
                    truncated: reply.truncated,
                },
            );
            let text = String::from_utf8_lossy(&reply.body);
            (
                Some(reply.status),
                passed,
                reason,
                excerpt(&text, EXCERPT_CHARS),
            )
        }
        Err(reason) => (None, false, reason, String::new()),
    };
    ProbeResult {
        at,
        method: target.method.clone(),
        url: target.url.clone(),
        expected_status: target.expected_status,
        status,
        latency_ms,
        passed,
        reason,
        body_excerpt,
    }
}
