//! The dry run: where each change stands, duplicates on the new unique
//! keys, the lock, and the exact commands. Changes no Forest data;
//! `dry_run` keeps the plan it shows (`runbook_plans`).

use super::declaration::{Change, Migration};
use crate::db::{Database, DuplicateCount, IndexSpec, Recount};
use crate::model::{
    Blocker, ChangeStatus, DuplicateReport, MigrationState, Plan, PlannedChange, ReportPage,
};
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::backup::{BackupStore, latest_verified};
use crate::ops::prisma::PrismaSource;
use std::sync::Arc;

/// Duplicated values listed per key in a plan.
const SAMPLE: u64 = 5;

pub async fn plan(
    db: &Database,
    migration: &Migration,
    backups: &BackupStore,
    recount: Recount,
) -> Result<Plan, OpsError> {
    // Independent reads, at once: a page that shows the plan waits for the
    // slowest, not for their sum.
    let (shape, changes, counted, lock, backup) = tokio::try_join!(
        async { Ok::<_, OpsError>(db.server_shape().await?) },
        planned_changes(db, migration),
        duplicates(db, migration, recount),
        async { Ok(db.lock_holder().await?) },
        super::deployment::backup(db, migration, backups),
    )?;
    let duplicates = counted.reports.clone();
    let mut blockers = blockers(&changes, &duplicates);
    if let Some(holder) = &lock {
        blockers.push(Blocker::LockHeld {
            owner: holder.owner.clone(),
            since: holder.since.clone(),
        });
    }
    if backup.is_none() {
        blockers.push(Blocker::NoBackup);
    }
    Ok(Plan {
        migration: migration.name.to_owned(),
        description: migration.description.to_owned(),
        checksum: migration.checksum(),
        state: state(db, migration, lock.is_some()).await?,
        server_version: shape.version,
        topology: shape.topology,
        changes,
        duplicates,
        duplicates_counted_at: counted.at.clone(),
        lock,
        recent_backup: latest_verified(backups, db.name(), Some(backups.fresh_for()))?
            .map(|m| format!("{} (started {})", m.name, m.started_at)),
        backup_window_hours: backups.fresh_for().as_secs() / 3_600,
        prisma: None,
        blockers,
    })
}

/// The plan with its "Prisma schema agrees" row, as the Runbook page and
/// `forest-runbook plan` show it, kept as the migration's latest dry run.
pub async fn dry_run(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    (backups, prisma): (&BackupStore, &PrismaSource),
) -> Result<Plan, OpsError> {
    let mut plan = plan(db, migration, backups, Recount::Now).await?;
    plan.prisma =
        Some(crate::ops::prisma::agreement(db, migration, prisma, &plan.duplicates).await?);
    db.record_plan(&plan, &actor.name()).await?;
    Ok(plan)
}

/// The recorded state, with a run whose process died shown as `interrupted`.
pub async fn state(
    db: &Database,
    migration: &Migration,
    locked: bool,
) -> Result<MigrationState, OpsError> {
    Ok(match db.migration_state(migration.name).await? {
        MigrationState::Running if !locked => MigrationState::Interrupted,
        state => state,
    })
}

/// The duplicates on the migration's unique keys, counted as `recount`
/// says, with the first `SAMPLE` values of each.
pub(super) async fn duplicates(
    db: &Database,
    migration: &Migration,
    recount: Recount,
) -> Result<Arc<DuplicateCount>, OpsError> {
    let page = ReportPage {
        offset: 0,
        limit: SAMPLE,
    };
    let keys = migration.unique_keys();
    Ok(db
        .duplicate_count(&keys, page, crate::ops::duplicates::MAX_TIME, recount)
        .await?)
}

/// Why `migrate` must not start.
pub(super) fn blockers(changes: &[PlannedChange], duplicates: &[DuplicateReport]) -> Vec<Blocker> {
    let conflicts = changes.iter().filter_map(|change| match &change.status {
        ChangeStatus::Conflict { reason } => Some(Blocker::Conflict {
            change: change.description.clone(),
            reason: reason.clone(),
        }),
        _ => None,
    });
    let duplicated = duplicates.iter().filter_map(DuplicateReport::blocker);
    conflicts.chain(duplicated).collect()
}

/// Each declared change with where it stands and the command that makes it.
pub(super) async fn planned_changes(
    db: &Database,
    migration: &Migration,
) -> Result<Vec<PlannedChange>, OpsError> {
    let planned = migration.changes.iter().map(|change| async move {
        Ok::<_, OpsError>(PlannedChange {
            description: change.describe(),
            status: status(db, change).await?,
            command: command(change),
        })
    });
    futures_util::future::try_join_all(planned).await
}

/// Where one change stands against the database.
async fn status(db: &Database, change: &Change) -> Result<ChangeStatus, OpsError> {
    Ok(match change {
        Change::CreateCollection { collection } => {
            if db.collection_exists(*collection).await? {
                ChangeStatus::Present
            } else {
                ChangeStatus::Absent
            }
        }
        Change::CreateIndex(spec) => index_status(db, spec).await?,
    })
}

async fn index_status(db: &Database, spec: &IndexSpec) -> Result<ChangeStatus, OpsError> {
    let indexes = db.list_indexes(spec.collection).await?;
    if let Some(same_name) = indexes.iter().find(|i| i.name == spec.name) {
        return Ok(match spec.difference(same_name) {
            None => ChangeStatus::Present,
            Some(reason) => ChangeStatus::Conflict {
                reason: format!("an index named {} exists, but its {reason}", spec.name),
            },
        });
    }
    Ok(match indexes.iter().find(|i| spec.same_key(i)) {
        Some(other) => ChangeStatus::Conflict {
            reason: format!(
                "the same key is already indexed as {} (MongoDB refuses a second index on the same key, code 85 IndexOptionsConflict)",
                other.name
            ),
        },
        None => ChangeStatus::Absent,
    })
}

fn command(change: &Change) -> String {
    match change {
        Change::CreateCollection { collection } => {
            format!("{{ \"create\": \"{}\" }}", collection.name())
        }
        Change::CreateIndex(spec) => spec.command(),
    }
}
