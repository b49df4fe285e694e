//! `Monitor`: the one sampler task and what it shares. Every interval the
//! task reads the sources once, adds the sample to the window and
//! broadcasts it; however many people watch, the database sees one round
//! of reads per interval. The task ends when the last handle is dropped
//! or the monitor is closed. The same task folds the samples into minutes
//! and stores each finished minute (and, when it stops, the unfinished
//! one) in the database's history, so one writer keeps it whoever watches.
//! What goes to browsers is encoded once, not once per browser: each
//! sample as it is published, and the window for the first subscriber
//! after each sample (`Monitor::subscribe`), so a hundred browsers
//! connecting at once cost one encoding and a hundred copies.

use super::reading::{self, Reading};
use super::sample::sample;
use crate::db::{Database, MonitorPeriod};
use crate::model::{Sample, Window};
use crate::ops::history::Minutes;
use crate::ops::migration::Migration;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinHandle;

/// Samples a slow subscriber may fall behind before it is sent the whole
/// window again.
const BACKLOG: usize = 64;

/// The longest a stopping sampler is waited for (its last round and the
/// store of its unfinished minute) before the server stops without it.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// A handle on the sampler; cheap to clone.
#[derive(Debug, Clone)]
pub struct Monitor {
    shared: Arc<Shared>,
    /// Wakes the sampler when the monitor is closed.
    closed: Arc<Notify>,
    sampler: Arc<Mutex<Option<JoinHandle<()>>>>,
}

/// A sample as the sampler broadcasts it: the values, and their JSON for
/// the live stream, encoded once for every subscriber.
#[derive(Debug)]
pub struct Published {
    pub sample: Sample,
    pub json: Arc<str>,
}

#[derive(Debug)]
struct Shared {
    window: RwLock<Window>,
    /// The window's JSON as of the sample `seq` it ends with.
    encoded: Mutex<Option<(u64, Arc<str>)>>,
    latest: RwLock<Option<Arc<Reading>>>,
    /// `None` once closed: receivers then see the channel closed.
    sender: RwLock<Option<broadcast::Sender<Arc<Published>>>>,
    rounds: AtomicU64,
}

impl Shared {
    fn sender(&self) -> std::sync::RwLockReadGuard<'_, Option<broadcast::Sender<Arc<Published>>>> {
        self.sender.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// `window` as JSON, encoded only when it has changed since the last
    /// time anyone asked.
    fn encoded(&self, window: &Window) -> Arc<str> {
        let mut encoded = self.encoded.lock().unwrap_or_else(PoisonError::into_inner);
        match &*encoded {
            Some((seq, json)) if *seq == window.last_seq => Arc::clone(json),
            _ => {
                let json: Arc<str> = encode(window).into();
                *encoded = Some((window.last_seq, Arc::clone(&json)));
                json
            }
        }
    }
}

/// Plain numbers and strings always encode; were one not to, the stream
/// says so rather than sending nothing.
fn encode(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|error| {
        tracing::error!(%error, "a monitor value could not be encoded");
        "null".to_owned()
    })
}

