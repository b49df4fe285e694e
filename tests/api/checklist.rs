//! The deployment checklist against the real server: concurrent ticks by
//! two people all survive, an unknown item changes nothing, and the
//! indexes item follows its evidence, going stale when a later
//! verification fails.

use crate::backup::store_in;
use crate::helpers::{settings_in, test_db};
use forest_runbook::db::{Collection, Database, DemoDataSpec};
use forest_runbook::forest::LogWatcher;
use forest_runbook::model::{
    AuditFilter, Blocker, Checklist, ChecklistItem, ItemStatus, ProbeResult, Verification,
};
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::{self as backups, BackupStore, Jobs};
use forest_runbook::ops::checklist::{Watched, checklist, set_item};
use forest_runbook::ops::migration::{PHASE_0, migrate, verify};
use forest_runbook::ops::prisma::PrismaSource;
use forest_runbook::ops::{Coalesced, OpsError};
use futures::future::join_all;
use mongodb::bson::DateTime;
use std::path::PathBuf;

pub fn person(name: &str) -> Actor {
    Actor::Cli(name.to_owned())
}

/// Verify as `actor`, without a Forest schema configured.
pub async fn verified(db: &Database, actor: &Actor, quiet: &Quiet) -> Verification {
    verify(
        db,
        actor,
        &PHASE_0,
        &quiet.backups,
        &PrismaSource::default(),
    )
    .await
    .expect("verify")
}

/// A log watcher with no folder configured and an empty backups folder.
pub struct Quiet {
    pub logs: LogWatcher,
    pub backups: BackupStore,
    reads: Coalesced<Checklist>,
    _dir: tempfile::TempDir,
}

impl Quiet {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = settings_in(dir.path()).forest_logs;
        settings.checkout = PathBuf::new();
        Self {
            logs: LogWatcher::new(&settings),
            backups: store_in(dir.path()),
            reads: Coalesced::default(),
            _dir: dir,
        }
    }

    pub fn watched(&self) -> Watched<'_> {
        self.watching(&self.logs)
    }

    /// The same, watching `logs`.
    pub fn watching<'a>(&'a self, logs: &'a LogWatcher) -> Watched<'a> {
        Watched {
            logs,
            backups: &self.backups,
            reads: &self.reads,
        }
    }
}

