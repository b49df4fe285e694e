//! The checklist on a live database: verify passes while the Forest app
//! keeps inserting, the indexes item follows the index rows alone, the API
//! item needs every target of the newest round, the backup item counts
//! only a backup of this deployment, and failing evidence is acknowledged
//! with a note until a newer failure reopens it.

use crate::checklist::{Quiet, forest_db, item, person, probe, verified, watched_log_folder};
use crate::dedupe::insert_tasks;
use crate::helpers::raw;
use forest_runbook::db::Database;
use forest_runbook::model::{AuditFilter, Checklist, ChecklistItem, ItemStatus, Manifest};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::backup::{self as backups, Jobs};
use forest_runbook::ops::checklist::{acknowledge, checklist, set_item};
use forest_runbook::ops::migration::{PHASE_0, migrate, revert};
use mongodb::bson::{DateTime, Document, doc};

/// What an item's evidence says.
fn said(item: &ChecklistItem) -> String {
    item.evidence
        .as_ref()
        .map(|e| e.summary.clone())
        .unwrap_or_default()
}

/// A backup taken and verified now.
async fn verified_backup(db: &Database, quiet: &Quiet) -> Manifest {
    let ada = person("ada");
    let taken = backups::backup(db, &quiet.backups, &Jobs::new(db.clone()), &ada, false)
        .await
        .expect("backup");
    backups::verify_backup(db, &quiet.backups, &ada, &taken.name)
        .await
        .expect("verify backup")
}

