//! Rehearsals against the real server: on messy data the whole sequence
//! passes on a scratch copy, production's documents and indexes are the
//! same afterwards (a hash per collection), the copy and its exports are
//! gone, and the two staging items are proven until a newer backup makes
//! the rehearsal stale; an unreachable staging server fails the restore
//! step and says so; one rehearsal runs at a time; none runs without a
//! verified backup.

use crate::backup::{cli, take};
use crate::checklist::{Quiet, item};
use crate::helpers::test_db;
use forest_runbook::db::{Database, DemoDataSpec, Started};
use forest_runbook::model::{
    AuditEntry, AuditFilter, ItemStatus, Outcome, Rehearsal, RehearsalState, RehearsalStep,
    StepState,
};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::backup::verify_backup;
use forest_runbook::ops::checklist::checklist;
use forest_runbook::ops::migration::PHASE_0;
use forest_runbook::ops::prisma::PrismaSource;
use forest_runbook::ops::rehearsal::{Progress, Rehearsing, Staging, rehearse};
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn messy(name: &str) -> Database {
    let db = test_db(name).await;
    db.prepare_app_collections().await.expect("prepare");
    let spec = DemoDataSpec {
        users: 5,
        tasks: 300,
        sessions: 60,
        messy: true,
        seed: 11,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    db
}

fn rehearsing(db: &Database, quiet: &Quiet, staging: &str) -> Rehearsing {
    Rehearsing {
        db: db.clone(),
        backups: quiet.backups.clone(),
        prisma: PrismaSource::default(),
        staging: Staging::new(staging),
    }
}

/// A verified backup of `db`.
async fn verified_backup(db: &Database, quiet: &Quiet) -> String {
    let taken = take(db, &quiet.backups, false).await;
    verify_backup(db, &quiet.backups, &cli(), &taken.name)
        .await
        .expect("verify");
    taken.name
}

/// The audit's rows of rehearsals that ran, newest first.
async fn rehearsals_audited(db: &Database) -> Vec<AuditEntry> {
    db.list_audit(
        &AuditFilter {
            action: Some("step.rehearse".into()),
            ..AuditFilter::default()
        },
        10,
    )
    .await
    .expect("audit")
}

/// Every state each step was seen in, in order.
type Seen = Arc<Mutex<Vec<(RehearsalStep, StepState)>>>;

fn watcher() -> (Progress, Seen) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let progress: Progress = Box::new(move |rehearsal: &Rehearsal| {
        let mut seen = sink.lock().expect("lock");
        for record in &rehearsal.steps {
            let state = (record.step, record.state);
            if record.state != StepState::Pending && !seen.contains(&state) {
                seen.push(state);
            }
        }
    });
    (progress, seen)
}

