//! Verifying a backup: every file is re-read, its size and SHA-256 compared
//! with the manifest, every document parsed and counted, every metadata
//! file parsed. A restore verifies first and refuses on any difference.

use super::files::{self, BSON, METADATA};
use super::store::inside;
use super::{BackupError, BackupStore, blocking};
use crate::db::dump::{DocumentReader, Metadata};
use crate::db::{Database, age_of, now_rfc3339};
use crate::model::Action;
use crate::model::{BackupCollection, BackupFile, BackupState, Manifest};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub async fn verify_backup(
    db: &Database,
    store: &BackupStore,
    actor: &Actor,
    name: &str,
) -> Result<Manifest, OpsError> {
    audit::audited(db, actor, Action::BackupVerify, name, async {
        let mut manifest = checked(store, name).await?;
        manifest.verified_at = Some(now_rfc3339());
        BackupStore::write_manifest(&store.folder(name)?, &manifest)?;
        Ok(manifest)
    })
    .await
}

/// The newest complete, verified backup of `database`, taken within
/// `within` when given.
pub fn latest_verified(
    store: &BackupStore,
    database: &str,
    within: Option<Duration>,
) -> Result<Option<Manifest>, BackupError> {
    Ok(store.list()?.into_iter().find(|m| {
        m.database == database
            && m.state == BackupState::Complete
            && m.verified_at.is_some()
            && within.is_none_or(|within| age_of(&m.started_at).is_some_and(|age| age <= within))
    }))
}

/// `check`, off the async threads.
pub(super) async fn checked(store: &BackupStore, name: &str) -> Result<Manifest, OpsError> {
    Ok(checked_with_metadata(store, name).await?.0)
}

/// `check`, off the async threads, with each collection's metadata.
pub(super) async fn checked_with_metadata(
    store: &BackupStore,
    name: &str,
) -> Result<(Manifest, Vec<Metadata>), OpsError> {
    let (store, name) = (store.clone(), name.to_owned());
    blocking(move || check(&store, &name)).await
}

fn check(store: &BackupStore, name: &str) -> Result<(Manifest, Vec<Metadata>), BackupError> {
    let manifest = store.manifest(name)?;
    if manifest.state != BackupState::Complete {
        return Err(BackupError::NotRestorable {
            name: name.to_owned(),
            state: manifest.state,
        });
    }
    let folder = store.folder(name)?;
    let mut metadata = Vec::with_capacity(manifest.collections.len());
    for collection in &manifest.collections {
        for file in &collection.files {
            check_file(&folder, file)?;
        }
        metadata.push(metadata_of(&folder, collection)?);
        let counted = match documents_of(&folder, collection)? {
            Some((path, file)) => DocumentReader::new(open(&path)?, file).check_all()?,
            None => 0,
        };
        if counted != collection.documents {
            return Err(BackupError::Count {
                collection: collection.name.clone(),
                expected: collection.documents,
                actual: counted,
            });
        }
    }
    Ok((manifest, metadata))
}

pub(super) fn check_file(folder: &Path, file: &BackupFile) -> Result<(), BackupError> {
    let path = inside(folder, &file.path)?;
    if !path.is_file() {
        return Err(BackupError::MissingFile(file.path.clone()));
    }
    let (bytes, sha256) = files::hash(&path).map_err(BackupError::io(&path))?;
    if bytes != file.bytes {
        return Err(BackupError::Size {
            file: file.path.clone(),
            expected: file.bytes,
            actual: bytes,
        });
    }
    if sha256 != file.sha256 {
        return Err(BackupError::Checksum {
            file: file.path.clone(),
            expected: file.sha256.clone(),
            actual: sha256,
        });
    }
    Ok(())
}

fn file_with<'a>(collection: &'a BackupCollection, suffix: &str) -> Option<&'a BackupFile> {
    collection.files.iter().find(|file| {
        let base = file.path.rsplit('/').next().unwrap_or_default();
        files::parse_name(base).is_some_and(|(_, s, _)| s == suffix)
    })
}

/// The collection's parsed metadata file.
pub(super) fn metadata_of(
    folder: &Path,
    collection: &BackupCollection,
) -> Result<Metadata, BackupError> {
    let file = file_with(collection, METADATA)
        .ok_or_else(|| BackupError::MissingFile(format!("{}{METADATA}", collection.name)))?;
    let path = inside(folder, &file.path)?;
    Ok(Metadata::read(open(&path)?, &file.path, &collection.name)?)
}

/// The collection's `.bson` file, if it has one (a view has none).
pub(super) fn documents_of(
    folder: &Path,
    collection: &BackupCollection,
) -> Result<Option<(PathBuf, String)>, BackupError> {
    file_with(collection, BSON)
        .map(|file| Ok((inside(folder, &file.path)?, file.path.clone())))
        .transpose()
}

pub(super) fn open(path: &Path) -> Result<Box<dyn std::io::Read + Send>, BackupError> {
    files::open(path).map_err(BackupError::io(path))
}
