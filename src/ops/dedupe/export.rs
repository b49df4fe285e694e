//! A cleanup's export: the prior state of every document it is about to
//! change, appended and flushed to disk before each round writes, in
//! `.dedupe-exports/<run>/documents.bson` under the backups folder (not a
//! backup, so the list of backups skips it). The undo reads it back.

use crate::db::dedupe::Exported;
use crate::db::dump::DocumentReader;
use crate::ops::OpsError;
use crate::ops::backup::{BackupError, BackupStore};
use std::fs::{File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::PathBuf;

const KIND: &str = "dedupe";
const FILE: &str = "documents.bson";

pub struct Export {
    path: PathBuf,
    file: File,
    /// Whose disk must hold each round before it is written.
    store: BackupStore,
}

/// The folder of run `run`'s export; the run's id is a plain hex name.
fn folder(store: &BackupStore, run: &str) -> Result<PathBuf, OpsError> {
    if run.is_empty() || !run.chars().all(|c| c.is_ascii_hexdigit()) || run.len() > 64 {
        return Err(OpsError::InvalidInput {
            field: "run",
            message: format!("{run:?} is not the id of a cleanup run"),
        });
    }
    Ok(store.exports_folder(KIND)?.join(run))
}

impl Export {
    /// Creates run `run`'s export, empty.
    pub fn create(store: &BackupStore, run: &str) -> Result<Self, OpsError> {
        let folder = folder(store, run)?;
        std::fs::create_dir_all(&folder).map_err(BackupError::io(&folder))?;
        let path = folder.join(FILE);
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(BackupError::io(&path))?;
        Ok(Self {
            path,
            file,
            store: store.clone(),
        })
    }

    /// Where it is, relative to the backups folder, for people to find it.
    pub fn name(run: &str) -> String {
        format!(".{KIND}-exports/{run}/{FILE}")
    }

    /// Appends `entries` and waits until they are on disk: only then may
    /// the documents change. Refused before a byte is written when the
    /// disk cannot hold them and the backups' reserve.
    pub fn append(&mut self, entries: &[Exported]) -> Result<(), OpsError> {
        let bytes: Vec<Vec<u8>> = entries.iter().map(Exported::to_bytes).collect();
        let needed = bytes.iter().map(|b| b.len() as u64).sum();
        self.store.ensure_space(needed)?;
        let io = BackupError::io(&self.path);
        for entry in &bytes {
            self.file.write_all(entry).map_err(&io)?;
        }
        self.file.sync_data().map_err(io)?;
        Ok(())
    }

    /// Every entry of run `run`'s export.
    pub fn read(store: &BackupStore, run: &str) -> Result<Vec<Exported>, OpsError> {
        let path = folder(store, run)?.join(FILE);
        let file = File::open(&path).map_err(|_| {
            OpsError::NotFound(format!(
                "the export of cleanup run {run} ({})",
                Self::name(run)
            ))
        })?;
        let reader = DocumentReader::new(BufReader::new(file), Self::name(run));
        Exported::read_all(reader).map_err(|e| OpsError::Backup(BackupError::from(e)))
    }
}
