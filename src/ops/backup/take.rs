//! Taking a backup under the migration lock: check the free space, write
//! each collection's documents and metadata, then the manifest. A failed
//! or cancelled backup is marked so in its manifest and never restored.

use super::files::{self, BSON, DumpFile, METADATA, Pipelined};
use super::jobs::Job;
use super::{BackupError, BackupStore, Jobs};
use crate::db::dump::{DumpError, Metadata};
use crate::db::{Database, now_rfc3339};
use crate::model::Action;
use crate::model::{
    BackupCollection, BackupFile, BackupState, JobKind, JobState, Manifest, MigrationAtBackup,
};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use crate::ops::migration::{MIGRATIONS, lease};
use futures_util::{StreamExt, stream};
use std::path::{Path, PathBuf};

/// Room the metadata files and the manifest take beyond the documents.
const METADATA_ALLOWANCE: u64 = 1024 * 1024;

/// A backup whose folder and manifest exist, about to be written.
pub(super) struct Dump {
    folder: PathBuf,
    pub(super) manifest: Manifest,
    sources: Vec<Metadata>,
    /// Each collection's documents, as `ensure_room` expects them.
    expected: Vec<(String, u64)>,
    /// Where it is written, whose free space it watches as it goes.
    store: BackupStore,
}

/// Takes a backup and waits for it (the command line).
pub async fn backup(
    db: &Database,
    store: &BackupStore,
    jobs: &Jobs,
    actor: &Actor,
    gzip: bool,
) -> Result<Manifest, OpsError> {
    audit::audited(db, actor, Action::BackupCreate, db.name(), async {
        let lease = lease::take(db, actor).await?;
        let written = async {
            let dump = prepare(db, store, actor, gzip, None).await?;
            let job = begin(jobs, &dump, lease.owner()).await;
            write(db, Some(&job), dump).await
        }
        .await;
        let released = lease.release().await;
        let manifest = written?;
        released?;
        Ok(manifest)
    })
    .await
}

/// Starts a backup in the background (the page) and answers its name at
/// once; `jobs` shows how it goes. Refusals (the lock, the disk) come back
/// here, before anything is written.
pub async fn start_backup(
    db: Database,
    store: BackupStore,
    jobs: Jobs,
    actor: Actor,
    gzip: bool,
) -> Result<String, OpsError> {
    let (lease, dump) = audit::audited(&db, &actor, Action::BackupStart, db.name(), async {
        let lease = lease::take(&db, &actor).await?;
        match prepare(&db, &store, &actor, gzip, None).await {
            Ok(dump) => Ok((lease, dump)),
            Err(error) => {
                lease.release().await?;
                Err(error)
            }
        }
    })
    .await?;
    let name = dump.manifest.name.clone();
    let job = begin(&jobs, &dump, lease.owner()).await;
    let target = name.clone();
    tokio::spawn(async move {
        let written = audit::audited(
            &db,
            &actor,
            Action::BackupCreate,
            &target,
            write(&db, Some(&job), dump),
        )
        .await;
        if let Err(error) = written {
            tracing::warn!(%error, backup = %target, "the backup did not complete");
        }
        if let Err(error) = lease.release().await {
            tracing::error!(%error, "could not release the migration lock after a backup");
        }
    });
    Ok(name)
}

/// Asks the running backup to stop at its next safe point; false when
/// none is running. Audited, whoever asks.
pub async fn cancel_backup(db: &Database, jobs: &Jobs, actor: &Actor) -> Result<bool, OpsError> {
    let cancelled = jobs.cancel().await?;
    audit::record(db, actor, Action::BackupCancel, "", Ok(())).await?;
    Ok(cancelled)
}

/// Exports `names` into a new backup, so that dropping them loses
/// nothing; returns its name. The caller holds the migration lock.
pub async fn export_collections(
    db: &Database,
    store: &BackupStore,
    actor: &Actor,
    names: &[String],
) -> Result<String, OpsError> {
    let dump = prepare(db, store, actor, false, Some(names)).await?;
    Ok(write(db, None, dump).await?.name)
}

