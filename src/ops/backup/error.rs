//! `BackupError`: why a backup, a verification, an import or a restore was
//! refused or failed. Each refusal is raised before the database is touched.

use crate::db::dump::DumpError;
use crate::model::{BackupState, OptionNotice};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{name:?} is not a backup name: {reason}")]
    UnsafeName { name: String, reason: &'static str },
    #[error("no backup is named {0}")]
    NotFound(String),
    #[error("backup {name} is {}; only a complete backup can be verified or restored", .state.as_str())]
    NotRestorable { name: String, state: BackupState },
    #[error("{file}: checksum {actual} differs from the manifest's {expected}")]
    Checksum {
        file: String,
        expected: String,
        actual: String,
    },
    #[error("{file}: {actual} bytes, the manifest says {expected}")]
    Size {
        file: String,
        expected: u64,
        actual: u64,
    },
    #[error("{collection}: {actual} documents, the manifest says {expected}")]
    Count {
        collection: String,
        expected: u64,
        actual: u64,
    },
    #[error("{0}: the file is missing")]
    MissingFile(String),
    #[error("backup {name} is of database {manifest}, not {target}")]
    OtherDatabase {
        name: String,
        manifest: String,
        target: String,
    },
    #[error("not enough disk space for the backup: {needed} bytes needed, {available} free")]
    DiskSpace { needed: u64, available: u64 },
    #[error(
        "the backup stopped before filling the disk: {available} bytes are free, the \
         reserve is {reserve}; the data outgrew the estimate made from the last backup"
    )]
    ReserveReached { available: u64, reserve: u64 },
    #[error("the manifest of {name} cannot be read: {reason}")]
    Manifest { name: String, reason: String },
    #[error("{path}: {reason}")]
    Import { path: String, reason: String },
    #[error(
        "the restore stopped at {failed}: {cause}. Restored: {}; not restored: {}. \
         Run the restore again to finish{}.",
        list(.restored), list(.pending),
        .pre_image.as_ref().map_or(String::new(), |b| format!(
            "; what it replaced is saved in backup {b}, whose restore undoes it"
        ))
    )]
    RestoreStopped {
        failed: String,
        cause: String,
        restored: Vec<String>,
        pending: Vec<String>,
        pre_image: Option<String>,
    },
    #[error(
        "the backup's metadata would apply options that can delete or hide data, or that \
         differ from the live collections: {}. Read them, then accept them (--accept-options, \
         or the box on the Backups page) to restore",
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    OptionsNotAccepted(Vec<OptionNotice>),
    #[error(transparent)]
    Dump(#[from] DumpError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

impl BackupError {
    pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> Self + '_ {
        move |source| Self::Io {
            path: path.display().to_string(),
            source,
        }
    }

    /// True for a failure of the machine (disk, database), not of the input.
    pub fn is_internal(&self) -> bool {
        matches!(self, Self::Io { .. } | Self::Dump(DumpError::Database(_)))
    }
}
