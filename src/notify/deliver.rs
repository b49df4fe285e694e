//! One task per webhook takes its notices in order and posts each: retried
//! with exponential back-off (`backon`) on a refused connection, a timeout,
//! HTTP 408, 429 or 5xx, every attempt bounded by `timeout_secs` and the
//! whole delivery by `give_up_secs`; then the delivery is recorded. Errors
//! are described by their causes, never by `reqwest::Error`'s own text,
//! which names the URL.

use super::body;
use super::outbox::{Drops, Outbox, Pending, Queue};
use crate::config::{NotifySettings, Webhook};
use crate::db::{Database, now_rfc3339};
use crate::model::{Notice, NotificationDelivery};
use backon::{ExponentialBuilder, Retryable};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, redirect};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::mpsc;

/// The longest wait between two attempts.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// Starts one delivery task per configured webhook on the current runtime
/// and answers the queues to them. `db` records the deliveries; give it a
/// handle without an outbox, so the tasks end when the outbox is dropped.
pub fn start(settings: &NotifySettings, link_base: &str, db: &Database) -> Outbox {
    // Validated when the settings were loaded.
    let hooks = settings.hooks().unwrap_or_default();
    if hooks.is_empty() {
        return Outbox::default();
    }
    let client = match client(settings) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %error.without_url(), "cannot set up the HTTP client for notifications: none will be sent");
            return Outbox::default();
        }
    };
    let pending = Arc::new(Pending::default());
    let queues = hooks
        .into_iter()
        .map(|hook| {
            let (sender, receiver) = mpsc::channel(settings.queue_size);
            let drops = Arc::new(Drops::default());
            let worker = Worker {
                db: db.clone(),
                client: client.clone(),
                link_base: link_base.to_owned(),
                settings: settings.clone(),
                drops: Arc::clone(&drops),
                pending: Arc::clone(&pending),
                hook: hook.clone(),
            };
            tokio::spawn(worker.drain(receiver));
            Queue {
                webhook: format!("{hook:?}"),
                sender,
                drops,
            }
        })
        .collect();
    Outbox::new(queues, pending)
}

fn client(settings: &NotifySettings) -> reqwest::Result<Client> {
    // Whichever part of the process installs it first wins; both are ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(settings.timeout())
        .redirect(redirect::Policy::none())
        .user_agent(concat!("forest-runbook/", env!("CARGO_PKG_VERSION")))
        .build()
}

struct Worker {
    db: Database,
    client: Client,
    link_base: String,
    settings: NotifySettings,
    drops: Arc<Drops>,
    pending: Arc<Pending>,
    hook: Webhook,
}

/// Why one attempt did not deliver.
#[derive(Debug)]
enum Failure {
    Status(u16),
    Transport(String),
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            Self::Status(status) => matches!(status, 408 | 429 | 500..=599),
            Self::Transport(_) => true,
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Status(status) => format!("HTTP {status}"),
            Self::Transport(why) => why.clone(),
        }
    }
}

/// What the attempts of one delivery saw, shared with the retried closure.
#[derive(Default)]
struct Tally {
    attempts: AtomicU32,
    last: Mutex<(Option<u16>, Option<String>)>,
}

impl Tally {
    fn note(&self, status: Option<u16>, error: Option<String>) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if status.is_some() {
            last.0 = status;
        }
        if error.is_some() {
            last.1 = error;
        }
    }

    fn last(&self) -> (Option<u16>, Option<String>) {
        self.last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Worker {
    async fn drain(self, mut receiver: mpsc::Receiver<Notice>) {
        while let Some(notice) = receiver.recv().await {
            let delivery = self.deliver(&notice).await;
            if !delivery.delivered {
                tracing::warn!(
                    webhook = %delivery.webhook,
                    attempts = delivery.attempts,
                    error = delivery.last_error.as_deref().unwrap_or_default(),
                    "a notification was not delivered"
                );
            }
            if let Err(error) = self.db.record_delivery(&delivery, self.settings.keep).await {
                tracing::warn!(%error, "could not record a notification's delivery");
            }
            self.pending.done();
        }
    }

    async fn deliver(&self, notice: &Notice) -> NotificationDelivery {
        let body = body::render(self.hook.format, notice, &self.link_base);
        let tally = Tally::default();
        let attempt = || self.attempt(&body, &tally);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.settings.first_retry())
            .with_max_delay(MAX_RETRY_WAIT)
            .with_max_times(self.settings.max_attempts.saturating_sub(1))
            .with_jitter();
        let retried = attempt.retry(backoff).when(Failure::retryable);
        let (delivered, gave_up) =
            match tokio::time::timeout(self.settings.give_up(), retried).await {
                Ok(Ok(())) => (true, None),
                Ok(Err(_)) => (false, None),
                Err(_) => (
                    false,
                    Some(format!(
                        "given up after {} s without delivery",
                        self.settings.give_up_secs
                    )),
                ),
            };
        let (status, last_error) = tally.last();
        NotificationDelivery {
            at: now_rfc3339(),
            webhook: self.hook.redacted(),
            format: self.hook.format.as_str().to_owned(),
            kind: notice.kind,
            step: notice.step.clone(),
            message: notice.message.clone(),
            delivered,
            attempts: tally.attempts.load(Ordering::Relaxed),
            status,
            last_error: gave_up.or(last_error),
            dropped_before: self.drops.take_unrecorded(),
        }
    }

    async fn attempt(&self, body: &str, tally: &Tally) -> Result<(), Failure> {
        tally.attempts.fetch_add(1, Ordering::Relaxed);
        let sent = self
            .client
            .post(self.hook.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_owned())
            .send()
            .await;
        let failure = match sent {
            Ok(response) if response.status().is_success() => {
                tally.note(Some(response.status().as_u16()), None);
                return Ok(());
            }
            Ok(response) => Failure::Status(response.status().as_u16()),
            Err(error) => Failure::Transport(self.describe(&error)),
        };
        let status = match failure {
            Failure::Status(status) => Some(status),
            Failure::Transport(_) => None,
        };
        tally.note(status, Some(failure.describe()));
        Err(failure)
    }

    /// Why a request got no answer, without its URL.
    fn describe(&self, error: &reqwest::Error) -> String {
        if error.is_timeout() {
            format!("no answer within {} s", self.settings.timeout_secs)
        } else if error.is_connect() {
            "could not connect".to_owned()
        } else {
            let mut text = String::from("the request failed");
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                text = format!("{text}: {cause}");
                source = cause.source();
            }
            text
        }
    }
}