impl Monitor {
    /// Starts the sampler on the current tokio runtime: everything is read
    /// every `interval`, the sync counts every `count_interval`; the
    /// history keeps each minute for `keep_history`.
    pub fn start(
        db: Database,
        migration: &'static Migration,
        interval: Duration,
        count_interval: Duration,
        keep_history: Duration,
    ) -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        let shared = Arc::new(Shared {
            window: RwLock::new(Window::new(interval.as_secs())),
            encoded: Mutex::new(None),
            latest: RwLock::new(None),
            sender: RwLock::new(Some(sender)),
            rounds: AtomicU64::new(0),
        });
        let history = History {
            db: db.clone(),
            keep: keep_history,
            bounded: false,
            minutes: Minutes::default(),
        };
        let weak = Arc::downgrade(&shared);
        let closed = Arc::new(Notify::new());
        let woken = Arc::clone(&closed);
        let sampler = tokio::spawn(async move {
            let mut history = history;
            let timing = (interval, count_interval);
            run(db, migration, weak, timing, &woken, &mut history).await;
            // Stopped or dropped: the unfinished minute is kept too.
            for period in history.minutes.take() {
                history.store(period).await;
            }
        });
        Self {
            shared,
            closed,
            sampler: Arc::new(Mutex::new(Some(sampler))),
        }
    }

    /// The window as it is now, as JSON, and a receiver of every later
    /// sample. Taken together under the window's lock, so no sample falls
    /// between them.
    pub fn subscribe(&self) -> (Arc<str>, broadcast::Receiver<Arc<Published>>) {
        let window = self
            .shared
            .window
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let receiver = match &*self.shared.sender() {
            Some(sender) => sender.subscribe(),
            // Closed: a receiver whose channel is already closed.
            None => broadcast::channel(1).1,
        };
        (self.shared.encoded(&window), receiver)
    }

    pub fn window(&self) -> Window {
        self.shared
            .window
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops the sampler and ends every subscription, so that a server
    /// shutting down is not held open by the browsers watching it.
    pub fn close(&self) {
        self.shared
            .sender
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        self.closed.notify_one();
    }

    /// Closes the monitor and waits (at most `STOP_WAIT`) until the
    /// sampler has stored its unfinished minute: what a server does before
    /// it lets go of the database, or that minute is lost.
    pub async fn stopped(&self) {
        self.close();
        let sampler = self
            .sampler
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sampler) = sampler
            && tokio::time::timeout(STOP_WAIT, sampler).await.is_err()
        {
            tracing::warn!(
                "the monitor's sampler did not stop within {} s; its unfinished minute may be lost",
                STOP_WAIT.as_secs()
            );
        }
    }

    /// The raw numbers of the latest round, for `/metrics`.
    pub fn latest_reading(&self) -> Option<Arc<Reading>> {
        self.shared
            .latest
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Rounds of reads the sampler has made since it started.
    pub fn rounds(&self) -> u64 {
        self.shared.rounds.load(Ordering::Relaxed)
    }

    /// Receivers currently subscribed.
    pub fn subscribers(&self) -> usize {
        self.shared
            .sender()
            .as_ref()
            .map_or(0, broadcast::Sender::receiver_count)
    }
}

/// The sampler's side of the history: the minute being filled, and
/// whether the TTL index that bounds the collection is known to exist.
struct History {
    db: Database,
    keep: Duration,
    bounded: bool,
    minutes: Minutes,
}

impl History {
    /// Folds `sample` in, storing the minute (and ten minutes) it closes.
    async fn add(&mut self, sample: &Sample) {
        for period in self.minutes.add(sample) {
            self.store(period).await;
        }
    }

    /// Stores one period, making sure first that the collection is bounded
    /// (tried again with each minute until it is). A failure is logged:
    /// the live window goes on whatever the history does.
    async fn store(&mut self, period: MonitorPeriod) {
        if !self.bounded {
            match self.db.keep_monitor_history_for(self.keep).await {
                Ok(()) => self.bounded = true,
                Err(error) => {
                    tracing::warn!(%error, "the monitor's history has no TTL index yet; its minutes are not stored");
                    return;
                }
            }
        }
        if let Err(error) = self.db.keep_monitor_period(&period).await {
            tracing::warn!(%error, start = period.start_ms, "a period of the monitor's history was not stored");
        }
    }
}

/// Samples every `interval` (the sync counts every `count_interval`)
/// until the monitor is dropped or `closed`, which wakes it between rounds,
/// never in the middle of one.
async fn run(
    db: Database,
    migration: &Migration,
    shared: Weak<Shared>,
    (interval, count_interval): (Duration, Duration),
    closed: &Notify,
    history: &mut History,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut previous: Option<Reading> = None;
    let mut seq = 0;
    let mut counted_at: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            () = closed.notified() => return,
        }
        if shared.strong_count() == 0 {
            return;
        }
        let counts_due = counted_at.is_none_or(|at| at.elapsed() >= count_interval);
        let earlier_counts = previous.as_ref().filter(|_| !counts_due).map(|p| &p.sync);
        let reading = reading::read(&db, migration, earlier_counts).await;
        if counts_due {
            counted_at = Some(Instant::now());
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        seq += 1;
        let sample = sample(seq, previous.as_ref(), &reading);
        let published = Arc::new(Published {
            json: encode(&sample).into(),
            sample,
        });
        let sample = &published.sample;
        {
            let mut window = shared
                .window
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let sender = shared.sender();
            let Some(sender) = sender.as_ref() else {
                return; // closed
            };
            window.push(sample);
            // Sent under the lock: a subscriber gets it either in its
            // window or from its receiver, never both and never neither.
            // No receiver at all is not an error.
            let _ = sender.send(Arc::clone(&published));
        }
        *shared
            .latest
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(reading.clone()));
        history.add(sample).await;
        shared.rounds.fetch_add(1, Ordering::Relaxed);
        previous = Some(reading);
    }
}
