//! Backups on the command line: take, list, verify, delete, import and
//! restore, printed as text or JSON; a backup and a restore show their
//! progress on standard error as they go (`watch`).

use super::print;
use super::watch::{Display, JobReader, while_running};
use crate::db::Database;
use crate::model::{Manifest, RestoreReport};
use crate::ops::OpsError;
use crate::ops::audit::Actor;
use crate::ops::backup::{self, BackupStore, Confirmation, Jobs};
use std::path::Path;

#[derive(Debug, Clone, Copy)]
pub enum BackupStep<'a> {
    Take {
        gzip: bool,
    },
    List,
    Verify(&'a str),
    Delete(&'a str),
    Import(&'a Path),
    Restore {
        name: &'a str,
        confirmation: Confirmation<'a>,
    },
}

/// Runs `step` and prints its result.
pub async fn run(
    db: &Database,
    store: &BackupStore,
    step: BackupStep<'_>,
    json: bool,
) -> Result<(), OpsError> {
    let actor = Actor::from_os_user();
    let jobs = Jobs::new(db.clone());
    match step {
        BackupStep::Take { gzip } => {
            let take = backup::backup(db, store, &jobs, &actor, gzip);
            let manifest = watched_job(&jobs, json, take).await?;
            print(json, &manifest, render_manifest)
        }
        BackupStep::List => print(json, store.list()?.as_slice(), render_list),
        BackupStep::Verify(name) => {
            let manifest = backup::verify_backup(db, store, &actor, name).await?;
            print(json, &manifest, render_manifest)
        }
        BackupStep::Delete(name) => {
            backup::delete(db, store, &actor, name).await?;
            print(json, &serde_json::json!({ "deleted": name }), |_| {
                "Deleted.\n".to_owned()
            })
        }
        BackupStep::Import(path) => {
            let manifest = backup::import(db, store, &actor, path).await?;
            print(json, &manifest, render_manifest)
        }
        BackupStep::Restore { name, confirmation } => {
            let restore = backup::restore(db, store, &jobs, &actor, name, confirmation);
            let report = watched_job(&jobs, json, restore).await?;
            print(json, &report, render_restore)
        }
    }
}

/// Runs a backup or restore `step`, showing its job as it goes (`watch`).
async fn watched_job<T>(
    jobs: &Jobs,
    json: bool,
    step: impl Future<Output = Result<T, OpsError>>,
) -> Result<T, OpsError> {
    let reader = JobReader::new(jobs).await?;
    let display = Display::new(json);
    while_running(&display, step, async || reader.read().await).await
}

fn render_manifest(manifest: &Manifest) -> String {
    let mut out = format!(
        "backup {} of {}: {}, {} documents, {} bytes{}\n",
        manifest.name,
        manifest.database,
        manifest.state.as_str(),
        manifest.documents(),
        manifest.bytes(),
        manifest
            .verified_at
            .as_ref()
            .map_or(String::new(), |at| format!(", verified {at}"))
    );
    for collection in &manifest.collections {
        out += &format!(
            "  - {}: {} documents\n",
            collection.name, collection.documents
        );
    }
    if !manifest.converted.is_empty() {
        out += "converted from legacy metadata, as mongorestore --convertLegacyIndexes does:\n";
        for line in &manifest.converted {
            out += &format!("  - {line}\n");
        }
    }
    out
}

fn render_list(manifests: &[Manifest]) -> String {
    if manifests.is_empty() {
        return "No backups yet.\n".to_owned();
    }
    manifests
        .iter()
        .map(|m| {
            format!(
                "{}  {}  {}  {} documents  {} bytes  {}\n",
                m.name,
                m.database,
                m.state.as_str(),
                m.documents(),
                m.bytes(),
                if m.verified_at.is_some() {
                    "verified"
                } else {
                    "not verified"
                }
            )
        })
        .collect()
}

fn render_restore(report: &RestoreReport) -> String {
    let mut out = format!("restored {} into {}\n", report.backup, report.database);
    for (name, count) in &report.restored {
        out += &format!("  - {name}: {count} documents\n");
    }
    for name in &report.skipped {
        out += &format!("  - {name}: already restored by the run that stopped\n");
    }
    for notice in &report.accepted_options {
        out += &format!("  accepted option: {notice}\n");
    }
    if !report.dropped.is_empty() {
        out += &format!(
            "dropped {} (made after the backup)\n",
            report.dropped.join(", ")
        );
    }
    if let Some(pre_image) = &report.pre_image_backup {
        out += &format!(
            "what it replaced is saved in backup {pre_image}: to undo this restore, run\n  \
             forest-runbook restore {pre_image} --confirm {}\n",
            report.database
        );
    }
    out
}
