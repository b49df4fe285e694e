//! Rehearse (the checklist's "Test migration in staging environment" and
//! "Test rollback procedure in staging"): the production sequence run on a
//! copy. The newest verified backup is restored into a new scratch database
//! `<db>_rehearsal_<time>` (on the `[staging]` server when one is set, on
//! this one otherwise), then the duplicates are cleaned as planned, the
//! migration applied, verified and reverted, the revert checked to bring
//! back exactly the documents and indexes from before migrate, and the
//! scratch database dropped. Production is only read (its counts, to scale
//! the durations). The record lives in production, step by step, so that
//! everyone watching sees it move and a stop leaves a trace.

mod sequence;
mod staging;

pub use staging::Staging;

use super::OpsError;
use super::audit::{self, Actor};
use super::backup::{BackupStore, latest_verified};
use super::migration::Migration;
use super::prisma::PrismaSource;
use crate::db::{Database, Started, now_rfc3339};
use crate::model::Action;
use crate::model::{
    Manifest, Rehearsal, RehearsalOverview, RehearsalPreview, RehearsalState, StepRecord,
};
use sequence::Sequence;
use std::time::Duration;

/// A running rehearsal whose heartbeat has been quiet this long stopped
/// with the app that ran it.
const QUIET: Duration = Duration::from_secs(60);

/// What a rehearsal reads and where it writes.
#[derive(Clone)]
pub struct Rehearsing {
    pub db: Database,
    pub backups: BackupStore,
    pub prisma: PrismaSource,
    pub staging: Staging,
}

/// Says how a rehearsal goes, each time a step starts or ends.
pub type Progress = Box<dyn Fn(&Rehearsal) + Send + Sync>;

/// The newest rehearsal, whether it still counts, and what a new one would do.
pub async fn overview(
    ctx: &Rehearsing,
    migration: &Migration,
) -> Result<RehearsalOverview, OpsError> {
    ctx.db.interrupt_quiet_rehearsals(QUIET).await?;
    let latest = ctx
        .db
        .rehearsals(migration.name, 1)
        .await?
        .into_iter()
        .next();
    let newest = newest_backup(ctx)?;
    Ok(RehearsalOverview {
        stale: latest
            .as_ref()
            .and_then(|r| stale(r, migration, newest.as_ref())),
        latest,
        preview: newest
            .as_ref()
            .map(|backup| preview(ctx, backup))
            .ok_or_else(no_backup),
    })
}

/// Why `rehearsal` no longer proves anything, when it does not: it
/// rehearsed another declaration, or a newer backup exists (the data it
/// ran on is not the data production holds).
pub fn stale(
    rehearsal: &Rehearsal,
    migration: &Migration,
    newest_backup: Option<&Manifest>,
) -> Option<String> {
    if rehearsal.checksum != migration.checksum() {
        return Some(format!(
            "it rehearsed another declaration of {} (checksum {})",
            migration.name, rehearsal.checksum
        ));
    }
    newest_backup
        .filter(|backup| backup.started_at > rehearsal.started_at)
        .map(|backup| {
            format!(
                "backup {} is newer than the data it rehearsed on: rehearse again",
                backup.name
            )
        })
}

fn newest_backup(ctx: &Rehearsing) -> Result<Option<Manifest>, OpsError> {
    Ok(latest_verified(&ctx.backups, ctx.db.name(), None)?)
}

fn no_backup() -> String {
    "no verified backup of this database to rehearse on: take and verify one".to_owned()
}

fn preview(ctx: &Rehearsing, backup: &Manifest) -> RehearsalPreview {
    RehearsalPreview {
        backup: backup.name.clone(),
        documents: backup.documents(),
        bytes: backup.bytes(),
        compressed: backup.gzip,
        server: ctx.staging.server().to_owned(),
    }
}

/// Rehearses and waits for the end (the command line); `progress` hears
/// every step start and end.
pub async fn rehearse(
    ctx: &Rehearsing,
    actor: &Actor,
    migration: &'static Migration,
    progress: Progress,
) -> Result<Rehearsal, OpsError> {
    let sequence = begin_audited(ctx, actor, migration, progress).await?;
    run_audited(ctx, actor, migration, sequence).await
}

