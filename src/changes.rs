//! `Changes`: the one task that notices when what a page shows has
//! changed. Every interval it reads each area's mark once (the
//! database's, `Database::mark`; the backups folder's; the Forest logs'
//! count) and announces the areas whose mark moved to every subscriber at
//! once: however many browsers watch, the database sees one round of
//! reads per interval. It reads even while nobody listens, so that a
//! change made just before someone subscribes is still compared with the
//! marks from before it, and announced. It reads the
//! database rather than hooking the app's own calls, so what the command
//! line or another instance changes is announced too.

use crate::db::Database;
use crate::forest::LogWatcher;
use crate::model::{Area, Changed};
use crate::ops::backup::BackupStore;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::broadcast;

/// How often the marks are read: a running step's progress shows within
/// about a second.
pub const CHANGES_EVERY: Duration = Duration::from_secs(1);

/// Announcements a slow subscriber may fall behind before it is told
/// that every area changed.
const BACKLOG: usize = 16;

/// What the marks are read from.
#[derive(Debug, Clone)]
pub struct Watched {
    pub db: Database,
    pub backups: BackupStore,
    pub logs: LogWatcher,
}

/// A handle on the watcher; cheap to clone. The task ends when the last
/// handle is dropped or the watcher is closed.
#[derive(Debug, Clone)]
pub struct Changes {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    hub: Mutex<Hub>,
    rounds: AtomicU64,
}

#[derive(Debug)]
struct Hub {
    /// `None` once closed: receivers then see the channel closed.
    sender: Option<broadcast::Sender<Arc<Changed>>>,
    /// Announcements made so far.
    version: u64,
}

impl Shared {
    fn hub(&self) -> MutexGuard<'_, Hub> {
        self.hub.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Changes {
    /// Starts the watcher on the current tokio runtime.
    pub fn start(watched: Watched, interval: Duration) -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        let shared = Arc::new(Shared {
            hub: Mutex::new(Hub {
                sender: Some(sender),
                version: 0,
            }),
            rounds: AtomicU64::new(0),
        });
        tokio::spawn(run(watched, Arc::downgrade(&shared), interval));
        Self { shared }
    }

    /// The announcements made so far, and a receiver of every later one;
    /// taken together, so no announcement falls between them.
    pub fn subscribe(&self) -> (u64, broadcast::Receiver<Arc<Changed>>) {
        let hub = self.shared.hub();
        let receiver = match &hub.sender {
            Some(sender) => sender.subscribe(),
            // Closed: a receiver whose channel is already closed.
            None => broadcast::channel(1).1,
        };
        (hub.version, receiver)
    }

    /// How many announcements were made so far.
    pub fn version(&self) -> u64 {
        self.shared.hub().version
    }

    /// Stops the watcher and ends every subscription.
    pub fn close(&self) {
        self.shared.hub().sender.take();
    }

    /// Rounds of reads made since the watcher started.
    pub fn rounds(&self) -> u64 {
        self.shared.rounds.load(Ordering::Relaxed)
    }
}

/// The areas' marks of one round; `None` for one that could not be read.
type Marks = [Option<u64>; Area::ALL.len()];

async fn run(watched: Watched, shared: Weak<Shared>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // `None` before the first round, which only reads.
    let mut previous: Option<Marks> = None;
    loop {
        ticker.tick().await;
        let open = shared.upgrade().is_some_and(|s| s.hub().sender.is_some());
        if !open {
            return; // dropped or closed
        }
        let mut marks: Marks = [None; Area::ALL.len()];
        for area in Area::ALL {
            marks[area.index()] = mark(&watched, area).await;
        }
        let Some(shared) = shared.upgrade() else {
            return;
        };
        shared.rounds.fetch_add(1, Ordering::Relaxed);
        let areas = previous
            .map(|before| moved(&before, &marks))
            .unwrap_or_default();
        previous = Some(marks);
        if areas.is_empty() {
            continue;
        }
        let mut hub = shared.hub();
        hub.version += 1;
        let changed = Arc::new(Changed {
            version: hub.version,
            areas,
        });
        match &hub.sender {
            // No receiver left is not an error.
            Some(sender) => drop(sender.send(changed)),
            None => return,
        }
    }
}

/// The areas whose mark differs: another value, or one that could be read
/// and now cannot (or the other way round), so that pages show the
/// database going away and coming back.
fn moved(before: &Marks, now: &Marks) -> Vec<Area> {
    Area::ALL
        .into_iter()
        .filter(|area| before[area.index()] != now[area.index()])
        .collect()
}

/// `area`'s mark, or `None` (logged) when a read failed.
async fn mark(watched: &Watched, area: Area) -> Option<u64> {
    let mut hasher = DefaultHasher::new();
    match watched.db.mark(area).await {
        Ok(mark) => mark.hash(&mut hasher),
        Err(error) => {
            tracing::debug!(%error, ?area, "cannot read a change mark");
            return None;
        }
    }
    match area {
        Area::Backups => {
            let store = watched.backups.clone();
            match tokio::task::spawn_blocking(move || store.mark()).await {
                Ok(Ok(mark)) => mark.hash(&mut hasher),
                Ok(Err(error)) => {
                    tracing::debug!(%error, "cannot read the backups folder's mark");
                    return None;
                }
                Err(error) => {
                    tracing::debug!(%error, "the backups folder's mark did not finish");
                    return None;
                }
            }
        }
        Area::Forest => watched.logs.seen().hash(&mut hasher),
        Area::Runbook | Area::Checklist | Area::Devices | Area::Job => {}
    }
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::{Marks, moved};
    use crate::model::Area;

    #[test]
    fn areas_whose_mark_moved_or_became_unreadable_or_readable_are_announced() {
        let before: Marks = [Some(1), Some(2), None, Some(4), None, Some(6)];
        let now: Marks = [Some(1), Some(3), Some(9), None, None, Some(6)];
        assert_eq!(
            moved(&before, &now),
            vec![Area::Checklist, Area::Devices, Area::Backups]
        );
    }
}