/// Refuses when the backups folder's disk cannot hold a dump of `sources`
/// (and their metadata), `gzip`ped or not; answers the documents it
/// expects each to hold (a view: none).
///
/// The server is asked as little as possible, since it may count (and sum
/// `dbStats`) by scanning, which costs as much as the dump's own read:
/// each collection the newest complete backup of this database holds is
/// taken to hold as many documents as then, of the same sizes
/// (`sized_like`), and only the others are counted. With no such backup,
/// every collection is counted while `dbStats` gives the size. Data that
/// grew past the estimate is caught as it is written: a dump stops once
/// the free space falls to the reserve (`write_collection`).
pub(super) async fn ensure_room(
    db: &Database,
    store: &BackupStore,
    sources: &[Metadata],
    gzip: bool,
) -> Result<Vec<(String, u64)>, OpsError> {
    let newest = store.list()?.into_iter().find(|backup| {
        backup.database == db.name() && backup.gzip == gzip && backup.state == BackupState::Complete
    });
    let counts = futures_util::future::try_join_all(sources.iter().map(|source| {
        let then = newest.as_ref().and_then(|b| b.count_of(source.name()));
        async move {
            let documents = match then {
                _ if source.is_view() => 0,
                Some(documents) => documents,
                None => db.estimated_documents(source.name()).await?,
            };
            Ok::<_, OpsError>((source.name().to_owned(), documents))
        }
    }));
    let (bytes, documents) = match &newest {
        Some(newest) => {
            let documents = counts.await?;
            (sized_like(newest, &documents), documents)
        }
        // The counts and dbStats together: a server that answers them by
        // scanning (secantusd-rs) works on both at once.
        None => {
            let (documents, bytes) = futures_util::try_join!(counts, async {
                Ok::<_, OpsError>(db.data_size().await?)
            })?;
            (bytes, documents)
        }
    };
    store.ensure_space(bytes.saturating_add(METADATA_ALLOWANCE))?;
    Ok(documents)
}

/// The bytes a dump of `counts` (collection, documents now) takes if each
/// collection's documents are the size they were in `backup` (collections
/// new since, the size of its average document), and a quarter more for
/// documents that grew since.
fn sized_like(backup: &Manifest, counts: &[(String, u64)]) -> u64 {
    let per_document = |bytes: u64, documents: u64| bytes / documents.max(1);
    let average = per_document(backup.bytes(), backup.documents());
    let total = counts
        .iter()
        .map(|(name, documents)| {
            let size = backup
                .collections
                .iter()
                .find(|c| c.name == *name)
                .map_or(average, |c| per_document(c.bytes(), c.documents));
            documents.saturating_mul(size)
        })
        .fold(0, u64::saturating_add);
    total.saturating_add(total / 4)
}

async fn begin(jobs: &Jobs, dump: &Dump, owner: &str) -> Job {
    jobs.begin(JobKind::Backup, &dump.manifest.name, &dump.expected, owner)
        .await
}

/// Checks the space, makes the folder and a `running` manifest. `only`
/// limits the backup to those collections (a restore's export).
pub(super) async fn prepare(
    db: &Database,
    store: &BackupStore,
    actor: &Actor,
    gzip: bool,
    only: Option<&[String]>,
) -> Result<Dump, OpsError> {
    let mut sources = db.dump_sources().await.map_err(BackupError::from)?;
    if let Some(only) = only {
        sources.retain(|s| only.iter().any(|name| name == s.name()));
    }
    let expected = ensure_room(db, store, &sources, gzip).await?;
    let mut migrations = Vec::new();
    for migration in MIGRATIONS {
        migrations.push(MigrationAtBackup {
            migration: migration.name.to_owned(),
            state: db
                .migration_state(migration.name)
                .await?
                .as_str()
                .to_owned(),
            latest_run: db
                .runs(migration.name, 1)
                .await?
                .first()
                .map(|r| r.id.clone()),
        });
    }
    let started_at = now_rfc3339();
    let name = started_at.replace(':', "-");
    let manifest = Manifest {
        format: 1,
        name,
        database: db.name().to_owned(),
        server_version: db.server_version().await?,
        started_at,
        finished_at: None,
        made_by: actor.name(),
        state: BackupState::Running,
        error: None,
        gzip,
        imported_from: None,
        migrations,
        collections: Vec::new(),
        verified_at: None,
        converted: Vec::new(),
    };
    let folder = store.create(&manifest)?;
    let database_folder = folder.join(db.name());
    std::fs::create_dir(&database_folder).map_err(BackupError::io(&database_folder))?;
    Ok(Dump {
        folder,
        manifest,
        sources,
        expected,
        store: store.clone(),
    })
}

