//! The backups folder: safe names (no `/`, no `..`, no symbolic link that
//! leads out), manifests, listing, deletion, and the free-space check.
//! Nothing is ever written outside this folder.

use super::BackupError;
use crate::config::Settings;
use crate::model::Manifest;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

pub const MANIFEST: &str = "manifest.json";
/// Folders being written by an import start with this; the list skips them.
pub const PARTIAL_PREFIX: &str = ".";

#[derive(Debug, Clone)]
pub struct BackupStore {
    dir: PathBuf,
    reserve_bytes: u64,
    fresh_for: Duration,
}

impl BackupStore {
    pub fn new(dir: impl Into<PathBuf>, reserve_bytes: u64, fresh_for: Duration) -> Self {
        Self {
            dir: dir.into(),
            reserve_bytes,
            fresh_for,
        }
    }

    pub fn from_settings(settings: &Settings) -> Self {
        Self::new(
            settings.paths.backups_dir.clone(),
            settings.backup.reserve_mb.saturating_mul(1024 * 1024),
            Duration::from_secs(settings.backup.fresh_hours.saturating_mul(3_600)),
        )
    }

    /// How recent a verified backup must be for the plan to count it.
    pub fn fresh_for(&self) -> Duration {
        self.fresh_for
    }

    /// The folder, created if missing, with symbolic links resolved.
    pub(super) fn root(&self) -> Result<PathBuf, BackupError> {
        std::fs::create_dir_all(&self.dir).map_err(BackupError::io(&self.dir))?;
        self.dir.canonicalize().map_err(BackupError::io(&self.dir))
    }

    /// A folder of the app's own exports, `kind` (for example the prior
    /// state of what a duplicate cleanup changes), inside the backups
    /// folder; its dotted name keeps it out of the list of backups.
    pub fn exports_folder(&self, kind: &str) -> Result<PathBuf, BackupError> {
        check_name(kind)?;
        let path = self.root()?.join(format!("{PARTIAL_PREFIX}{kind}-exports"));
        std::fs::create_dir_all(&path).map_err(BackupError::io(&path))?;
        Ok(path)
    }

    /// The folder of existing backup `name`, which must lie inside the
    /// backups folder and not be a symbolic link.
    pub(super) fn folder(&self, name: &str) -> Result<PathBuf, BackupError> {
        check_name(name)?;
        let root = self.root()?;
        let path = root.join(name);
        match path.symlink_metadata() {
            Err(_) => Err(BackupError::NotFound(name.to_owned())),
            Ok(meta) if meta.file_type().is_symlink() => {
                Err(unsafe_name(name, "it is a symbolic link"))
            }
            Ok(meta) if !meta.is_dir() => Err(BackupError::NotFound(name.to_owned())),
            Ok(_) => Ok(path),
        }
    }

    /// A new folder for the backup `manifest` names, holding that manifest.
    /// It is made under a dotted name and renamed once the manifest is in
    /// it, so that a listing never meets a backup folder without one.
    pub(super) fn create(&self, manifest: &Manifest) -> Result<PathBuf, BackupError> {
        check_name(&manifest.name)?;
        let root = self.root()?;
        let path = root.join(&manifest.name);
        if path.symlink_metadata().is_ok() {
            return Err(BackupError::io(&path)(
                std::io::ErrorKind::AlreadyExists.into(),
            ));
        }
        let partial = root.join(format!("{PARTIAL_PREFIX}{}", manifest.name));
        std::fs::create_dir(&partial).map_err(BackupError::io(&partial))?;
        Self::write_manifest(&partial, manifest)?;
        std::fs::rename(&partial, &path).map_err(BackupError::io(&path))?;
        Ok(path)
    }

    pub fn manifest(&self, name: &str) -> Result<Manifest, BackupError> {
        let folder = self.folder(name)?;
        let path = inside(&folder, MANIFEST)?;
        let text = std::fs::read(&path).map_err(|e| BackupError::Manifest {
            name: name.to_owned(),
            reason: e.to_string(),
        })?;
        let manifest: Manifest =
            serde_json::from_slice(&text).map_err(|e| BackupError::Manifest {
                name: name.to_owned(),
                reason: e.to_string(),
            })?;
        if manifest.name != name {
            return Err(BackupError::Manifest {
                name: name.to_owned(),
                reason: format!("it names another backup, {}", manifest.name),
            });
        }
        Ok(manifest)
    }

