//! The change stream over the wire: a signed-in subscriber of
//! `/api/changes` is told exactly the areas that changed (a checklist tick
//! made through `ops`, a device written straight into the database as the
//! Forest app would), with no data; a signed-out caller is refused; and
//! the watcher reads once per interval however many people listen.

use crate::checklist::person;
use crate::helpers::{raw, settings_in, test_db};
use crate::roles::{cookie_for, seed_accounts};
use forest_runbook::model::{Area, Changed, CollectionProgress, JobKind, JobProgress, JobState};
use forest_runbook::ops::checklist::set_item;
use forest_runbook::ops::migration::PHASE_0;
use forest_runbook::server::{AppState, Application};
use mongodb::bson::{DateTime, Document, doc};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::time::{Instant, timeout};

/// A plain-HTTP client (reqwest wants a TLS provider even so).
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// One subscriber's stream, read event by event.
struct Subscription {
    response: reqwest::Response,
    text: String,
}

impl Subscription {
    async fn open(base: &str, cookie: &str) -> Self {
        let response = client()
            .get(format!("{base}/api/changes"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("connects");
        assert_eq!(response.status(), 200);
        Self {
            response,
            text: String::new(),
        }
    }

    /// Opens a stream and reads its greeting: the version, with no areas.
    async fn greeted(base: &str, cookie: &str) -> (Self, Changed) {
        let mut subscription = Self::open(base, cookie).await;
        let greeting = subscription
            .next(Duration::from_secs(5))
            .await
            .expect("a greeting");
        assert!(greeting.areas.is_empty(), "{greeting:?}");
        (subscription, greeting)
    }

    /// The next announcement, or `None` when none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Changed> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some((event, rest)) = self.text.split_once("\n\n") {
                let event = event.to_owned();
                self.text = rest.to_owned();
                if !event.contains("event: changed") {
                    continue; // a keep-alive comment
                }
                let data = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .expect("data");
                return Some(serde_json::from_str(data).expect("an announcement"));
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let chunk = timeout(left, self.response.chunk()).await.ok()?;
            let bytes = chunk.expect("readable").expect("the stream stays open");
            self.text
                .push_str(std::str::from_utf8(&bytes).expect("utf-8"));
        }
    }
}

#[tokio::test]
async fn a_subscriber_hears_exactly_the_areas_that_changed_and_a_stranger_is_refused() {
    let served = Served::start("changes_areas").await;
    let (db, state, base) = (&served.db, &served.state, served.base.as_str());

    let stranger = client()
        .get(format!("{base}/api/changes"))
        .send()
        .await
        .expect("answers");
    assert_eq!(stranger.status(), 401);

    let cookie = cookie_for(db, "viewer").await;
    let (mut first, _) = Subscription::greeted(base, &cookie).await;
    let (mut second, _) = Subscription::greeted(base, &cookie).await;
    served.watcher_reads().await;

    set_item(
        db,
        &person("ada"),
        &PHASE_0,
        state.watched(),
        "staging",
        true,
        "ran it",
    )
    .await
    .expect("tick");
    add_device(db, "phone-1").await;

    for subscription in [&mut first, &mut second] {
        let mut heard = BTreeSet::new();
        let mut versions = Vec::new();
        while let Some(changed) = subscription.next(Duration::from_secs(4)).await {
            versions.push(changed.version);
            heard.extend(changed.areas.iter().map(|a| format!("{a:?}")));
        }
        let wanted: BTreeSet<_> = [Area::Checklist, Area::Devices]
            .iter()
            .map(|a| format!("{a:?}"))
            .collect();
        assert_eq!(heard, wanted, "exactly the two areas");
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }

    // Two listeners, one round of reads per second.
    let (before, since) = (state.changes.rounds(), Instant::now());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let read = state.changes.rounds() - before;
    let seconds = since.elapsed().as_secs();
    assert!(read <= seconds + 1, "{read} rounds in {seconds} s");

    drop((first, second));
    served.stop().await;
}