/// Writes the dump and marks its manifest complete, failed or cancelled.
pub(super) async fn write(
    db: &Database,
    job: Option<&Job>,
    dump: Dump,
) -> Result<Manifest, OpsError> {
    let Dump {
        folder,
        mut manifest,
        sources,
        store,
        ..
    } = dump;
    let result = write_collections(db, job, &store, &folder, &mut manifest, &sources).await;
    let (state, job_state, message) = match &result {
        Ok(()) => (
            BackupState::Complete,
            JobState::Done,
            format!(
                "{} documents of {} collections in {}",
                manifest.documents(),
                manifest.collections.len(),
                manifest.name
            ),
        ),
        Err(OpsError::Backup(BackupError::Dump(DumpError::Cancelled))) => (
            BackupState::Cancelled,
            JobState::Cancelled,
            "cancelled; this backup is never offered for restore".to_owned(),
        ),
        Err(error) => (BackupState::Failed, JobState::Failed, error.to_string()),
    };
    manifest.state = state;
    manifest.finished_at = Some(now_rfc3339());
    manifest.error = (state != BackupState::Complete).then(|| message.clone());
    let recorded = BackupStore::write_manifest(&folder, &manifest);
    if let Some(job) = job {
        job.finish(job_state, message).await;
    }
    result?;
    recorded?;
    Ok(manifest)
}

/// Collections dumped at once, as mongodump's `-j` does by default: one
/// collection's reads overlap another's hashing and writing.
const COLLECTIONS_AT_ONCE: usize = 4;

async fn write_collections(
    db: &Database,
    job: Option<&Job>,
    store: &BackupStore,
    folder: &Path,
    manifest: &mut Manifest,
    sources: &[Metadata],
) -> Result<(), OpsError> {
    let layout = Layout {
        database: manifest.database.clone(),
        gzip: manifest.gzip,
        store,
        folder,
    };
    // Made first (a future does nothing until polled): a closure inside
    // the stream would make the spawned backup's future not `Send`.
    let writes: Vec<_> = sources
        .iter()
        .map(|source| write_collection(db, job, &layout, source))
        .collect();
    let mut dumped = stream::iter(writes).buffered(COLLECTIONS_AT_ONCE);
    // In the listing's order; those done before a failure stay recorded.
    while let Some(collection) = dumped.next().await {
        manifest.collections.push(collection?);
    }
    Ok(())
}

/// Where a backup's files go: its folder in `store`, and in it its
/// database's folder, compressed or not.
struct Layout<'a> {
    database: String,
    gzip: bool,
    store: &'a BackupStore,
    folder: &'a Path,
}

