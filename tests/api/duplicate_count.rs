//! The kept duplicate count: pages reuse it while the Forest app writes
//! and until the app's own runs change the data, an old one is counted
//! again in the background, and migrate trusting a count that missed a
//! late duplicate stops at the unique index, which it leaves unbuilt.

use crate::backup::{cli, store_in};
use crate::checklist::{Quiet, forest_db};
use crate::dedupe::{QUIET, insert_tasks};
use crate::restore_guard::indexes_of;
use forest_runbook::db::{Database, DuplicateCount, Recount, codes};
use forest_runbook::model::{Blocker, ReportPage};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::checklist::checklist;
use forest_runbook::ops::dedupe::{self, Options};
use forest_runbook::ops::duplicates::MAX_TIME;
use forest_runbook::ops::migration::{PHASE_0, migrate, plan};
use mongodb::bson::{DateTime, doc};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Two tasks written by the Forest app with the same `clientId`.
async fn twins(db: &Database, client_id: &str) {
    let twin = || doc! { "title": "twin", "clientId": client_id, "createdAt": DateTime::now() };
    insert_tasks(db, vec![twin(), twin()]).await;
}

fn duplicated(blockers: &[Blocker]) -> bool {
    blockers
        .iter()
        .any(|blocker| matches!(blocker, Blocker::Duplicated { .. }))
}

async fn counted(db: &Database, recount: Recount) -> Arc<DuplicateCount> {
    let page = ReportPage {
        offset: 0,
        limit: 5,
    };
    db.duplicate_count(&PHASE_0.unique_keys(), page, MAX_TIME, recount)
        .await
        .expect("count")
}

fn values(count: &DuplicateCount) -> u64 {
    count.reports.iter().map(|r| r.duplicated_values).sum()
}

#[tokio::test]
async fn the_checklist_keeps_its_count_while_forest_writes_and_recounts_after_a_cleanup() {
    let db = forest_db("kept_count_checklist").await;
    let quiet = Quiet::new();
    let first = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist")
        .readiness;
    assert!(!duplicated(&first.blockers), "{:?}", first.blockers);

    twins(&db, "twin").await;
    let kept = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist")
        .readiness;
    assert_eq!(
        kept.duplicates_counted_at, first.duplicates_counted_at,
        "a count made a moment ago is kept"
    );
    assert!(
        !duplicated(&kept.blockers),
        "the kept count predates the twins"
    );

    // A dry run counts now, and what it finds is what the pages show.
    let dry_run = plan(&db, &PHASE_0, &quiet.backups, Recount::Now)
        .await
        .expect("plan");
    assert!(duplicated(&dry_run.blockers), "{:?}", dry_run.blockers);
    let seen = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist")
        .readiness;
    assert!(duplicated(&seen.blockers), "{:?}", seen.blockers);

    // The cleanup is a run of the app: the count from before it is not
    // shown again.
    let dir = tempfile::tempdir().expect("dir");
    dedupe::apply(
        &db,
        &cli(),
        &PHASE_0,
        Options::default(),
        db.name(),
        &store_in(dir.path()),
        QUIET,
    )
    .await
    .expect("cleanup");
    let cleaned = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist")
        .readiness;
    assert!(!duplicated(&cleaned.blockers), "{:?}", cleaned.blockers);
    assert!(
        cleaned.duplicates_counted_at > seen.duplicates_counted_at,
        "{} after {}",
        cleaned.duplicates_counted_at,
        seen.duplicates_counted_at
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_old_count_is_shown_while_it_is_counted_again_in_the_background() {
    let db = forest_db("kept_count_background").await;
    let first = counted(&db, Recount::Now).await;
    assert_eq!(values(&first), 0);
    let reused = counted(&db, Recount::After(Duration::from_secs(3_600))).await;
    assert!(
        Arc::ptr_eq(&reused, &first),
        "a clean count younger than an hour is reused"
    );
    twins(&db, "late").await;

    let shown = counted(&db, Recount::InBackgroundAfter(Duration::ZERO)).await;
    assert!(
        Arc::ptr_eq(&shown, &first),
        "the reader is answered with the kept count"
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let recounted = loop {
        let now = counted(&db, Recount::InBackgroundAfter(Duration::from_secs(3_600))).await;
        if values(&now) > 0 || Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(values(&recounted), 1, "the count made in the background");
    assert!(recounted.at >= first.at);

    // A count that found duplicates is not trusted by migrate's preflight:
    // they may have been cleaned by hand since.
    let again = counted(&db, Recount::After(Duration::from_secs(3_600))).await;
    assert!(!Arc::ptr_eq(&again, &recounted));
    assert_eq!(values(&again), 1);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn migrate_trusting_a_count_that_missed_a_duplicate_stops_at_the_unique_index() {
    let db = forest_db("kept_count_migrate").await;
    let quiet = Quiet::new();
    let dry_run = plan(&db, &PHASE_0, &quiet.backups, Recount::Now)
        .await
        .expect("plan");
    assert!(dry_run.blockers.iter().all(|b| *b == Blocker::NoBackup));
    twins(&db, "raced").await;

    match migrate(&db, &cli(), &PHASE_0).await {
        Err(OpsError::ChangeFailed { change, code, .. }) => {
            assert_eq!(code, Some(codes::DUPLICATE_KEY), "{change}");
            assert!(change.contains("clientId"), "{change}");
        }
        other => panic!("expected the unique build to fail, got {other:?}"),
    }
    let indexes = indexes_of(&db, "tasks").await;
    assert!(
        indexes.iter().all(|index| !index
            .get_document("key")
            .is_ok_and(|key| key.contains_key("clientId"))),
        "a failed unique build leaves no index: {indexes:?}"
    );
    // The failed run is a change of the app's: the next migrate counts
    // again and refuses before any change.
    match migrate(&db, &cli(), &PHASE_0).await {
        Err(OpsError::Preflight(blockers)) => assert!(duplicated(&blockers), "{blockers:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    db.drop_database().await.expect("drop");
}
