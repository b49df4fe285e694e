//! Importing a folder made by the real `mongodump --out`: its database's
//! files are checked and copied into a new backup with a manifest, from
//! then on verified and restored like the app's own. Reads what every
//! mongodump version writes: plain and gzip files, legacy metadata (read
//! as `mongorestore --convertLegacyIndexes` does, and said in the
//! manifest), empty `.bson` files. Refuses symbolic links and the app's
//! own or the server's collections; a refused import leaves nothing. Every
//! refusal of the folder itself reads the same, so that an import cannot
//! tell whether some path exists on the server.

use super::files::{self, BSON, GZ, METADATA};
use super::store::{PARTIAL_PREFIX, check_name};
use super::verify::{documents_of, metadata_of, open};
use super::{BackupError, BackupStore, blocking};
use crate::db::Database;
use crate::db::dump::{DocumentReader, DumpError};
use crate::db::is_reserved_collection;
use crate::db::now_rfc3339;
use crate::model::Action;
use crate::model::{BackupCollection, BackupFile, BackupState, Manifest};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files mongodump writes at the root of its output that are not a database.
const ROOT_FILES: [&str; 2] = ["oplog.bson", "prelude.json"];

pub async fn import(
    db: &Database,
    store: &BackupStore,
    actor: &Actor,
    source: &Path,
) -> Result<Manifest, OpsError> {
    let target = source.display().to_string();
    audit::audited(db, actor, Action::BackupImport, &target, async {
        let (store, source, by) = (store.clone(), source.to_path_buf(), actor.name());
        blocking(move || import_files(&store, &source, &by)).await
    })
    .await
}