/// Dumps one collection's documents (none for a view) and its metadata.
/// It stops once the disk's free space falls to the reserve, checked at
/// each progress report.
async fn write_collection(
    db: &Database,
    job: Option<&Job>,
    layout: &Layout<'_>,
    source: &Metadata,
) -> Result<BackupCollection, OpsError> {
    let (name, folder) = (source.name(), layout.folder);
    let mut files = Vec::new();
    let (mut documents, mut bytes) = (0, 0);
    if !source.is_view() {
        let (file, out) = create(layout, name, BSON)?;
        let mut short_of_room = None;
        let mut progress = |d, b| match layout.store.ensure_reserve() {
            Ok(()) => job.is_none_or(|job| job.update(name, d, b)),
            Err(error) => {
                short_of_room = Some(error);
                false
            }
        };
        let exported = db
            .export_collection(name, out.sink(), &file.path, &mut progress)
            .await;
        // A failed write stops the export with a broken pipe; the
        // writer's own error, from `finish`, says why.
        let written = finish(folder, file, out).await?;
        if let Some(error) = short_of_room {
            return Err(error.into());
        }
        (documents, bytes) = exported.map_err(BackupError::from)?;
        files.push(written);
    }
    let (file, out) = create(layout, name, METADATA)?;
    out.send(source.to_json().into_bytes())
        .await
        .map_err(BackupError::io(&folder.join(&file.path)))?;
    files.push(finish(folder, file, out).await?);
    // A safe point: a cancel asked for during this collection stops the
    // backup before the collections not yet started.
    if let Some(job) = job
        && !job.collection_done(name, documents, bytes).await
    {
        return Err(BackupError::from(DumpError::Cancelled).into());
    }
    Ok(BackupCollection {
        name: name.to_owned(),
        documents,
        files,
    })
}

fn create(
    layout: &Layout<'_>,
    collection: &str,
    suffix: &str,
) -> Result<(BackupFile, Pipelined), BackupError> {
    let path = format!(
        "{}/{}",
        layout.database,
        files::file_name(collection, suffix, layout.gzip)
    );
    let full = super::store::inside(layout.folder, &path)?;
    let out = DumpFile::create(&full, layout.gzip).map_err(BackupError::io(&full))?;
    let out = Pipelined::new(out);
    let file = BackupFile {
        path,
        bytes: 0,
        sha256: String::new(),
    };
    Ok((file, out))
}

async fn finish(
    folder: &Path,
    file: BackupFile,
    out: Pipelined,
) -> Result<BackupFile, BackupError> {
    let (bytes, sha256) = out
        .finish()
        .await
        .map_err(BackupError::io(&folder.join(&file.path)))?;
    Ok(BackupFile {
        bytes,
        sha256,
        ..file
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection(name: &str, documents: u64, bytes: u64) -> BackupCollection {
        BackupCollection {
            name: name.to_owned(),
            documents,
            files: vec![BackupFile {
                path: format!("forest/{name}.bson"),
                bytes,
                sha256: String::new(),
            }],
        }
    }

    #[test]
    fn a_dump_is_sized_by_the_last_backups_documents_with_a_quarter_to_spare() {
        let mut last: Manifest = serde_json::from_value(serde_json::json!({
            "format": 1, "name": "b", "database": "forest", "serverVersion": "8.0",
            "startedAt": "2026-12-03T12:00:00Z", "madeBy": "cli:test", "state": "complete",
            "gzip": false, "migrations": [], "collections": [],
        }))
        .expect("a manifest");
        last.collections = vec![
            collection("tasks", 1_000, 100_000),
            collection("users", 10, 3_000),
        ];
        // Tasks doubled; devices is new and sized like the average document.
        let counts = |counts: &[(&str, u64)]| -> Vec<(String, u64)> {
            counts.iter().map(|(n, d)| ((*n).to_owned(), *d)).collect()
        };
        let needed = sized_like(
            &last,
            &counts(&[("tasks", 2_000), ("users", 10), ("devices", 100)]),
        );
        let average = 103_000 / 1_010;
        assert_eq!(needed, (200_000 + 3_000 + 100 * average) * 5 / 4);

        // A hostile manifest's sizes cannot overflow the estimate.
        last.collections = vec![
            collection("tasks", 1, u64::MAX),
            collection("users", 1, u64::MAX),
        ];
        assert_eq!(
            sized_like(&last, &counts(&[("tasks", 3), ("devices", 2)])),
            u64::MAX
        );
        last.collections = vec![collection("tasks", 0, 5)];
        assert_eq!(sized_like(&last, &counts(&[("tasks", 4)])), 25);
    }
}