/// A small clean pre-migration Forest database.
pub async fn forest_db(name: &str) -> Database {
    let db = test_db(name).await;
    db.prepare_app_collections().await.expect("prepare");
    let spec = DemoDataSpec {
        users: 3,
        tasks: 40,
        sessions: 10,
        messy: false,
        seed: 4,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    db
}

pub fn item(list: &Checklist, key: &str) -> ChecklistItem {
    list.items
        .iter()
        .find(|i| i.key == key)
        .expect("item")
        .clone()
}

#[tokio::test]
async fn concurrent_ticks_by_two_people_all_survive_with_who_and_when() {
    let db = test_db("checklist_concurrent").await;
    let quiet = Quiet::new();
    db.prepare_app_collections().await.expect("prepare");
    let (ada, bob) = (person("ada"), person("bob"));
    let ticks = [
        (&ada, "backup"),
        (&bob, "staging"),
        (&ada, "api"),
        (&bob, "logs"),
        (&ada, "rollback"),
        (&bob, "rollback"),
    ];
    let results = join_all(ticks.iter().map(|(actor, item)| {
        set_item(
            &db,
            actor,
            &PHASE_0,
            quiet.watched(),
            item,
            true,
            "checked in staging",
        )
    }))
    .await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    for (key, by) in [
        ("backup", "ada"),
        ("staging", "bob"),
        ("api", "ada"),
        ("logs", "bob"),
    ] {
        let item = list.items.iter().find(|i| i.key == key).expect("item");
        let tick = item
            .tick
            .as_ref()
            .unwrap_or_else(|| panic!("{key} lost its tick"));
        assert_eq!(tick.by, format!("cli:{by}"));
        assert!(!tick.at.is_empty());
        assert_eq!(tick.note, "checked in staging");
        // A tick of the backup item without a verified backup says so.
        let expected = if key == "backup" {
            ItemStatus::NeedsAttention
        } else {
            ItemStatus::Done
        };
        assert_eq!(item.status, expected, "{key}");
    }
    let rollback = list
        .items
        .iter()
        .find(|i| i.key == "rollback")
        .expect("item");
    assert!(
        rollback.tick.is_some(),
        "one of the two ticks of the same item stands"
    );
    assert_eq!(list.done(), 4);
    let ticked = db
        .list_audit(
            &AuditFilter {
                action: Some("checklist.tick".into()),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .expect("audit");
    assert_eq!(ticked.len(), 6, "every tick is audited");

    set_item(&db, &ada, &PHASE_0, quiet.watched(), "backup", false, "")
        .await
        .expect("untick");
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(list.items[0].status, ItemStatus::Open);
    assert_eq!(list.done(), 4);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_unknown_item_is_refused_and_changes_nothing() {
    let db = test_db("checklist_unknown").await;
    let quiet = Quiet::new();
    db.prepare_app_collections().await.expect("prepare");
    let error = set_item(
        &db,
        &person("ada"),
        &PHASE_0,
        quiet.watched(),
        "launch",
        true,
        "",
    )
    .await
    .expect_err("no such item");
    assert!(
        matches!(error, OpsError::InvalidInput { field: "item", .. }),
        "{error}"
    );
    assert_eq!(db.count(Collection::Checklist).await.expect("count"), 0);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_indexes_item_follows_its_evidence_and_goes_stale_when_verification_fails() {
    let db = forest_db("checklist_evidence").await;
    let quiet = Quiet::new();
    let indexes = |list: &Checklist| item(list, "indexes");
    let before = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert!(
        !before.readiness.ready && before.readiness.blockers[0] == Blocker::NoBackup,
        "migrate needs a backup first: {:?}",
        before.readiness
    );
    assert_eq!(indexes(&before).status, ItemStatus::Open);
    assert!(indexes(&before).evidence.is_none());

    let ada = person("ada");
    migrate(&db, &ada, &PHASE_0).await.expect("migrate");
    let passed = verified(&db, &ada, &quiet).await;
    assert!(passed.passed);
    let after = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    let item = indexes(&after);
    assert_eq!(item.status, ItemStatus::Done, "proven without a tick");
    let evidence = item.evidence.expect("evidence");
    assert!(evidence.passed);
    assert_eq!(evidence.at, passed.at);
    assert!(evidence.href.contains("latest-verification"));
    assert!(!after.readiness.ready, "nothing left to apply");

    set_item(
        &db,
        &ada,
        &PHASE_0,
        quiet.watched(),
        "indexes",
        true,
        "looked myself",
    )
    .await
    .expect("tick");
    db.drop_index(Collection::Tasks, "Task_clientId_key")
        .await
        .expect("drop an index behind the app's back");
    let failed = verified(&db, &ada, &quiet).await;
    assert!(!failed.passed);
    let stale = indexes(
        &checklist(&db, &PHASE_0, quiet.watched())
            .await
            .expect("checklist"),
    );
    assert_eq!(
        stale.status,
        ItemStatus::NeedsAttention,
        "ticked, but the newest evidence fails"
    );
    assert!(!stale.evidence.expect("evidence").passed);
    db.drop_database().await.expect("drop");
}

pub fn probe(passed: bool) -> ProbeResult {
    ProbeResult {
        at: DateTime::now().try_to_rfc3339_string().expect("now"),
        method: "GET".into(),
        url: "http://localhost:8080/api/health".into(),
        expected_status: 200,
        status: Some(if passed { 200 } else { 503 }),
        latency_ms: 12,
        passed,
        reason: if passed { "healthy" } else { "HTTP 503" }.into(),
        body_excerpt: String::new(),
    }
}

/// A Forest checkout with an empty `app.log`, and a watcher that has read it.
pub fn watched_log_folder() -> (tempfile::TempDir, PathBuf, LogWatcher) {
    let checkout = tempfile::tempdir().expect("temp dir");
    let folder = checkout.path().join("apps/server/logs");
    std::fs::create_dir_all(&folder).expect("log folder");
    std::fs::write(folder.join("app.log"), "").expect("log file");
    let mut settings = settings_in(checkout.path()).forest_logs;
    settings.checkout = checkout.path().to_path_buf();
    let logs = LogWatcher::new(&settings);
    logs.look();
    (checkout, folder, logs)
}

#[tokio::test]
async fn the_api_and_logs_items_follow_probes_and_error_lines_since_the_migration_started() {
    let db = forest_db("checklist_forest").await;
    let quiet = Quiet::new();
    let (_checkout, folder, logs) = watched_log_folder();
    db.insert_probes(&[probe(true)])
        .await
        .expect("a probe before");

    let before = checklist(&db, &PHASE_0, quiet.watching(&logs))
        .await
        .expect("checklist");
    assert!(
        item(&before, "api").evidence.is_none(),
        "a probe before the migration proves nothing"
    );
    assert!(item(&before, "logs").evidence.is_none());

    migrate(&db, &person("ada"), &PHASE_0)
        .await
        .expect("migrate");
    logs.look();
    let calm = checklist(&db, &PHASE_0, quiet.watching(&logs))
        .await
        .expect("checklist");
    assert_eq!(item(&calm, "logs").status, ItemStatus::Done);
    assert!(
        item(&calm, "logs")
            .evidence
            .expect("evidence")
            .summary
            .starts_with("0 error lines")
    );
    assert_eq!(
        item(&calm, "api").status,
        ItemStatus::Open,
        "no probe since"
    );

    db.insert_probes(&[probe(true)]).await.expect("probe");
    let probed = checklist(&db, &PHASE_0, quiet.watching(&logs))
        .await
        .expect("checklist");
    assert_eq!(item(&probed, "api").status, ItemStatus::Done);
    db.insert_probes(&[probe(false)]).await.expect("probe");
    let failing = checklist(&db, &PHASE_0, quiet.watching(&logs))
        .await
        .expect("checklist");
    assert_eq!(item(&failing, "api").status, ItemStatus::NeedsAttention);
    assert!(
        item(&failing, "api")
            .evidence
            .expect("evidence")
            .summary
            .contains("503")
    );

    let now = DateTime::now().timestamp_millis();
    std::fs::write(
        folder.join("app.log"),
        format!("{{\"level\":50,\"time\":{now},\"msg\":\"sync failed\"}}\n"),
    )
    .expect("append an error line");
    logs.look();
    let noisy = checklist(&db, &PHASE_0, quiet.watching(&logs))
        .await
        .expect("checklist");
    assert_eq!(item(&noisy, "logs").status, ItemStatus::NeedsAttention);
    assert!(
        item(&noisy, "logs")
            .evidence
            .expect("evidence")
            .summary
            .starts_with("1 error lines")
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_backup_item_is_proven_by_a_verified_backup_and_needs_attention_once_it_is_deleted() {
    let db = forest_db("checklist_backup").await;
    let quiet = Quiet::new();
    let ada = person("ada");
    let backup = |list: &Checklist| item(list, "backup");
    let before = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(backup(&before).status, ItemStatus::Open);

    let taken = backups::backup(&db, &quiet.backups, &Jobs::new(db.clone()), &ada, false)
        .await
        .expect("backup");
    let unverified = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(
        backup(&unverified).status,
        ItemStatus::Open,
        "not verified yet"
    );
    backups::verify_backup(&db, &quiet.backups, &ada, &taken.name)
        .await
        .expect("verify");
    let proven = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(backup(&proven).status, ItemStatus::Done);
    let evidence = backup(&proven).evidence.expect("evidence");
    assert!(
        evidence.summary.contains(&taken.name),
        "{}",
        evidence.summary
    );

    set_item(&db, &ada, &PHASE_0, quiet.watched(), "backup", true, "")
        .await
        .expect("tick");
    backups::delete(&db, &quiet.backups, &ada, &taken.name)
        .await
        .expect("delete");
    let gone = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    assert_eq!(
        backup(&gone).status,
        ItemStatus::NeedsAttention,
        "ticked on a backup that is gone"
    );
    assert!(
        backup(&gone)
            .evidence
            .expect("evidence")
            .href
            .contains(&taken.name)
    );
    db.drop_database().await.expect("drop");
}
