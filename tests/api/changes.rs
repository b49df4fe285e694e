//! The change stream over the wire: a signed-in subscriber of
//! `/api/changes` is told exactly the areas that changed (a checklist tick
//! made through `ops`, a device written straight into the database as the
//! Forest app would), with no data; a signed-out caller is refused; and
//! the watcher reads once per interval however many people listen.

use crate::checklist::person;
use crate::helpers::{raw, settings_in, test_db};
use crate::roles::{cookie_for, seed_accounts};
use forest_runbook::model::{Area, Changed};
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
    let db = test_db("changes_areas").await;
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

    let stranger = client()
        .get(format!("{base}/api/changes"))
        .send()
        .await
        .expect("answers");
    assert_eq!(stranger.status(), 401);

    let cookie = cookie_for(&db, "viewer").await;
    let mut first = Subscription::open(&base, &cookie).await;
    let greeting = first
        .next(Duration::from_secs(5))
        .await
        .expect("a greeting");
    assert!(greeting.areas.is_empty(), "{greeting:?}");
    let mut second = Subscription::open(&base, &cookie).await;
    second
        .next(Duration::from_secs(5))
        .await
        .expect("a greeting");
    // The first round with listeners only takes the marks: wait for it.
    let rounds = state.changes.rounds();
    timeout(Duration::from_secs(5), async {
        while state.changes.rounds() < rounds + 2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the watcher reads");

    set_item(
        &db,
        &person("ada"),
        &PHASE_0,
        state.watched(),
        "staging",
        true,
        "ran it",
    )
    .await
    .expect("tick");
    raw(&db)
        .await
        .collection::<Document>("devices")
        .insert_one(doc! {
            "deviceId": "phone-1", "platform": "ios", "appVersion": "2.0.0",
            "userId": mongodb::bson::oid::ObjectId::new(),
            "lastSeenAt": DateTime::now(), "createdAt": DateTime::now(), "updatedAt": DateTime::now(),
        })
        .await
        .expect("a device");

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

    drop((first, second, stop));
    serving.await.expect("joins").expect("stops");
    db.drop_database().await.expect("drop");
}
