//! `migrate`: under the lock, re-run the preflight (reusing a duplicate
//! count that found none, younger than `RECOUNT_AFTER` and made since the
//! app's last run or job), then apply each change idempotently (present
//! ones are skipped), recording each in the run.

use super::declaration::{Change, Migration};
use super::lease::{self, Lease};
use super::plan;
use super::started;
use crate::db::{Database, DbError, IndexSpec, Recount};
use crate::model::Action;
use crate::model::{
    ChangeOutcome, ChangeResult, ChangeStatus, RECOUNT_AFTER, RunKind, RunRecord, RunState,
};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use std::time::{Duration, Instant};

/// How often a running index build's progress is read and recorded.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

pub async fn migrate(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
) -> Result<RunRecord, OpsError> {
    audit::audited(db, actor, Action::StepMigrate, migration.name, async {
        let lease = lease::take(db, actor).await?;
        let applied = apply(db, &lease, actor, migration).await;
        let released = lease.release().await;
        let run = applied?;
        released?;
        Ok(run)
    })
    .await
}

/// Asks running run `run` of `migration` to stop before its next change
/// (an index build under way finishes first); `false` when it is not
/// running. A revert or a restore, which only an admin starts, only an
/// admin stops.
pub async fn cancel(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    run: &str,
) -> Result<bool, OpsError> {
    audit::audited(db, actor, Action::StepCancel, run, async {
        let Some(record) = db
            .runs(migration.name, 50)
            .await?
            .into_iter()
            .find(|record| record.id == run)
        else {
            return Err(OpsError::NotFound(format!("The run {run}")));
        };
        actor.require(record.kind.stopped_by())?;
        Ok(db.request_run_cancel(run, &actor.name()).await?)
    })
    .await
}

/// Each change as pending: its stable key and what people read.
pub(crate) fn pending(changes: impl IntoIterator<Item = (String, String)>) -> Vec<ChangeResult> {
    changes
        .into_iter()
        .map(|(key, description)| ChangeResult {
            key,
            description,
            ..ChangeResult::default()
        })
        .collect()
}

/// Runs `work` for change `index` of `run` and records how it ended.
/// Each change is a safe point: when the lease was lost, or someone asked
/// the run to stop, the run ends as failed with the reason, and this
/// change and the rest never start.
pub(crate) async fn record<F>(
    db: &Database,
    lease: &Lease,
    run: &str,
    index: usize,
    description: String,
    work: F,
) -> Result<(), OpsError>
where
    F: Future<Output = Result<ChangeOutcome, OpsError>>,
{
    lease.confirm_run(run).await?;
    if let Some(by) = db.run_cancel_requested(run).await? {
        let cancelled = OpsError::Cancelled {
            by,
            before: description,
        };
        db.finish_run(run, RunState::Failed, Some(&cancelled.to_string()))
            .await?;
        return Err(cancelled);
    }
    db.start_change(run, index).await?;
    let started = Instant::now();
    let result = work.await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (outcome, error_code, error) = match &result {
        Ok(outcome) => (*outcome, None, None),
        Err(error) => (
            ChangeOutcome::Failed,
            mongo_code(error),
            Some(error.to_string()),
        ),
    };
    let entry = ChangeResult {
        description: description.clone(),
        outcome,
        duration_ms,
        error_code,
        error: error.clone(),
        ..ChangeResult::default()
    };
    db.record_change(run, index, &entry).await?;
    match result {
        Ok(_) => Ok(()),
        Err(cause) => {
            let failure = OpsError::ChangeFailed {
                change: description,
                code: mongo_code(&cause),
                message: error.unwrap_or_default(),
            };
            db.finish_run(run, RunState::Failed, Some(&failure.to_string()))
                .await?;
            Err(failure)
        }
    }
}

/// The MongoDB error code behind `error`, if any.
fn mongo_code(error: &OpsError) -> Option<i32> {
    match error {
        OpsError::Database(db) => db.code(),
        _ => None,
    }
}

async fn apply(
    db: &Database,
    lease: &Lease,
    actor: &Actor,
    migration: &Migration,
) -> Result<RunRecord, OpsError> {
    db.mark_interrupted(migration.name).await?;
    let planned = plan::planned_changes(db, migration).await?;
    let counted = plan::duplicates(db, migration, Recount::After(RECOUNT_AFTER)).await?;
    let blockers = plan::blockers(&planned, &counted.reports);
    if !blockers.is_empty() {
        return Err(OpsError::Preflight(blockers));
    }
    let run = started::start_run(
        db,
        migration.name,
        RunKind::Migrate,
        &migration.checksum(),
        &actor.name(),
        &pending(
            migration
                .changes
                .iter()
                .map(Change::key)
                .zip(planned.iter().map(|p| p.description.clone())),
        ),
    )
    .await?;
    for (index, (change, planned)) in migration.changes.iter().zip(planned).enumerate() {
        let present = planned.status == ChangeStatus::Present;
        record(db, lease, &run, index, planned.description, async {
            if present {
                return Ok(ChangeOutcome::Skipped);
            }
            match change {
                Change::CreateCollection { collection } => {
                    db.create_collection(*collection).await?
                }
                Change::CreateIndex(spec) => build_watched(db, &run, index, spec).await?,
            }
            Ok(ChangeOutcome::Applied)
        })
        .await?;
    }
    db.finish_run(&run, RunState::Succeeded, None).await?;
    latest(db, migration.name, &run).await
}

/// Builds the index, recording in the run what `currentOp` says of the
/// build every `PROGRESS_EVERY`, so that people watching see it move.
async fn build_watched(
    db: &Database,
    run: &str,
    index: usize,
    spec: &IndexSpec,
) -> Result<(), DbError> {
    let build = db.create_index(spec);
    tokio::pin!(build);
    let mut ticker = tokio::time::interval(PROGRESS_EVERY);
    ticker.tick().await;
    loop {
        tokio::select! {
            built = &mut build => return built,
            _ = ticker.tick() => {
                let progress = match db.index_build_progress(spec).await {
                    Ok(Some(progress)) => progress,
                    Ok(None) => "building; the server does not report this build's progress".to_owned(),
                    Err(error) => format!("building; progress unavailable: {error}"),
                };
                if let Err(error) = db.record_progress(run, index, &progress).await {
                    tracing::warn!(%error, "could not record index build progress");
                }
            }
        }
    }
}

pub(super) async fn latest(
    db: &Database,
    migration: &str,
    run: &str,
) -> Result<RunRecord, OpsError> {
    db.runs(migration, 20)
        .await?
        .into_iter()
        .find(|record| record.id == run)
        .ok_or_else(|| OpsError::Internal(format!("run {run} vanished from the changelog")))
}
