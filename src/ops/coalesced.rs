//! One read for everyone who asks at once. Callers queue; the first reads,
//! and a caller takes the newest answer only when that read began after
//! the caller asked, so an answer never misses what was written before
//! someone asked (their own tick, say). Twenty pages reloading on the same
//! change cost two reads, not twenty. A failure is not shared (errors are
//! not copied); after one, callers read side by side until a read
//! succeeds, so that twenty pages on an unreachable database do not wait
//! out twenty timeouts in turn.

use std::sync::atomic::{AtomicU64, Ordering};

/// The newest answer and which read made it.
struct Answer<T> {
    /// What was read (a database and a migration, say).
    key: String,
    /// The read's number: reads are numbered as they begin.
    number: u64,
    value: T,
}

struct State<T> {
    newest: Option<Answer<T>>,
    /// The last read failed: reads are not queued until one succeeds.
    failing: bool,
}

pub struct Coalesced<T> {
    /// Reads begun so far.
    begun: AtomicU64,
    /// Held by the read under way.
    state: tokio::sync::Mutex<State<T>>,
}

impl<T> Default for Coalesced<T> {
    fn default() -> Self {
        Self {
            begun: AtomicU64::new(0),
            state: tokio::sync::Mutex::new(State {
                newest: None,
                failing: false,
            }),
        }
    }
}

impl<T> std::fmt::Debug for Coalesced<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalesced")
            .field("begun", &self.begun.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T: Clone> Coalesced<T> {
    /// `read`'s answer for `key`, or the answer of a read of the same key
    /// that began after this call.
    pub async fn read<E>(
        &self,
        key: &str,
        read: impl Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let asked = self.begun.load(Ordering::SeqCst);
        let mut state = self.state.lock().await;
        if let Some(answer) = state.newest.as_ref()
            && answer.key == key
            && answer.number > asked
        {
            return Ok(answer.value.clone());
        }
        let number = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        if state.failing {
            drop(state);
            let value = read.await?;
            self.keep(key, number, &value).await;
            return Ok(value);
        }
        match read.await {
            Ok(value) => {
                state.newest = Some(Answer {
                    key: key.to_owned(),
                    number,
                    value: value.clone(),
                });
                Ok(value)
            }
            Err(error) => {
                state.failing = true;
                Err(error)
            }
        }
    }

    /// Keeps the answer of read `number`, read without the queue, unless a
    /// newer one is kept.
    async fn keep(&self, key: &str, number: u64, value: &T) {
        let mut state = self.state.lock().await;
        state.failing = false;
        if state
            .newest
            .as_ref()
            .is_none_or(|kept| kept.number < number)
        {
            state.newest = Some(Answer {
                key: key.to_owned(),
                number,
                value: value.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn callers_at_once_share_a_read_begun_after_they_asked() {
        let shared = Coalesced::<usize>::default();
        let reads = AtomicUsize::new(0);
        let read = || async {
            let n = reads.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok::<_, ()>(n)
        };
        let answers =
            futures_util::future::join_all((0..20).map(|_| shared.read("db", read()))).await;
        // The first reads alone; the 19 queued behind it share the second.
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        assert_eq!(answers[0], Ok(1));
        assert!(answers[1..].iter().all(|answer| *answer == Ok(2)));
        // Asked after every read ended: read again.
        assert_eq!(shared.read("db", read()).await, Ok(3));
    }

    #[tokio::test]
    async fn another_key_or_a_failed_read_is_never_shared() {
        let shared = Coalesced::<&str>::default();
        let (one, other) = tokio::join!(
            shared.read("one", async { Ok::<_, ()>("one") }),
            shared.read("other", async { Ok::<_, ()>("other") }),
        );
        assert_eq!((one, other), (Ok("one"), Ok("other")));
        // Both queue behind a slow read; the first behind it fails, and the
        // second reads for itself rather than take that failure.
        let slow = async {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            Ok::<_, &str>("slow")
        };
        let (_, failed, behind) = tokio::join!(
            shared.read("one", slow),
            shared.read("one", async { Err::<&str, _>("down") }),
            shared.read("one", async { Ok::<_, &str>("read itself") }),
        );
        assert_eq!(failed, Err("down"));
        assert_eq!(behind, Ok("read itself"));
    }

    #[tokio::test]
    async fn after_a_failure_reads_run_side_by_side_until_one_succeeds() {
        let shared = Coalesced::<usize>::default();
        let down = shared.read("db", async { Err::<usize, _>("down") }).await;
        assert_eq!(down, Err("down"));
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let read = || async {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, &str>(now)
        };
        let answers =
            futures_util::future::join_all((0..5).map(|_| shared.read("db", read()))).await;
        assert!(answers.iter().all(Result::is_ok));
        assert_eq!(most.load(Ordering::SeqCst), 5, "none waited for another");
        // A success ends it: callers queue and share again.
        let queued =
            futures_util::future::join_all((0..5).map(|_| shared.read("db", read()))).await;
        assert!(queued.iter().all(|answer| *answer == Ok(1)), "{queued:?}");
    }
}