/// Checks and records the rehearsal at once (refusals come back here),
/// then runs it in the background; its record shows how it goes.
pub async fn start_rehearsal(
    ctx: Rehearsing,
    actor: Actor,
    migration: &'static Migration,
) -> Result<Rehearsal, OpsError> {
    let sequence = begin_audited(&ctx, &actor, migration, Box::new(|_| ())).await?;
    let started = sequence.record().clone();
    tokio::spawn(async move {
        if let Err(error) = run_audited(&ctx, &actor, migration, sequence).await {
            tracing::warn!(%error, "the rehearsal could not record its end");
        }
    });
    Ok(started)
}

async fn begin_audited(
    ctx: &Rehearsing,
    actor: &Actor,
    migration: &'static Migration,
    progress: Progress,
) -> Result<Sequence, OpsError> {
    let begun = begin(ctx, actor, migration, progress);
    audit::audited(&ctx.db, actor, Action::RehearseStart, migration.name, begun).await
}

/// Runs the steps, then audits and announces how they ended: a rehearsal
/// that failed a step is a failed one.
async fn run_audited(
    ctx: &Rehearsing,
    actor: &Actor,
    migration: &Migration,
    sequence: Sequence,
) -> Result<Rehearsal, OpsError> {
    audit::starting(&ctx.db, actor, Action::StepRehearse, migration.name);
    let ran = sequence.run().await;
    let failure = match &ran {
        Ok(rehearsal) if rehearsal.state != RehearsalState::Passed => Some(OpsError::Conflict(
            rehearsal
                .message
                .clone()
                .unwrap_or_else(|| "the rehearsal failed".to_owned()),
        )),
        _ => None,
    };
    let outcome = match (&ran, &failure) {
        (Err(error), _) | (Ok(_), Some(error)) => Err(error),
        (Ok(_), None) => Ok(()),
    };
    let said = ran.as_ref().ok().map(|rehearsal| {
        format!(
            "on backup {} ({} documents) on {}",
            rehearsal.backup, rehearsal.documents, rehearsal.server
        )
    });
    audit::ended(
        &ctx.db,
        actor,
        Action::StepRehearse,
        migration.name,
        outcome,
        said,
    )
    .await?;
    ran
}

/// The backup, the scratch name, the one running place and the copy's
/// handle. Leftovers of a rehearsal the app stopped in are dropped first.
async fn begin(
    ctx: &Rehearsing,
    actor: &Actor,
    migration: &'static Migration,
    progress: Progress,
) -> Result<Sequence, OpsError> {
    if let Some(stopped) = ctx.db.interrupt_quiet_rehearsals(QUIET).await? {
        ctx.staging.drop_leftover(&ctx.db, &stopped).await;
    }
    let backup = newest_backup(ctx)?.ok_or_else(|| OpsError::CannotRehearse(no_backup()))?;
    let mut production_documents = 0_u64;
    for collection in &backup.collections {
        production_documents =
            production_documents.saturating_add(ctx.db.count_named(&collection.name).await?);
    }
    let name = staging::scratch_name(ctx.db.name())?;
    let record = Rehearsal {
        id: name.clone(),
        migration: migration.name.to_owned(),
        checksum: migration.checksum(),
        backup: backup.name.clone(),
        database: name.clone(),
        server: ctx.staging.server().to_owned(),
        by: actor.name(),
        started_at: now_rfc3339(),
        finished_at: None,
        state: RehearsalState::Running,
        steps: crate::model::RehearsalStep::ALL
            .into_iter()
            .map(|step| StepRecord {
                step,
                state: crate::model::StepState::Pending,
                duration_ms: 0,
                detail: String::new(),
            })
            .collect(),
        message: None,
        documents: backup.documents(),
        production_documents,
    };
    if let Started::Busy(running) = ctx.db.start_rehearsal(&record).await? {
        return Err(OpsError::Conflict(format!(
            "a rehearsal is running already, started by {} at {}",
            running.by, running.started_at
        )));
    }
    let copy = match ctx.staging.copy(&ctx.db, &name).await {
        Ok(copy) => copy,
        Err(error) => {
            let mut failed = record;
            failed.state = RehearsalState::Failed;
            failed.message = Some(error.to_string());
            failed.finished_at = Some(now_rfc3339());
            ctx.db.save_rehearsal(&failed).await?;
            return Err(error);
        }
    };
    Ok(Sequence::new(
        ctx.clone(),
        actor.clone(),
        migration,
        record,
        copy,
        progress,
    ))
}