#[tokio::test]
async fn verify_passes_while_the_app_inserts_and_fails_once_documents_are_lost() {
    let db = forest_db("live_verify").await;
    let quiet = Quiet::new();
    let ada = person("ada");
    verified_backup(&db, &quiet).await;
    migrate(&db, &ada, &PHASE_0).await.expect("migrate");
    let new_tasks =
        (0..3).map(|i| doc! { "title": format!("new {i}"), "createdAt": DateTime::now() });
    insert_tasks(&db, new_tasks.collect()).await;
    let checked = verified(&db, &ada, &quiet).await;
    assert!(checked.passed, "{:?}", checked.checks);
    let tasks = checked
        .checks
        .iter()
        .find(|c| c.name.starts_with("tasks lost no document"))
        .expect("a count row");
    assert!(
        tasks.evidence.contains("3 added since"),
        "{}",
        tasks.evidence
    );

    raw(&db)
        .await
        .collection::<Document>("tasks")
        .delete_many(doc! {})
        .await
        .expect("lose every task");
    let lost = verified(&db, &ada, &quiet).await;
    assert!(!lost.passed, "fewer documents than the backup fails");
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(
        item(&list, "indexes").status,
        ItemStatus::Done,
        "every index row still passes: {:?}",
        item(&list, "indexes").evidence
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_api_item_needs_every_target_of_the_newest_round_to_pass() {
    let db = forest_db("live_api").await;
    let quiet = Quiet::new();
    migrate(&db, &person("ada"), &PHASE_0)
        .await
        .expect("migrate");
    // One round: the first target fails, the last passes.
    db.insert_probes(&[probe(false), probe(true)])
        .await
        .expect("round");
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    let api = item(&list, "api");
    assert_eq!(api.status, ItemStatus::NeedsAttention);
    assert!(
        api.evidence
            .expect("evidence")
            .summary
            .contains("1 of 2 targets"),
        "the failing target is named"
    );
    db.insert_probes(&[probe(true), probe(true)])
        .await
        .expect("round");
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(item(&list, "api").status, ItemStatus::Done);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_backup_item_counts_only_a_verified_backup_taken_since_the_last_rollback() {
    let db = forest_db("live_backup").await;
    let quiet = Quiet::new();
    let ada = person("ada");
    let backup_item = |list: &Checklist| item(list, "backup");
    let first = verified_backup(&db, &quiet).await;
    let read = || async {
        checklist(&db, &PHASE_0, quiet.watched())
            .await
            .expect("checklist")
    };
    let proven = backup_item(&read().await);
    assert_eq!(proven.status, ItemStatus::Done);
    assert_eq!(
        proven.evidence.expect("evidence").href,
        format!("/backups#backup-{}", first.name),
        "the link lands on the backup's row"
    );

    migrate(&db, &ada, &PHASE_0).await.expect("migrate");
    revert(&db, &ada, &PHASE_0, db.name(), &quiet.backups)
        .await
        .expect("revert");
    let stale = backup_item(&read().await);
    assert_eq!(
        stale.status,
        ItemStatus::Open,
        "a backup of the last deployment"
    );
    set_item(&db, &ada, &PHASE_0, quiet.watched(), "backup", true, "")
        .await
        .expect("tick");
    let ticked = backup_item(&read().await);
    assert_eq!(ticked.status, ItemStatus::NeedsAttention);
    assert!(said(&ticked).contains("no verified backup was taken in this deployment"));

    let second = verified_backup(&db, &quiet).await;
    let fresh = backup_item(&read().await);
    assert_eq!(fresh.status, ItemStatus::Done);
    assert!(said(&fresh).contains(&second.name));
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn failing_evidence_is_acknowledged_with_a_note_and_a_newer_failure_reopens_it() {
    let db = forest_db("live_ack").await;
    let quiet = Quiet::new();
    let (_checkout, folder, logs) = watched_log_folder();
    let ada = person("ada");
    migrate(&db, &ada, &PHASE_0).await.expect("migrate");
    let error_line = || {
        format!(
            "{{\"level\":50,\"time\":{},\"msg\":\"cron job timeout\"}}\n",
            DateTime::now().timestamp_millis()
        )
    };
    let mut written = error_line();
    std::fs::write(folder.join("app.log"), &written).expect("an error line");
    logs.look();
    let read = || async {
        checklist(&db, &PHASE_0, quiet.watching(&logs))
            .await
            .expect("checklist")
    };
    assert_eq!(
        item(&read().await, "logs").status,
        ItemStatus::NeedsAttention
    );
    let done_before = read().await.done();
    assert!(
        read()
            .await
            .readiness
            .summary
            .contains("checklist items are not done yet")
    );

    let unexplained = acknowledge(&db, &ada, &PHASE_0, quiet.watching(&logs), "logs", "  ").await;
    assert!(matches!(
        unexplained,
        Err(OpsError::InvalidInput { field: "note", .. })
    ));
    let passing = acknowledge(&db, &ada, &PHASE_0, quiet.watching(&logs), "backup", "why").await;
    assert!(
        matches!(passing, Err(OpsError::InvalidInput { field: "item", .. })),
        "nothing fails there: {passing:?}"
    );
    acknowledge(
        &db,
        &ada,
        &PHASE_0,
        quiet.watching(&logs),
        "logs",
        "unrelated: cron job timeout",
    )
    .await
    .expect("acknowledge");
    let list = read().await;
    let logs_item = item(&list, "logs");
    assert_eq!(logs_item.status, ItemStatus::Acknowledged);
    let ack = logs_item.acknowledgement.expect("acknowledgement");
    assert_eq!(
        (ack.by.as_str(), ack.note.as_str()),
        ("cli:ada", "unrelated: cron job timeout")
    );
    assert_eq!(list.done(), done_before + 1, "it counts as done");

    written += &error_line();
    std::fs::write(folder.join("app.log"), &written).expect("a newer error line");
    logs.look();
    assert_eq!(
        item(&read().await, "logs").status,
        ItemStatus::NeedsAttention,
        "a newer failure reopens it"
    );
    let audited = db
        .list_audit(&AuditFilter::default(), 100)
        .await
        .expect("audit");
    assert!(
        audited
            .iter()
            .any(|e| e.action == "checklist.ack" && e.actor == "cli:ada")
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_errors_since_the_migration_started_survive_a_restart_of_the_app() {
    let db = forest_db("live_logs_restart").await;
    let quiet = Quiet::new();
    let (checkout, folder, before_restart) = watched_log_folder();
    migrate(&db, &person("ada"), &PHASE_0)
        .await
        .expect("migrate");
    let line = format!(
        "{{\"level\":50,\"time\":{},\"msg\":\"sync failed\"}}\n",
        DateTime::now().timestamp_millis()
    );
    std::fs::write(folder.join("app.log"), line).expect("an error line");
    before_restart.look();
    let seen = checklist(&db, &PHASE_0, quiet.watching(&before_restart))
        .await
        .expect("checklist");
    assert_eq!(item(&seen, "logs").status, ItemStatus::NeedsAttention);
    drop(before_restart);

    // A new process reads only lines written after it started.
    let mut settings = crate::helpers::settings_in(checkout.path()).forest_logs;
    settings.checkout = checkout.path().to_path_buf();
    let after_restart = forest_runbook::forest::LogWatcher::new(&settings);
    after_restart.look();
    let list = checklist(&db, &PHASE_0, quiet.watching(&after_restart))
        .await
        .expect("checklist");
    let logs = item(&list, "logs");
    assert_eq!(
        logs.status,
        ItemStatus::NeedsAttention,
        "the error still counts"
    );
    assert!(said(&logs).starts_with("1 error lines"), "{}", said(&logs));
    db.drop_database().await.expect("drop");
}