/// The app serving on a port of its own, on a database of its own with
/// the demo accounts.
struct Served {
    db: forest_runbook::db::Database,
    state: AppState,
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Served {
    async fn start(name: &str) -> Self {
        let db = test_db(name).await;
        seed_accounts(&db).await;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = settings_in(dir.path());
        settings.server.address = "127.0.0.1:0".parse().expect("address");
        let state = AppState::new(settings, db.clone());
        let app = Application::build(state.clone()).await.expect("binds");
        let base = format!("http://{}", app.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self {
            db,
            state,
            base,
            stop,
            serving,
            _dir: dir,
        }
    }

    /// Waits until the watcher has read twice with someone listening (its
    /// first round only takes the marks).
    async fn watcher_reads(&self) {
        let rounds = self.state.changes.rounds();
        timeout(Duration::from_secs(5), async {
            while self.state.changes.rounds() < rounds + 2 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .expect("the watcher reads");
    }

    async fn stop(self) {
        drop(self.stop);
        self.serving.await.expect("joins").expect("stops");
        self.db.drop_database().await.expect("drop");
    }
}

/// A device, written straight into the database as the Forest app would.
async fn add_device(db: &forest_runbook::db::Database, id: &str) {
    raw(db)
        .await
        .collection::<Document>("devices")
        .insert_one(doc! {
            "deviceId": id, "platform": "ios", "appVersion": "2.0.0",
            "userId": mongodb::bson::oid::ObjectId::new(),
            "lastSeenAt": DateTime::now(), "createdAt": DateTime::now(), "updatedAt": DateTime::now(),
        })
        .await
        .expect("a device");
}

/// The announcements' version a page says it was read at: the prop of its
/// live-refresh island, which the stream's greeting is compared with.
async fn read_at(base: &str, cookie: &str, path: &str) -> u64 {
    let page = client()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("answers")
        .text()
        .await
        .expect("a page");
    let key = "&quot;read_at&quot;:";
    let at = page.find(key).expect("the page's live refresh") + key.len();
    let digits: String = page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a version")
}

#[tokio::test]
async fn a_page_says_the_version_it_was_read_at_so_that_only_a_page_read_before_a_change_reads_again()
 {
    let served = Served::start("changes_read_at").await;
    let (db, base) = (&served.db, served.base.as_str());
    let cookie = cookie_for(db, "viewer").await;
    let (mut stream, greeting) = Subscription::greeted(base, &cookie).await;
    assert_eq!(
        read_at(base, &cookie, "/devices").await,
        greeting.version,
        "nothing changed since: the page is current"
    );
    served.watcher_reads().await;

    add_device(db, "phone-1").await;
    let changed = stream
        .next(Duration::from_secs(5))
        .await
        .expect("announced");
    assert_eq!(changed.areas, vec![Area::Devices]);
    assert!(changed.version > greeting.version, "{changed:?}");
    // A page read before the device knows an older version; read after it,
    // the one the stream greets with.
    assert_eq!(read_at(base, &cookie, "/devices").await, changed.version);
    let (later, greeting) = Subscription::greeted(base, &cookie).await;
    assert_eq!(greeting.version, changed.version);

    drop((stream, later));
    served.stop().await;
}

/// The backups area's mark and the job area's, as the watcher reads them
/// from the database.
async fn backups_and_job_marks(db: &forest_runbook::db::Database) -> (u64, u64) {
    (
        db.mark(Area::Backups).await.expect("the backups mark"),
        db.mark(Area::Job).await.expect("the job mark"),
    )
}

/// Writes the job's progress as a running job does; answers the marks.
async fn write_job(db: &forest_runbook::db::Database, progress: &JobProgress) -> (u64, u64) {
    db.write_job(&progress.id, "owner", progress)
        .await
        .expect("written");
    backups_and_job_marks(db).await
}

#[tokio::test]
async fn a_running_jobs_counts_move_only_the_job_area_and_its_start_and_end_move_the_backups_area_too()
 {
    let db = test_db("changes_job_progress").await;
    let mut progress = JobProgress {
        id: "job-1".to_owned(),
        kind: JobKind::Backup,
        backup: "forest-1".to_owned(),
        state: JobState::Running,
        collections: vec![CollectionProgress {
            name: "tasks".to_owned(),
            documents: 0,
            total: 1_000,
            bytes: 0,
            done: false,
        }],
        message: None,
        pre_image_backup: None,
    };
    let before = backups_and_job_marks(&db).await;

    let started = write_job(&db, &progress).await;
    assert_ne!(started.0, before.0, "a job starting moves the backups area");
    assert_ne!(started.1, before.1, "and the job area");

    let mut marks = started;
    for documents in [250, 500, 750] {
        progress.collections[0].documents = documents;
        progress.collections[0].bytes = documents * 100;
        let counted = write_job(&db, &progress).await;
        assert_eq!(counted.0, started.0, "counting leaves the backups area");
        assert_ne!(counted.1, marks.1, "counting moves the job area");
        marks = counted;
    }

    progress.state = JobState::Done;
    progress.collections[0].done = true;
    progress.message = Some("backup forest-1 complete".to_owned());
    let ended = write_job(&db, &progress).await;
    assert_ne!(ended.0, marks.0, "a job ending moves the backups area");
    assert_ne!(ended.1, marks.1, "and the job area");

    db.drop_database().await.expect("drop");
}
