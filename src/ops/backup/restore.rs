//! Restore (rollback option 2), admins only: after the typed database name,
//! a verification of every file (every option and index spec typed and
//! checked), the acceptance of every option that can delete or hide data
//! or that differs from the live collection, room on disk and four-eyes,
//! under the migration lock: export every live collection it will replace
//! or drop into a new backup (the pre-image, linked from the run, so the
//! restore can itself be undone), drop the collections made after the
//! backup, then replace each dumped collection (drop, create with its
//! options, unordered inserts, indexes), check every count against the
//! manifest, and record the migration as rolled back by restore. A backup
//! holding the app's own or the server's collections is refused. Each step
//! is recorded in the changelog, so a restore that stopped is finished by
//! running it again.

use super::jobs::Job;
use super::take;
use super::verify::{checked_with_metadata, documents_of, metadata_of, open};
use super::{BackupError, BackupStore, Jobs};
use crate::db::Database;
use crate::db::dump::{DocumentReader, DumpError, Metadata};
use crate::db::is_reserved_collection;
use crate::model::Action;
use crate::model::{
    BackupCollection, ChangeOutcome, ChangeResult, JobKind, JobState, Manifest, MigrationState,
    OptionNotice, RestoreReport, RunKind, RunState,
};
use crate::ops::audit::{self, Actor};
use crate::ops::four_eyes;
use crate::ops::migration::{MIGRATIONS, Migration, lease};
use crate::ops::{OpsError, confirm_database};
use std::path::Path;
use std::time::Instant;

/// A restore that passed its checks and holds the lock.
pub struct PendingRestore {
    lease: lease::Lease,
    manifest: Manifest,
    accepted: Vec<OptionNotice>,
}

/// What the person asked for: the typed database name, and whether they
/// accept the options the restore's plan shows.
#[derive(Debug, Clone, Copy)]
pub struct Confirmation<'a> {
    pub database: &'a str,
    pub accept_options: bool,
}

/// Restores backup `name` and waits for it (the command line).
pub async fn restore(
    db: &Database,
    store: &BackupStore,
    jobs: &Jobs,
    actor: &Actor,
    name: &str,
    confirmation: Confirmation<'_>,
) -> Result<RestoreReport, OpsError> {
    audit::audited(db, actor, Action::StepRestore, name, async {
        let pending = prepare_restore(db, store, actor, name, confirmation).await?;
        let job = begin(jobs, &pending).await;
        run(db, store, Some(&job), actor, pending).await
    })
    .await
}

/// Checks and locks at once (refusals come back here), then restores in
/// the background; `jobs` shows how it goes.
pub async fn start_restore(
    db: Database,
    store: BackupStore,
    jobs: Jobs,
    actor: Actor,
    name: String,
    confirmation: Confirmation<'_>,
) -> Result<(), OpsError> {
    let pending = audit::audited(
        &db,
        &actor,
        Action::RestoreStart,
        &name,
        prepare_restore(&db, &store, &actor, &name, confirmation),
    )
    .await?;
    let job = begin(&jobs, &pending).await;
    tokio::spawn(async move {
        let restored = audit::audited(
            &db,
            &actor,
            Action::StepRestore,
            &name,
            run(&db, &store, Some(&job), &actor, pending),
        )
        .await;
        if let Err(error) = restored {
            tracing::warn!(%error, backup = %name, "the restore did not complete");
        }
    });
    Ok(())
}

async fn begin(jobs: &Jobs, pending: &PendingRestore) -> Job {
    let manifest = &pending.manifest;
    let totals: Vec<(String, u64)> = manifest
        .collections
        .iter()
        .map(|c| (c.name.clone(), c.documents))
        .collect();
    jobs.begin(
        JobKind::Restore,
        &manifest.name,
        &totals,
        pending.lease.owner(),
    )
    .await
}