#[tokio::test]
async fn a_rehearsal_on_messy_data_passes_and_leaves_production_as_it_was() {
    let db = messy("rehearsal_pass").await;
    let quiet = Quiet::new();
    let backup = verified_backup(&db, &quiet).await;
    let production = db.fingerprints().await.expect("fingerprints");
    let (progress, seen) = watcher();

    let rehearsal = rehearse(&rehearsing(&db, &quiet, ""), &cli(), &PHASE_0, progress)
        .await
        .expect("rehearse");

    assert_eq!(rehearsal.state, RehearsalState::Passed, "{rehearsal:#?}");
    assert_eq!(rehearsal.backup, backup);
    assert!(
        rehearsal
            .database
            .starts_with("t_rehearsal_pass_rehearsal_")
    );
    for record in &rehearsal.steps {
        assert_eq!(record.state, StepState::Passed, "{record:?}");
    }
    let dedupe = rehearsal.step(RehearsalStep::Dedupe).expect("dedupe");
    assert!(
        !dedupe
            .detail
            .starts_with("kept the oldest of each duplicated value: 0 "),
        "the messy data had duplicates to clean: {}",
        dedupe.detail
    );
    let compare = rehearsal.step(RehearsalStep::Compare).expect("compare");
    assert!(
        compare.detail.contains("same documents"),
        "{}",
        compare.detail
    );
    assert!(rehearsal.production_documents >= rehearsal.documents);
    // Everyone watching saw each step run, then pass.
    let seen = seen.lock().expect("lock").clone();
    for step in RehearsalStep::ALL {
        let running = seen.iter().position(|s| *s == (step, StepState::Running));
        let passed = seen.iter().position(|s| *s == (step, StepState::Passed));
        assert!(
            running < passed && running.is_some(),
            "{step:?} in {seen:?}"
        );
    }

    // Production: the same documents and indexes, byte for byte.
    assert_eq!(db.fingerprints().await.expect("fingerprints"), production);
    // The copy and its exports are gone.
    let copy = db.sibling(&rehearsal.database);
    assert!(copy.collection_names().await.expect("list").is_empty());
    let exports = quiet
        .backups
        .exports_folder("rehearsal")
        .expect("exports folder");
    assert!(!exports.join(&rehearsal.id).exists());

    // The two staging items are proven, with the timings.
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    for key in ["staging", "rollback"] {
        let proven = item(&list, key);
        assert_eq!(proven.status, ItemStatus::Done, "{proven:?}");
        let evidence = proven.evidence.expect("evidence");
        assert_eq!(evidence.href, "/runbook#rehearsal");
        assert!(
            evidence.summary.contains("in production"),
            "{}",
            evidence.summary
        );
    }
    let audited = rehearsals_audited(&db).await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].outcome, Outcome::Ok);

    // A newer backup: the data it rehearsed on is no longer production's.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    verified_backup(&db, &quiet).await;
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    let stale = item(&list, "staging");
    assert_eq!(stale.status, ItemStatus::NeedsAttention);
    assert!(
        stale.evidence.expect("evidence").summary.contains("stale"),
        "a rehearsal older than the newest backup no longer counts"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_unreachable_staging_server_fails_the_restore_and_skips_the_rest() {
    let db = messy("rehearsal_unreachable").await;
    let quiet = Quiet::new();
    verified_backup(&db, &quiet).await;
    let staging = "mongodb://127.0.0.1:9/?directConnection=true&serverSelectionTimeoutMS=300";
    let (progress, _) = watcher();

    let rehearsal = rehearse(
        &rehearsing(&db, &quiet, staging),
        &cli(),
        &PHASE_0,
        progress,
    )
    .await
    .expect("it ran and recorded how it ended");

    assert_eq!(rehearsal.state, RehearsalState::Failed);
    assert_eq!(rehearsal.server, "the staging server");
    let failed = rehearsal.failed_step().expect("a failed step");
    assert_eq!(failed.step, RehearsalStep::Restore);
    for step in [RehearsalStep::Migrate, RehearsalStep::Revert] {
        assert_eq!(
            rehearsal.step(step).expect("step").state,
            StepState::Skipped
        );
    }
    let message = rehearsal.message.clone().expect("why");
    assert!(
        message.starts_with("restore the backup into the copy failed"),
        "{message}"
    );
    let list = checklist(&db, &PHASE_0, quiet.watched())
        .await
        .expect("checklist");
    let staging_item = item(&list, "staging");
    assert_eq!(staging_item.status, ItemStatus::NeedsAttention);
    assert!(
        staging_item
            .evidence
            .expect("evidence")
            .summary
            .contains("failed")
    );
    let audited = rehearsals_audited(&db).await;
    assert_eq!(audited[0].outcome, Outcome::Failed);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn without_a_verified_backup_no_rehearsal_starts() {
    let db = messy("rehearsal_no_backup").await;
    let quiet = Quiet::new();
    let (progress, _) = watcher();
    let refused = rehearse(&rehearsing(&db, &quiet, ""), &cli(), &PHASE_0, progress).await;
    match refused {
        Err(OpsError::CannotRehearse(why)) => {
            assert!(why.contains("no verified backup"), "{why}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(
        db.rehearsals(PHASE_0.name, 5)
            .await
            .expect("read")
            .is_empty()
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn one_rehearsal_runs_at_a_time_and_a_quiet_one_is_marked_interrupted() {
    let db = test_db("rehearsal_one").await;
    let record = |id: &str| Rehearsal {
        id: id.to_owned(),
        migration: PHASE_0.name.to_owned(),
        checksum: PHASE_0.checksum(),
        backup: "b".into(),
        database: format!("{id}_copy"),
        server: "this server".into(),
        by: "cli:test".into(),
        started_at: "2026-12-02T15:00:00Z".into(),
        finished_at: None,
        state: RehearsalState::Running,
        steps: Vec::new(),
        message: None,
        documents: 0,
        production_documents: 0,
    };
    assert!(matches!(
        db.start_rehearsal(&record("first")).await.expect("start"),
        Started::Started
    ));
    match db.start_rehearsal(&record("second")).await.expect("start") {
        Started::Busy(running) => assert_eq!(running.id, "first"),
        Started::Started => panic!("two rehearsals ran at once"),
    }
    // Not quiet for a minute yet: nothing is interrupted.
    let quiet = db
        .interrupt_quiet_rehearsals(Duration::from_secs(60))
        .await
        .expect("interrupt");
    assert!(quiet.is_none());
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let quiet = db
        .interrupt_quiet_rehearsals(Duration::from_secs(1))
        .await
        .expect("interrupt");
    assert_eq!(quiet.expect("interrupted").id, "first");
    let stored = db.rehearsals(PHASE_0.name, 5).await.expect("read");
    assert_eq!(stored[0].state, RehearsalState::Interrupted);
    assert!(matches!(
        db.start_rehearsal(&record("second")).await.expect("start"),
        Started::Started
    ));
    db.drop_database().await.expect("drop");
}
