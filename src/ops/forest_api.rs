//! Watching the Forest API during a deployment: probing it on demand
//! (audited) and every interval while a deployment is in progress, keeping
//! each result, and the log counts with the errors since the migration
//! started (the evidence for checklist items 3 and 4).

use super::audit::{self, Actor};
use super::migration::Migration;
use super::{OpsError, notices};
use crate::db::Database;
use crate::forest::{LogWatcher, Prober};
use crate::model::Action;
use crate::model::{ErrorsSince, LogSnapshot, MigrationState, ProbeOverview, ProbeResult, RunKind};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Results the overview shows.
const SHOWN_RESULTS: i64 = 30;

/// Probes every target now, stores the results and audits the round.
pub async fn probe_now(
    db: &Database,
    actor: &Actor,
    prober: &Prober,
) -> Result<Vec<ProbeResult>, OpsError> {
    audit::audited(db, actor, Action::ForestApiProbe, "", async {
        let results = prober.probe_all().await;
        keep_round(db, &actor.name(), &results).await?;
        Ok(results)
    })
    .await
}

/// Stores a probe round and announces its failures, if any.
async fn keep_round(db: &Database, actor: &str, results: &[ProbeResult]) -> Result<(), OpsError> {
    db.insert_probes(results).await?;
    if let Some(notice) = notices::probe_failed(actor, results) {
        db.announce(&notice);
    }
    Ok(())
}

/// True while a migration run is running or holds the migration lock.
pub async fn deployment_in_progress(
    db: &Database,
    migration: &Migration,
) -> Result<bool, OpsError> {
    Ok(db.lock_holder().await?.is_some()
        || db.migration_state(migration.name).await? == MigrationState::Running)
}

pub async fn overview(
    db: &Database,
    migration: &Migration,
    prober: &Prober,
) -> Result<ProbeOverview, OpsError> {
    Ok(ProbeOverview {
        targets: prober.describe_targets(),
        interval_secs: prober.interval().as_secs(),
        deployment_in_progress: deployment_in_progress(db, migration).await?,
        results: db.recent_probes(SHOWN_RESULTS).await?,
    })
}

/// Probes every interval while a deployment is in progress, for the life of
/// the runtime. Scheduled rounds are stored but not audited: no person acted.
pub async fn probe_during_deployments(db: Database, migration: &'static Migration, prober: Prober) {
    loop {
        tokio::time::sleep(prober.interval()).await;
        let round = async {
            if deployment_in_progress(&db, migration).await? {
                keep_round(&db, notices::THE_APP, &prober.probe_all().await).await?;
            }
            Ok::<_, OpsError>(())
        };
        if let Err(error) = round.await {
            tracing::warn!(%error, "scheduled probe of the Forest API failed");
        }
    }
}

/// When the latest migrate run started: the deployment's start.
pub async fn migration_started(
    db: &Database,
    migration: &Migration,
) -> Result<Option<OffsetDateTime>, OpsError> {
    Ok(db
        .runs(migration.name, 20)
        .await?
        .into_iter()
        .find(|run| run.kind == RunKind::Migrate)
        .and_then(|run| OffsetDateTime::parse(&run.started_at, &Rfc3339).ok()))
}

/// The log counts, with the errors since the latest migrate run started:
/// what this process counted, kept in the database first, so that the
/// errors counted before a restart of the app still count.
pub async fn logs(
    db: &Database,
    migration: &Migration,
    watcher: &LogWatcher,
) -> Result<LogSnapshot, OpsError> {
    let mut snapshot = watcher.snapshot();
    if let Some(since) = migration_started(db, migration).await? {
        db.keep_error_minutes(&watcher.error_minutes_since(since))
            .await?;
        snapshot.since_migration = Some(ErrorsSince {
            since: since.format(&Rfc3339).unwrap_or_default(),
            errors: db
                .stored_errors_since(since.unix_timestamp().div_euclid(60))
                .await?,
        });
    }
    Ok(snapshot)
}

/// Keeps the error counts in the database every `every`, for the life of
/// the runtime, whether or not anyone reads them.
pub async fn keep_error_counts(
    db: Database,
    migration: &'static Migration,
    watcher: LogWatcher,
    every: std::time::Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        let kept = async {
            if let Some(since) = migration_started(&db, migration).await? {
                db.keep_error_minutes(&watcher.error_minutes_since(since))
                    .await?;
            }
            Ok::<_, OpsError>(())
        };
        if let Err(error) = kept.await {
            tracing::warn!(%error, "could not keep the Forest server's error counts");
        }
    }
}