/// The confirmation, the manifest's database and collections, a full
/// verification, the options' acceptance, room for the pre-image and
/// four-eyes, then the lock and a trial of every option and index spec on
/// the server. Nothing is touched before all pass.
pub async fn prepare_restore(
    db: &Database,
    store: &BackupStore,
    actor: &Actor,
    name: &str,
    confirmation: Confirmation<'_>,
) -> Result<PendingRestore, OpsError> {
    confirm_database(db, confirmation.database)?;
    let manifest = store.manifest(name)?;
    if manifest.database != db.name() {
        return Err(BackupError::OtherDatabase {
            name: name.to_owned(),
            manifest: manifest.database,
            target: db.name().to_owned(),
        }
        .into());
    }
    refuse_reserved(&manifest)?;
    let (manifest, metadata) = checked_with_metadata(store, name).await?;
    let notices = notices(db, &metadata).await?;
    if !notices.is_empty() && !confirmation.accept_options {
        return Err(BackupError::OptionsNotAccepted(notices).into());
    }
    // Room for the export of what the restore replaces, first.
    let live = db.dump_sources().await.map_err(BackupError::from)?;
    take::ensure_room(db, store, &live, false).await?;
    let mut plan = format!(
        "restore backup {name} into {}: first export every live collection into a new backup, \
         drop the collections made since, then drop and reload {} collections ({} documents): {}",
        db.name(),
        manifest.collections.len(),
        manifest.documents(),
        manifest
            .collections
            .iter()
            .zip(&metadata)
            .map(|(c, m)| format!("{} ({} documents; {})", c.name, c.documents, m.describe()))
            .collect::<Vec<_>>()
            .join("; ")
    );
    for notice in &notices {
        plan += &format!("; accepted option: {notice}");
    }
    four_eyes::authorize(db, actor, Action::RollbackRestore, name, &plan).await?;
    let lease = lease::take(db, actor).await?;
    if let Err(refused) = db.try_metadata(&metadata).await {
        lease.release().await?;
        return Err(BackupError::from(refused).into());
    }
    Ok(PendingRestore {
        lease,
        manifest,
        accepted: notices,
    })
}

/// Restores backup `name` into `copy`, an empty scratch database of a
/// rehearsal, and waits for it: the verification, the trial of every
/// option and index spec, the lock and the same steps as a restore. With
/// nothing in the copy to lose, it needs no typed name, four-eyes or
/// pre-image; the options the backup carries are applied as they are and
/// listed in the report, since the copy is there to show what they do.
pub async fn restore_copy(
    copy: &Database,
    store: &BackupStore,
    actor: &Actor,
    name: &str,
) -> Result<RestoreReport, OpsError> {
    let present = copy.collection_names().await?;
    if !present.is_empty() {
        return Err(OpsError::InvalidInput {
            field: "database",
            message: format!(
                "{} is not empty ({}): a rehearsal restores only into a new database",
                copy.name(),
                present.join(", ")
            ),
        });
    }
    refuse_reserved(&store.manifest(name)?)?;
    let (manifest, metadata) = checked_with_metadata(store, name).await?;
    let accepted = notices(copy, &metadata).await?;
    let lease = lease::take(copy, actor).await?;
    if let Err(refused) = copy.try_metadata(&metadata).await {
        lease.release().await?;
        return Err(BackupError::from(refused).into());
    }
    let pending = PendingRestore {
        lease,
        manifest,
        accepted,
    };
    run(copy, store, None, actor, pending).await
}

/// A backup holding the app's own or the server's collections is refused.
fn refuse_reserved(manifest: &Manifest) -> Result<(), OpsError> {
    match manifest
        .collections
        .iter()
        .find(|c| is_reserved_collection(&c.name))
    {
        Some(reserved) => Err(BackupError::from(DumpError::Reserved(reserved.name.clone())).into()),
        None => Ok(()),
    }
}

/// Every option of the backup's metadata the person must accept, compared
/// with the live collections.
async fn notices(db: &Database, metadata: &[Metadata]) -> Result<Vec<OptionNotice>, OpsError> {
    let live = db.dump_sources().await.map_err(BackupError::from)?;
    Ok(metadata
        .iter()
        .flat_map(|backup| {
            let now = live.iter().find(|source| source.name() == backup.name());
            backup.notices(now)
        })
        .collect())
}

