//! Migrate needs a verified backup taken in this deployment: a release
//! manager without one is refused before anything runs, an admin may
//! migrate without one by giving a reason (audited), and a backup from
//! before the last rollback does not count.

use crate::checklist::{Quiet, forest_db, person};
use crate::roles::{app_with_accounts, call, cookie_for};
use axum::http::StatusCode;
use forest_runbook::model::Action;
use forest_runbook::model::{AuditFilter, Blocker, MigrationState, Outcome};
use forest_runbook::ops::OpsError;
use forest_runbook::ops::backup::{self as backups, Jobs};
use forest_runbook::ops::migration::{PHASE_0, migrate_checked, revert};

#[tokio::test]
async fn without_a_backup_only_an_admin_giving_a_reason_migrates() {
    let db = forest_db("guard_roles").await;
    let app = app_with_accounts(&db).await;
    let release = cookie_for(&db, "release").await;
    let admin = cookie_for(&db, "admin").await;
    let state = || async { db.migration_state(PHASE_0.name).await.expect("state") };

    assert_eq!(
        call(&app, "run_migrate", "", Some(&release)).await,
        StatusCode::CONFLICT
    );
    assert_eq!(state().await, MigrationState::Pending, "nothing ran");
    let forced = "without_backup=we+trust+it";
    assert_eq!(
        call(&app, "run_migrate", forced, Some(&release)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "run_migrate", "without_backup=+", Some(&admin)).await,
        StatusCode::CONFLICT
    );
    assert_eq!(state().await, MigrationState::Pending);

    let reason = "without_backup=snapshot+taken+by+the+host";
    assert_eq!(
        call(&app, "run_migrate", reason, Some(&admin)).await,
        StatusCode::OK
    );
    // Migrate answers once its run is recorded; the run goes on to its end.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while state().await == MigrationState::Running {
        assert!(std::time::Instant::now() < deadline, "the run never ended");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(state().await, MigrationState::Applied);
    let overrides = db
        .list_audit(
            &AuditFilter {
                action: Some(Action::StepMigrateWithoutBackup.as_str().into()),
                ..AuditFilter::default()
            },
            100,
        )
        .await
        .expect("audit");
    assert!(overrides.iter().any(|e| e.actor == "admin"
        && e.outcome == Outcome::Ok
        && e.target == "snapshot taken by the host"));
    assert!(
        overrides
            .iter()
            .any(|e| e.actor == "release" && e.outcome != Outcome::Ok)
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn a_backup_counts_only_until_the_next_rollback() {
    let db = forest_db("guard_rollback").await;
    let quiet = Quiet::new();
    let ada = person("ada");
    let taken = backups::backup(&db, &quiet.backups, &Jobs::new(db.clone()), &ada, false)
        .await
        .expect("backup");
    let unverified = migrate_checked(&db, &ada, &PHASE_0, &quiet.backups, "").await;
    assert!(
        matches!(unverified, Err(OpsError::Preflight(_))),
        "{unverified:?}"
    );
    backups::verify_backup(&db, &quiet.backups, &ada, &taken.name)
        .await
        .expect("verify");
    migrate_checked(&db, &ada, &PHASE_0, &quiet.backups, "")
        .await
        .expect("migrates with a verified backup");
    revert(&db, &ada, &PHASE_0, db.name(), &quiet.backups)
        .await
        .expect("revert");
    let stale = migrate_checked(&db, &ada, &PHASE_0, &quiet.backups, "").await;
    assert!(
        matches!(&stale, Err(OpsError::Preflight(why)) if why[0] == Blocker::NoBackup),
        "{stale:?}"
    );
    db.drop_database().await.expect("drop");
}
