//! `Outbox`: the bounded queues between whoever announces and the webhooks'
//! delivery tasks. Sending never waits: a full queue drops the notice and
//! counts it, and the count is recorded with the webhook's next delivery.

use crate::model::Notice;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{self, error::TrySendError};

/// How often `settle` looks whether the queues are empty.
const SETTLE_POLL: Duration = Duration::from_millis(50);

/// One queue per webhook; with none (the default) notices go nowhere.
/// Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    queues: Arc<[Queue]>,
    /// Notices queued and not yet recorded as delivered or given up.
    pending: Arc<Pending>,
}

/// Notices in a queue or being delivered, across every webhook.
#[derive(Debug, Default)]
pub(super) struct Pending(AtomicU64);

impl Pending {
    /// One notice's delivery has been recorded.
    pub(super) fn done(&self) {
        let _ = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
    }
}

#[derive(Debug)]
pub(super) struct Queue {
    /// `FORMAT scheme://host/…`: never the whole URL.
    pub(super) webhook: String,
    pub(super) sender: mpsc::Sender<Notice>,
    pub(super) drops: Arc<Drops>,
}

/// Notices a webhook's full queue dropped.
#[derive(Debug, Default)]
pub(super) struct Drops {
    /// Since the app started.
    total: AtomicU64,
    /// Since its last recorded delivery.
    unrecorded: AtomicU64,
}

impl Drops {
    fn count(&self) {
        for counter in [&self.total, &self.unrecorded] {
            // Saturates instead of wrapping.
            let _ = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(1))
            });
        }
    }

    /// The drops not yet recorded, now recorded.
    pub(super) fn take_unrecorded(&self) -> u64 {
        self.unrecorded.swap(0, Ordering::Relaxed)
    }
}

impl Outbox {
    pub(super) fn new(queues: Vec<Queue>, pending: Arc<Pending>) -> Self {
        Self {
            queues: queues.into(),
            pending,
        }
    }

    /// Queues `notice` for every webhook without waiting.
    pub fn send(&self, notice: &Notice) {
        for queue in self.queues.iter() {
            match queue.sender.try_send(notice.clone()) {
                Ok(()) => {
                    self.pending.0.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Closed(_)) => {}
                Err(TrySendError::Full(_)) => {
                    queue.drops.count();
                    tracing::warn!(
                        webhook = %queue.webhook,
                        kind = notice.kind.as_str(),
                        "the notification queue is full: notice dropped"
                    );
                }
            }
        }
    }

    /// Each webhook as `FORMAT scheme://host/…`.
    pub fn webhooks(&self) -> Vec<String> {
        self.queues.iter().map(|q| q.webhook.clone()).collect()
    }

    /// Waits until every queued notice's delivery has ended, at most
    /// `within`; answers how many had not. The command line calls it
    /// after its step, which has finished already.
    pub async fn settle(&self, within: Duration) -> u64 {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let pending = self.pending.0.load(Ordering::Relaxed);
            if pending == 0 || tokio::time::Instant::now() >= deadline {
                return pending;
            }
            tokio::time::sleep(SETTLE_POLL).await;
        }
    }

    /// Notices dropped since the app started, all webhooks together.
    pub fn dropped(&self) -> u64 {
        self.queues.iter().fold(0, |sum, queue| {
            sum.saturating_add(queue.drops.total.load(Ordering::Relaxed))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NoticeKind;

    fn notice() -> Notice {
        Notice {
            kind: NoticeKind::Test,
            step: None,
            actor: "ada".into(),
            outcome: None,
            message: "test".into(),
            at: String::new(),
            path: "/settings".into(),
        }
    }

    #[tokio::test]
    async fn a_full_queue_drops_without_waiting_and_counts_each_drop() {
        let (sender, mut receiver) = mpsc::channel(2);
        let drops = Arc::new(Drops::default());
        let pending = Arc::new(Pending::default());
        let outbox = Outbox::new(
            vec![Queue {
                webhook: "json http://127.0.0.1/…".into(),
                sender,
                drops: Arc::clone(&drops),
            }],
            Arc::clone(&pending),
        );
        for _ in 0..5 {
            outbox.send(&notice());
        }
        assert_eq!(outbox.dropped(), 3);
        assert_eq!(drops.take_unrecorded(), 3);
        assert_eq!(drops.take_unrecorded(), 0);
        assert_eq!(outbox.dropped(), 3);
        assert!(receiver.try_recv().is_ok());
        assert!(receiver.try_recv().is_ok());
        assert!(receiver.try_recv().is_err());
        // Two were queued and none is recorded yet; then both are.
        assert_eq!(outbox.settle(Duration::ZERO).await, 2);
        pending.done();
        pending.done();
        pending.done();
        assert_eq!(outbox.settle(Duration::from_secs(5)).await, 0);
    }

    #[test]
    fn with_no_webhooks_nothing_is_queued_or_dropped() {
        let outbox = Outbox::default();
        outbox.send(&notice());
        assert_eq!(outbox.dropped(), 0);
        assert!(outbox.webhooks().is_empty());
    }
}