async fn run(
    db: &Database,
    store: &BackupStore,
    job: Option<&Job>,
    actor: &Actor,
    pending: PendingRestore,
) -> Result<RestoreReport, OpsError> {
    let PendingRestore {
        lease,
        manifest,
        accepted,
    } = pending;
    let result = apply(db, &lease, store, job, actor, &manifest)
        .await
        .map(|report| RestoreReport {
            accepted_options: accepted,
            ..report
        });
    // The job ends before the lock is let go: a job still running without
    // its lock is one whose instance stopped.
    if let Some(job) = job {
        match &result {
            Ok(report) => {
                job.finish(
                    JobState::Done,
                    format!(
                        "restored {} collections from {}",
                        report.restored.len() + report.skipped.len(),
                        report.backup
                    ),
                )
                .await;
            }
            Err(error) => job.finish(JobState::Failed, error.to_string()).await,
        }
    }
    let released = lease.release().await;
    let report = result?;
    released?;
    Ok(report)
}

/// The changelog the restore run is recorded in.
fn changelog_migration() -> &'static Migration {
    crate::ops::migration::current()
}

fn restore_step(collection: &str, backup: &str) -> String {
    format!("restore {collection} from {backup}")
}

/// Collections the latest restore of `backup` restored before it stopped.
async fn restored_before(db: &Database, backup: &str) -> Result<Vec<String>, OpsError> {
    let runs = db.runs(changelog_migration().name, 50).await?;
    let Some(last) = runs.iter().find(|run| run.kind == RunKind::Restore) else {
        return Ok(Vec::new());
    };
    if last.state == RunState::Succeeded || last.backup.as_deref() != Some(backup) {
        return Ok(Vec::new());
    }
    Ok(last
        .changes
        .iter()
        .filter(|c| c.outcome == ChangeOutcome::Applied)
        .filter_map(|c| c.key.strip_prefix(RESTORE_KEY))
        .map(str::to_owned)
        .collect())
}

/// The key of a step that loads a collection: `restore:<collection>`.
const RESTORE_KEY: &str = "restore:";

enum Step<'a> {
    Export(Vec<String>),
    Drop(String),
    Restore(&'a BackupCollection),
}

impl Step<'_> {
    /// What the step acts on, stable whatever its description says.
    fn key(&self) -> String {
        match self {
            Self::Export(_) => "export".to_owned(),
            Self::Drop(name) => format!("drop:{name}"),
            Self::Restore(collection) => format!("{RESTORE_KEY}{}", collection.name),
        }
    }
}