    /// Writes the manifest into `folder` (written aside, then renamed, so a
    /// reader never sees half of it).
    pub(super) fn write_manifest(folder: &Path, manifest: &Manifest) -> Result<(), BackupError> {
        let path = folder.join(MANIFEST);
        let aside = folder.join(".manifest.json.new");
        let text = serde_json::to_vec_pretty(manifest).map_err(|e| BackupError::Manifest {
            name: manifest.name.clone(),
            reason: e.to_string(),
        })?;
        std::fs::write(&aside, text).map_err(BackupError::io(&aside))?;
        std::fs::rename(&aside, &path).map_err(BackupError::io(&path))
    }

    /// Every backup with a readable manifest, newest first; none while the
    /// folder does not exist.
    pub fn list(&self) -> Result<Vec<Manifest>, BackupError> {
        if !self.dir.exists() {
            return Ok(Vec::new());
        }
        let root = self.root()?;
        let mut manifests = Vec::new();
        for entry in std::fs::read_dir(&root).map_err(BackupError::io(&root))? {
            let entry = entry.map_err(BackupError::io(&root))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(PARTIAL_PREFIX) {
                continue;
            }
            match self.manifest(&name) {
                Ok(manifest) => manifests.push(manifest),
                Err(error) => {
                    tracing::warn!(%error, %name, "skipped a folder that is not a backup")
                }
            }
        }
        manifests.sort_by(|a, b| b.started_at.cmp(&a.started_at));
        Ok(manifests)
    }

    /// A hash of every backup's name and its manifest's size and time:
    /// it changes when a backup is written, verified, imported or deleted,
    /// by this instance or another. Reads only the folder's entries.
    pub fn mark(&self) -> Result<u64, BackupError> {
        let mut hasher = DefaultHasher::new();
        if !self.dir.exists() {
            return Ok(hasher.finish());
        }
        let root = self.root()?;
        let mut seen = Vec::new();
        for entry in std::fs::read_dir(&root).map_err(BackupError::io(&root))? {
            let entry = entry.map_err(BackupError::io(&root))?;
            let manifest = std::fs::metadata(entry.path().join(MANIFEST))
                .ok()
                .map(|m| (m.len(), m.modified().ok()));
            seen.push((entry.file_name(), manifest));
        }
        seen.sort();
        seen.hash(&mut hasher);
        Ok(hasher.finish())
    }

    pub fn delete(&self, name: &str) -> Result<(), BackupError> {
        let folder = self.folder(name)?;
        std::fs::remove_dir_all(&folder).map_err(BackupError::io(&folder))
    }

    /// Refuses when fewer than `needed` bytes, plus the reserve, are free
    /// on the backups folder's file system.
    pub(crate) fn ensure_space(&self, needed: u64) -> Result<(), BackupError> {
        let available = self.available()?;
        let needed = needed.saturating_add(self.reserve_bytes);
        if available < needed {
            return Err(BackupError::DiskSpace { needed, available });
        }
        Ok(())
    }

    /// Refuses once the free space has fallen to the reserve: what a dump
    /// checks as it writes, since its size was only estimated.
    pub(crate) fn ensure_reserve(&self) -> Result<(), BackupError> {
        let available = self.available()?;
        if available <= self.reserve_bytes {
            return Err(BackupError::ReserveReached {
                available,
                reserve: self.reserve_bytes,
            });
        }
        Ok(())
    }

    /// Bytes free for this process on the backups folder's file system.
    fn available(&self) -> Result<u64, BackupError> {
        let root = self.root()?;
        let stats = nix::sys::statvfs::statvfs(&root).map_err(|errno| BackupError::Io {
            path: root.display().to_string(),
            source: errno.into(),
        })?;
        Ok(stats
            .blocks_available()
            .saturating_mul(stats.fragment_size()))
    }
}

fn unsafe_name(name: &str, reason: &'static str) -> BackupError {
    BackupError::UnsafeName {
        name: name.to_owned(),
        reason,
    }
}

