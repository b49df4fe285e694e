//! Backups as the pages and the CLI see them: the manifest written next to
//! each dump, and the live progress of a backup or restore.

use serde::{Deserialize, Serialize};

/// How a backup ended. Only a `Complete` one is ever offered for restore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupState {
    /// Being written (or its process died while writing it).
    Running,
    Complete,
    Failed,
    Cancelled,
}

impl BackupState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Complete => "complete",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One file of a dump, relative to the backup's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// One dumped collection: its documents and its two files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupCollection {
    pub name: String,
    pub documents: u64,
    pub files: Vec<BackupFile>,
}

impl BackupCollection {
    /// Bytes of its files. Sums of a manifest's figures saturate: it is
    /// read from disk, and a hostile one may hold sizes near 2^64.
    pub fn bytes(&self) -> u64 {
        self.files
            .iter()
            .map(|f| f.bytes)
            .fold(0, u64::saturating_add)
    }
}

/// The state of one migration when the backup was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationAtBackup {
    pub migration: String,
    pub state: String,
    /// The latest run recorded then, if any.
    pub latest_run: Option<String>,
}

/// `manifest.json`, next to the dump: what it holds and how to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: u32,
    /// The backup's folder name.
    pub name: String,
    pub database: String,
    pub server_version: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub made_by: String,
    pub state: BackupState,
    pub error: Option<String>,
    pub gzip: bool,
    /// The folder a `mongodump` output was imported from.
    pub imported_from: Option<String>,
    pub migrations: Vec<MigrationAtBackup>,
    pub collections: Vec<BackupCollection>,
    /// When the last verification passed.
    pub verified_at: Option<String>,
    /// What an import converted in legacy metadata (options left out, key
    /// values read as directions), one line each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub converted: Vec<String>,
}

impl Manifest {
    pub fn documents(&self) -> u64 {
        self.collections
            .iter()
            .map(|c| c.documents)
            .fold(0, u64::saturating_add)
    }

    pub fn bytes(&self) -> u64 {
        self.collections
            .iter()
            .map(BackupCollection::bytes)
            .fold(0, u64::saturating_add)
    }

    /// Every collection with its document count, as an approver reads it:
    /// `tasks (1500 documents), users (40 documents)`.
    pub fn contents(&self) -> String {
        if self.collections.is_empty() {
            return "no collections".to_owned();
        }
        self.collections
            .iter()
            .map(|c| format!("{} ({} documents)", c.name, c.documents))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The documents recorded for `collection`, if it was dumped.
    pub fn count_of(&self, collection: &str) -> Option<u64> {
        self.collections
            .iter()
            .find(|c| c.name == collection)
            .map(|c| c.documents)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Backup,
    Restore,
}

impl JobKind {
    /// The word stored with a job and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Backup => "backup",
            Self::Restore => "restore",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Progress of one collection within a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionProgress {
    pub name: String,
    pub documents: u64,
    /// The documents expected; 0 when unknown.
    pub total: u64,
    pub bytes: u64,
    pub done: bool,
}

/// The latest backup or restore, run by any instance of the app, as it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobProgress {
    /// Tells one job from the next (of the same backup, say).
    #[serde(default)]
    pub id: String,
    pub kind: JobKind,
    /// The backup written or restored.
    pub backup: String,
    pub state: JobState,
    pub collections: Vec<CollectionProgress>,
    /// How it ended, when it did.
    pub message: Option<String>,
    /// For a restore, the backup of what it replaced, once written.
    #[serde(default)]
    pub pre_image_backup: Option<String>,
}

impl JobProgress {
    /// Whole percent of documents done, over all collections.
    pub fn percent(&self) -> u64 {
        let total: u64 = self.collections.iter().map(|c| c.total).sum();
        let done: u64 = self.collections.iter().map(|c| c.documents).sum();
        match self.state {
            JobState::Done => 100,
            _ if total == 0 => 0,
            _ => (done.min(total) * 100) / total,
        }
    }
}

/// An option of a backup's metadata that a restore would apply and that
/// can delete or hide data, or that differs from the live collection: a
/// restore shows each and applies them only once accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionNotice {
    pub collection: String,
    /// The index, when the option is an index's.
    pub index: Option<String>,
    /// The option and its value, as in the metadata.
    pub option: String,
    /// What it does, in the reader's words.
    pub effect: String,
}

impl std::fmt::Display for OptionNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.index {
            Some(index) => write!(f, "{}, index {index}: ", self.collection)?,
            None => write!(f, "{}: ", self.collection)?,
        }
        write!(f, "{} ({})", self.option, self.effect)
    }
}

/// What a restore did, collection by collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub backup: String,
    pub database: String,
    /// Restored collections with their counts, which equal the manifest's.
    pub restored: Vec<(String, u64)>,
    /// Collections created after the backup, exported then dropped.
    pub dropped: Vec<String>,
    /// The backup every live collection was exported into before the
    /// first drop: restoring it undoes this restore.
    pub pre_image_backup: Option<String>,
    /// The options the person accepted, as the plan showed them.
    pub accepted_options: Vec<OptionNotice>,
    /// Collections a resumed restore found already done.
    pub skipped: Vec<String>,
    pub run: String,
}