async fn apply(
    db: &Database,
    lease: &lease::Lease,
    store: &BackupStore,
    job: Option<&Job>,
    actor: &Actor,
    manifest: &Manifest,
) -> Result<RestoreReport, OpsError> {
    let log = changelog_migration();
    db.mark_interrupted(log.name).await?;
    let done_before = restored_before(db, &manifest.name).await?;
    let live: Vec<String> = db
        .dump_sources()
        .await
        .map_err(BackupError::from)?
        .into_iter()
        .map(|source| source.name().to_owned())
        .collect();
    let extras = live
        .iter()
        .filter(|name| manifest.count_of(name).is_none())
        .cloned();
    let mut steps = Vec::new();
    if !live.is_empty() {
        steps.push(Step::Export(live.clone()));
    }
    steps.extend(extras.map(Step::Drop));
    steps.extend(manifest.collections.iter().map(Step::Restore));
    let describe = |step: &Step| match step {
        Step::Export(names) => format!(
            "export {} into a new backup, so that this restore can be undone",
            names.join(", ")
        ),
        Step::Drop(name) => format!("drop {name}, made after the backup"),
        Step::Restore(c) => restore_step(&c.name, &manifest.name),
    };
    let pending: Vec<ChangeResult> = steps
        .iter()
        .map(|step| ChangeResult {
            key: step.key(),
            ..change(describe(step), ChangeOutcome::Pending, 0, None)
        })
        .collect();
    let run = db
        .start_restore_run(
            log.name,
            &log.checksum(),
            &manifest.name,
            &actor.name(),
            &pending,
        )
        .await?;
    let folder = store.folder(&manifest.name)?;
    let mut report = RestoreReport {
        backup: manifest.name.clone(),
        database: db.name().to_owned(),
        restored: Vec::new(),
        dropped: Vec::new(),
        pre_image_backup: None,
        accepted_options: Vec::new(),
        skipped: Vec::new(),
        run: run.clone(),
    };
    for (index, step) in steps.iter().enumerate() {
        // A safe point: a restore that lost the lock stops before its next step.
        lease.confirm_run(&run).await?;
        let started = Instant::now();
        let outcome = match step {
            Step::Export(names) => match take::export_collections(db, store, actor, names).await {
                Ok(name) => {
                    db.set_pre_image(&run, &name).await?;
                    if let Some(job) = job {
                        job.set_pre_image(name.clone()).await;
                    }
                    report.pre_image_backup = Some(name);
                    Ok(())
                }
                Err(error) => Err(error),
            },
            Step::Drop(name) => db
                .drop_collection_named(name)
                .await
                .map(|()| report.dropped.push(name.clone()))
                .map_err(OpsError::from),
            Step::Restore(collection) => {
                let resumed = done_before.contains(&collection.name)
                    && db.count_named(&collection.name).await? == collection.documents;
                if resumed {
                    report.skipped.push(collection.name.clone());
                    Ok(())
                } else {
                    load(db, &folder, collection, job)
                        .await
                        .map(|n| report.restored.push((collection.name.clone(), n)))
                }
            }
        };
        let skipped = matches!(step, Step::Restore(c) if report.skipped.contains(&c.name));
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let entry = match (&outcome, skipped) {
            (Ok(()), true) => change(describe(step), ChangeOutcome::Skipped, elapsed, None),
            (Ok(()), false) => change(describe(step), ChangeOutcome::Applied, elapsed, None),
            (Err(e), _) => change(describe(step), ChangeOutcome::Failed, elapsed, Some(e)),
        };
        db.record_change(&run, index, &entry).await?;
        if let Err(cause) = outcome {
            let stopped = BackupError::RestoreStopped {
                failed: describe(step),
                cause: cause.to_string(),
                restored: report
                    .restored
                    .iter()
                    .map(|(name, _)| name.clone())
                    .chain(report.skipped.iter().cloned())
                    .collect(),
                pending: steps[index..]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Restore(c) => Some(c.name.clone()),
                        _ => None,
                    })
                    .collect(),
                pre_image: report.pre_image_backup.clone(),
            };
            db.finish_run(&run, RunState::Failed, Some(&stopped.to_string()))
                .await?;
            return Err(stopped.into());
        }
    }
    for collection in &manifest.collections {
        let actual = db.count_named(&collection.name).await?;
        if actual != collection.documents {
            let error = BackupError::Count {
                collection: collection.name.clone(),
                expected: collection.documents,
                actual,
            };
            db.finish_run(&run, RunState::Failed, Some(&error.to_string()))
                .await?;
            return Err(error.into());
        }
    }
    for migration in MIGRATIONS {
        let applied_then = manifest
            .migrations
            .iter()
            .any(|m| m.migration == migration.name && m.state == MigrationState::Applied.as_str());
        if !applied_then {
            db.mark_rolled_back(migration.name).await?;
        }
    }
    db.finish_run(&run, RunState::Succeeded, None).await?;
    Ok(report)
}

fn change(
    description: String,
    outcome: ChangeOutcome,
    duration_ms: u64,
    error: Option<&OpsError>,
) -> ChangeResult {
    ChangeResult {
        description,
        outcome,
        duration_ms,
        error_code: None,
        error: error.map(ToString::to_string),
        ..ChangeResult::default()
    }
}

async fn load(
    db: &Database,
    folder: &Path,
    collection: &BackupCollection,
    job: Option<&Job>,
) -> Result<u64, OpsError> {
    let name = collection.name.as_str();
    let metadata = metadata_of(folder, collection)?;
    let documents = match documents_of(folder, collection)? {
        Some((path, file)) => DocumentReader::new(open(&path)?, file),
        None => DocumentReader::new(Box::new(std::io::empty()) as Box<_>, name),
    };
    // A restore is not cancelled half-way: it goes on whatever is asked.
    let mut progress = |d, b| {
        if let Some(job) = job {
            job.update(name, d, b);
        }
        true
    };
    let (inserted, bytes) = db
        .load_collection(&metadata, documents, &mut progress)
        .await
        .map_err(BackupError::from)?;
    if inserted != collection.documents {
        return Err(BackupError::Count {
            collection: name.to_owned(),
            expected: collection.documents,
            actual: inserted,
        }
        .into());
    }
    if let Some(job) = job {
        job.collection_done(name, inserted, bytes).await;
    }
    Ok(inserted)
}