/// A backup name is one plain folder name: letters, digits, `-`, `_`, `.`,
/// not starting with a dot.
pub(super) fn check_name(name: &str) -> Result<(), BackupError> {
    if name.is_empty() || name.len() > 100 {
        return Err(unsafe_name(name, "it must have 1 to 100 characters"));
    }
    if name.contains(['/', '\\']) {
        return Err(unsafe_name(name, "it must not contain / or \\"));
    }
    if name.starts_with('.') || name.contains("..") {
        return Err(unsafe_name(
            name,
            "it must not start with a dot or contain ..",
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(unsafe_name(name, "use only letters, digits, - _ and ."));
    }
    Ok(())
}

/// `relative` inside `folder`: no absolute path, no `..`, no symbolic link.
pub(super) fn inside(folder: &Path, relative: &str) -> Result<PathBuf, BackupError> {
    let relative_path = Path::new(relative);
    if !relative_path
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(unsafe_name(
            relative,
            "a file of a backup must stay inside it",
        ));
    }
    let path = folder.join(relative_path);
    let mut walked = folder.to_path_buf();
    for component in relative_path.components() {
        walked.push(component);
        if walked
            .symlink_metadata()
            .is_ok_and(|meta| meta.file_type().is_symlink())
        {
            return Err(unsafe_name(
                relative,
                "a file of a backup must not be a symbolic link",
            ));
        }
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_slashes_dots_or_odd_characters_are_refused() {
        for name in ["", "../x", "a/b", "..", ".hidden", "a..b", "a b", "x\\y"] {
            assert!(check_name(name).is_err(), "{name:?}");
        }
        check_name("2026-11-27T09-40-12.123Z").expect("a time is a name");
    }

    #[test]
    fn a_symbolic_link_leading_out_is_refused() {
        let root = tempfile::tempdir().expect("dir");
        let outside = tempfile::tempdir().expect("dir");
        let store = BackupStore::new(root.path(), 0, Duration::ZERO);
        std::os::unix::fs::symlink(outside.path(), root.path().join("escape")).expect("link");
        assert!(matches!(
            store.folder("escape"),
            Err(BackupError::UnsafeName { .. })
        ));
        std::fs::create_dir(root.path().join("b")).expect("dir");
        std::os::unix::fs::symlink("/etc/passwd", root.path().join("b/x.bson")).expect("link");
        assert!(inside(&root.path().join("b"), "x.bson").is_err());
        assert!(inside(&root.path().join("b"), "../b/y").is_err());
        assert!(matches!(
            store.folder("nope"),
            Err(BackupError::NotFound(_))
        ));
    }

    #[test]
    fn a_new_backup_folder_is_listed_only_with_its_manifest_and_never_twice() {
        let root = tempfile::tempdir().expect("dir");
        let store = BackupStore::new(root.path(), 0, Duration::ZERO);
        let manifest: Manifest = serde_json::from_value(serde_json::json!({
            "format": 1, "name": "2026-12-03T12-00-00.000Z", "database": "forest",
            "serverVersion": "8.0", "startedAt": "2026-12-03T12:00:00.000Z",
            "madeBy": "cli:test", "state": "running", "gzip": false,
            "migrations": [], "collections": [],
        }))
        .expect("a manifest");
        let folder = store.create(&manifest).expect("made");
        assert_eq!(store.list().expect("listed"), vec![manifest.clone()]);
        std::fs::write(folder.join("kept"), b"x").expect("a file");
        assert!(store.create(&manifest).is_err(), "the name is taken");
        assert!(
            folder.join("kept").exists(),
            "the first folder is untouched"
        );
        assert_eq!(store.list().expect("listed").len(), 1);
    }

    #[test]
    fn more_space_than_the_disk_has_is_refused() {
        let root = tempfile::tempdir().expect("dir");
        let store = BackupStore::new(root.path(), 0, Duration::ZERO);
        store.ensure_space(1).expect("one byte fits");
        assert!(matches!(
            store.ensure_space(u64::MAX / 2),
            Err(BackupError::DiskSpace { .. })
        ));
    }
}