fn refused(path: &Path, reason: impl Into<String>) -> BackupError {
    BackupError::Import {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// The one refusal of a folder that is missing, unreadable, a link, a
/// file, or holds no single mongodump database.
fn unusable(source: &Path) -> BackupError {
    refused(
        source,
        "not a folder this server can import: name a readable folder written by \
         mongodump --out, holding one database's .bson and .metadata.json files (no links)",
    )
}

/// The database folder inside `source`, or `unusable`, whatever the reason.
fn locate(source: &Path) -> Result<(PathBuf, String), BackupError> {
    let meta = source.symlink_metadata().map_err(|_| unusable(source))?;
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Err(unusable(source));
    }
    let database_dir = find_database(source).ok_or_else(|| unusable(source))?;
    let database = database_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check_name(&database).map_err(|_| unusable(source))?;
    Ok((database_dir, database))
}

fn import_files(
    store: &BackupStore,
    source: &Path,
    made_by: &str,
) -> Result<Manifest, BackupError> {
    let (database_dir, database) = locate(source)?;
    let collections = dump_files(&database_dir)?;
    if let Some(reserved) = collections.keys().find(|name| is_reserved_collection(name)) {
        return Err(DumpError::Reserved(reserved.clone()).into());
    }
    let mut total = 0;
    for files in collections.values() {
        for file in files {
            let path = database_dir.join(file);
            total += path.metadata().map_err(BackupError::io(&path))?.len();
        }
    }
    store.ensure_space(total)?;
    let started_at = now_rfc3339();
    let name = format!("import-{}", started_at.replace(':', "-"));
    let root = store.root()?;
    let partial = root.join(format!("{PARTIAL_PREFIX}{name}"));
    let copied = copy_in(&database_dir, &partial, &database, &collections).and_then(
        |(copied, converted)| {
            let manifest = Manifest {
                format: 1,
                name: name.clone(),
                database: database.clone(),
                server_version: "unknown (imported)".to_owned(),
                started_at: started_at.clone(),
                finished_at: Some(now_rfc3339()),
                made_by: made_by.to_owned(),
                state: BackupState::Complete,
                error: None,
                gzip: copied
                    .iter()
                    .flat_map(|c| &c.files)
                    .any(|f| f.path.ends_with(GZ)),
                imported_from: Some(source.display().to_string()),
                migrations: Vec::new(),
                collections: copied,
                verified_at: None,
                converted,
            };
            BackupStore::write_manifest(&partial, &manifest)?;
            let done = root.join(&name);
            std::fs::rename(&partial, &done).map_err(BackupError::io(&done))?;
            Ok(manifest)
        },
    );
    if copied.is_err()
        && partial.exists()
        && let Err(error) = std::fs::remove_dir_all(&partial)
    {
        tracing::error!(%error, path = %partial.display(), "could not remove a refused import");
    }
    copied
}

/// The folder of the one database in `source`: `source` itself when it
/// holds dump files, else its one subfolder that does; `None` when it
/// cannot be read or there is not exactly one.
fn find_database(source: &Path) -> Option<PathBuf> {
    if holds_dump_files(source)? {
        return Some(source.to_path_buf());
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(source).ok()? {
        let path = entry.ok()?.path();
        let meta = path.symlink_metadata().ok()?;
        if meta.is_dir() && !meta.file_type().is_symlink() && holds_dump_files(&path)? {
            found.push(path);
        }
    }
    (found.len() == 1).then(|| found.remove(0))
}

fn holds_dump_files(folder: &Path) -> Option<bool> {
    for entry in std::fs::read_dir(folder).ok()? {
        let name = entry.ok()?.file_name();
        let name = name.to_string_lossy();
        if !ROOT_FILES.contains(&name.as_ref()) && files::parse_name(&name).is_some() {
            return Some(true);
        }
    }
    Some(false)
}

/// The dump files of each collection, by name. Every `.bson` needs its
/// `.metadata.json`; links and doubled files are refused.
fn dump_files(folder: &Path) -> Result<BTreeMap<String, Vec<String>>, BackupError> {
    let mut collections: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(folder).map_err(BackupError::io(folder))? {
        let entry = entry.map_err(BackupError::io(folder))?;
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some((collection, _, _)) = files::parse_name(&file) else {
            continue;
        };
        let meta = entry
            .path()
            .symlink_metadata()
            .map_err(BackupError::io(&entry.path()))?;
        if meta.file_type().is_symlink() || !meta.is_file() {
            return Err(refused(
                &entry.path(),
                "not a plain file (links are refused)",
            ));
        }
        collections
            .entry(collection.to_owned())
            .or_default()
            .push(file);
    }
    for (collection, files) in &mut collections {
        files.sort();
        let kinds: Vec<_> = files
            .iter()
            .filter_map(|f| files::parse_name(f).map(|(_, suffix, _)| suffix))
            .collect();
        let bsons = kinds.iter().filter(|s| **s == BSON).count();
        let metadatas = kinds.iter().filter(|s| **s == METADATA).count();
        if bsons > 1 || metadatas > 1 {
            return Err(refused(
                folder,
                format!("{collection} is there twice, plain and gzip"),
            ));
        }
        if metadatas == 0 {
            return Err(refused(
                folder,
                format!("{collection}{BSON} has no {collection}{METADATA}"),
            ));
        }
    }
    Ok(collections)
}

/// Copies the files into `partial/<database>/` and checks each copy:
/// metadata parsed, every document parsed and counted. Returns them with
/// what reading legacy metadata converted.
fn copy_in(
    from: &Path,
    partial: &Path,
    database: &str,
    collections: &BTreeMap<String, Vec<String>>,
) -> Result<(Vec<BackupCollection>, Vec<String>), BackupError> {
    let to = partial.join(database);
    std::fs::create_dir_all(&to).map_err(BackupError::io(&to))?;
    let mut copied = Vec::new();
    let mut converted = Vec::new();
    for (name, file_names) in collections {
        let mut collection = BackupCollection {
            name: name.clone(),
            documents: 0,
            files: Vec::new(),
        };
        for file in file_names {
            let target = to.join(file);
            std::fs::copy(from.join(file), &target).map_err(BackupError::io(&target))?;
            let (bytes, sha256) = files::hash(&target).map_err(BackupError::io(&target))?;
            collection.files.push(BackupFile {
                path: format!("{database}/{file}"),
                bytes,
                sha256,
            });
        }
        let metadata = metadata_of(partial, &collection)?;
        converted.extend(
            metadata
                .converted()
                .iter()
                .map(|line| format!("{name}: {line}")),
        );
        if let Some((path, file)) = documents_of(partial, &collection)? {
            collection.documents = DocumentReader::new(open(&path)?, file).check_all()?;
        }
        copied.push(collection);
    }
    Ok((copied, converted))
}
