//! The deployment at a glance: one read of the migration's progress, the
//! checklist with its evidence, the newest backup and probe, the Forest
//! logs' recent counts and the alerts still in breach, with the go/no-go
//! call (`model::verdict`) made from them. The Home page and
//! `GET /api/status` show the same value.

use super::OpsError;
use super::checklist::{Watched, checklist};
use super::migration::{Migration, progress};
use crate::db::{Database, now_rfc3339};
use crate::model::{
    BackupState, ChecklistGlance, DeploymentStatus, Evidence, LogGlance, LogSnapshot, LogStatus,
    Manifest, ProbeResult, Window, breaches, verdict,
};

/// Checklist items whose evidence the glance shows beside the backup.
const VERIFICATION_ITEM: &str = "indexes";

pub async fn status(
    db: &Database,
    migration: &Migration,
    watched: Watched<'_>,
    window: &Window,
) -> Result<DeploymentStatus, OpsError> {
    let progress = progress(db, migration).await?;
    let checklist = checklist(db, migration, watched).await?;
    let glance = ChecklistGlance::from_items(
        checklist
            .items
            .iter()
            .map(|item| (item.title.as_str(), item.status)),
    );
    let last_verification = checklist
        .items
        .iter()
        .find(|item| item.key == VERIFICATION_ITEM)
        .and_then(|item| item.evidence.clone());
    let last_backup = watched
        .backups
        .list()?
        .into_iter()
        .filter(|manifest| manifest.state == BackupState::Complete)
        .max_by(|a, b| a.started_at.cmp(&b.started_at))
        .map(|manifest| backup_evidence(&manifest));
    let last_probe = db.recent_probes(1).await?.first().map(probe_evidence);
    let thresholds = super::thresholds::list(db).await?;
    let alerts: Vec<String> = breaches(window, &thresholds)
        .into_iter()
        .filter(|alert| alert.active)
        .map(|alert| alert.threshold.describe())
        .collect();
    let logs = log_glance(&super::forest_api::logs(db, migration, watched.logs).await?);
    let blockers = checklist.readiness.blockers.clone();
    let verdict = verdict(&progress, &glance, &blockers, last_probe.as_ref(), &alerts);
    Ok(DeploymentStatus {
        at: now_rfc3339(),
        migration: progress,
        checklist: glance,
        blockers,
        last_backup,
        last_verification,
        last_probe,
        logs,
        alerts,
        verdict,
    })
}

fn backup_evidence(manifest: &Manifest) -> Evidence {
    let verified = match &manifest.verified_at {
        Some(at) => format!("verified {at}"),
        None => "not verified yet".to_owned(),
    };
    Evidence {
        passed: manifest.verified_at.is_some(),
        summary: format!(
            "backup {}: {} collections, {} documents; {verified}",
            manifest.name,
            manifest.collections.len(),
            manifest.documents()
        ),
        href: format!("/backups#backup-{}", manifest.name),
        at: manifest
            .finished_at
            .clone()
            .unwrap_or_else(|| manifest.started_at.clone()),
    }
}

fn probe_evidence(result: &ProbeResult) -> Evidence {
    Evidence {
        passed: result.passed,
        summary: format!("{} {}: {}", result.method, result.url, result.reason),
        href: "/forest-api".to_owned(),
        at: result.at.clone(),
    }
}

fn log_glance(snapshot: &LogSnapshot) -> LogGlance {
    let unavailable = match snapshot.status {
        LogStatus::Watching => None,
        LogStatus::NotConfigured => Some("no Forest log folder is configured".to_owned()),
        LogStatus::FolderMissing => Some(format!(
            "the Forest log folder {} does not exist",
            snapshot.folder.as_deref().unwrap_or("?")
        )),
    };
    let errors = snapshot
        .minutes
        .iter()
        .map(|m| m.errors)
        .fold(0_u64, u64::saturating_add);
    let (conflicts, synced_tasks) = snapshot.conflicts_per_synced_task();
    LogGlance {
        unavailable,
        minutes: snapshot.minutes.len(),
        errors,
        conflicts,
        synced_tasks,
    }
}
