//! Where the Forest schema is and what the checkout around it says: the
//! schema's text (size-capped, UTF-8), the Prisma version its package.json
//! and lock file pin, and the folders of `prisma/migrations/`.

use super::syntax::MAX_SCHEMA_BYTES;
use crate::config::Settings;
use crate::model::PrismaVersion;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Lock files can be large; more than this is not read.
const MAX_LOCK_BYTES: u64 = 16 * 1024 * 1024;
/// How many folders up from the schema a package.json or lock file is sought.
const LEVELS_UP: usize = 4;
/// `prisma/migrations/` folders listed at most.
const MAX_MIGRATIONS: usize = 200;

/// The configured schema location, if any.
#[derive(Debug, Clone, Default)]
pub struct PrismaSource {
    schema: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path} cannot be read: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a file")]
    NotAFile { path: String },
    #[error("{path} is {bytes} bytes; more than {MAX_SCHEMA_BYTES} bytes is not read")]
    TooLarge { path: String, bytes: u64 },
    #[error("{path} is not UTF-8 text")]
    NotText { path: String },
}

impl PrismaSource {
    pub fn from_settings(settings: &Settings) -> Self {
        Self::at(settings.forest.schema_path())
    }

    pub fn at(schema: Option<PathBuf>) -> Self {
        Self { schema }
    }

    pub fn path(&self) -> Option<&Path> {
        self.schema.as_deref()
    }

    /// The schema's text, refused when it is not a UTF-8 file of at most
    /// `MAX_SCHEMA_BYTES`.
    pub fn read(path: &Path) -> Result<String, SourceError> {
        let shown = path.display().to_string();
        let unreadable = |source| SourceError::Unreadable {
            path: shown.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(unreadable)?;
        let metadata = file.metadata().map_err(unreadable)?;
        if !metadata.is_file() {
            return Err(SourceError::NotAFile { path: shown });
        }
        let cap = MAX_SCHEMA_BYTES as u64;
        if metadata.len() > cap {
            return Err(SourceError::TooLarge {
                path: shown,
                bytes: metadata.len(),
            });
        }
        let mut bytes = Vec::new();
        file.take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if bytes.len() as u64 > cap {
            return Err(SourceError::TooLarge {
                path: shown,
                bytes: bytes.len() as u64,
            });
        }
        String::from_utf8(bytes).map_err(|_| SourceError::NotText { path: shown })
    }
}

/// The Prisma version the checkout pins: `prisma` (or `@prisma/client`) in
/// the nearest package.json above the schema, and what a lock file resolved.
pub fn prisma_version(schema: &Path) -> Option<PrismaVersion> {
    let folders: Vec<&Path> = schema.ancestors().skip(1).take(LEVELS_UP + 1).collect();
    let mut sources = Vec::new();
    let declared = folders.iter().find_map(|folder| {
        let path = folder.join("package.json");
        let declared = declared_version(&read_small(&path)?)?;
        sources.push(path.display().to_string());
        Some(declared)
    });
    let locked = folders.iter().find_map(|folder| {
        ["pnpm-lock.yaml", "package-lock.json", "yarn.lock"]
            .iter()
            .find_map(|name| {
                let path = folder.join(name);
                let locked = locked_version(name, &read_small(&path)?)?;
                sources.push(path.display().to_string());
                Some(locked)
            })
    });
    (declared.is_some() || locked.is_some()).then(|| PrismaVersion {
        declared,
        locked,
        source: sources.join(", "),
    })
}

fn read_small(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut text = String::new();
    file.take(MAX_LOCK_BYTES).read_to_string(&mut text).ok()?;
    Some(text)
}

fn declared_version(package_json: &str) -> Option<String> {
    let package: serde_json::Value = serde_json::from_str(package_json).ok()?;
    ["prisma", "@prisma/client"].iter().find_map(|name| {
        ["dependencies", "devDependencies"]
            .iter()
            .find_map(|section| package.get(section)?.get(name)?.as_str())
            .map(str::to_owned)
    })
}

/// The resolved version of `prisma` in a lock file.
fn locked_version(name: &str, text: &str) -> Option<String> {
    if name == "package-lock.json" {
        let lock: serde_json::Value = serde_json::from_str(text).ok()?;
        return lock
            .get("packages")?
            .get("node_modules/prisma")?
            .get("version")?
            .as_str()
            .map(str::to_owned);
    }
    // pnpm (`/prisma@6.19.0:`, `prisma@6.19.0:`) and yarn (`prisma@^6.19.0:`
    // then `version "6.19.0"`) both key packages by `prisma@`.
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let key = line.trim().trim_start_matches(['\'', '"', '/']);
        let Some(rest) = key.strip_prefix("prisma@") else {
            continue;
        };
        let version: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            .collect();
        if name == "yarn.lock" {
            let next = lines.next().unwrap_or_default().trim();
            return next
                .strip_prefix("version ")
                .map(|v| v.trim_matches('"').to_owned());
        }
        if version.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(version);
        }
    }
    None
}

/// The major version a declared range or locked version names.
pub fn major(version: &str) -> Option<u32> {
    let digits: String = version
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The folders of `migrations/` beside the schema, oldest first.
pub fn migration_folders(schema: &Path) -> Vec<String> {
    let Some(folder) = schema.parent().map(|p| p.join("migrations")) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .take(MAX_MIGRATIONS)
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_package_json_and_each_lock_format() {
        assert_eq!(
            declared_version(r#"{"devDependencies": {"prisma": "^6.19.0"}}"#),
            Some("^6.19.0".into())
        );
        assert_eq!(
            declared_version(r#"{"dependencies": {"@prisma/client": "5.22.0"}}"#),
            Some("5.22.0".into())
        );
        assert_eq!(declared_version("not json"), None);
        let pnpm = "packages:\n\n  /@prisma/client@6.19.0:\n    x\n  /prisma@6.19.0:\n    resolution: {}\n";
        assert_eq!(
            locked_version("pnpm-lock.yaml", pnpm),
            Some("6.19.0".into())
        );
        let pnpm9 = "packages:\n  prisma@7.0.1:\n    resolution: {}\n";
        assert_eq!(
            locked_version("pnpm-lock.yaml", pnpm9),
            Some("7.0.1".into())
        );
        let npm = r#"{"packages": {"node_modules/prisma": {"version": "6.2.1"}}}"#;
        assert_eq!(
            locked_version("package-lock.json", npm),
            Some("6.2.1".into())
        );
        let yarn = "\"prisma@^5.0.0\":\n  version \"5.22.0\"\n";
        assert_eq!(locked_version("yarn.lock", yarn), Some("5.22.0".into()));
        assert_eq!(major("^6.19.0"), Some(6));
        assert_eq!(major("~7.0"), Some(7));
        assert_eq!(major("latest"), None);
    }

    #[test]
    fn a_schema_that_is_too_large_a_folder_or_not_text_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let big = dir.path().join("big.prisma");
        std::fs::write(&big, vec![b'/'; MAX_SCHEMA_BYTES + 1]).expect("write");
        assert!(matches!(
            PrismaSource::read(&big),
            Err(SourceError::TooLarge { .. })
        ));
        assert!(matches!(
            PrismaSource::read(dir.path()),
            Err(SourceError::NotAFile { .. })
        ));
        let binary = dir.path().join("bin.prisma");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).expect("write");
        assert!(matches!(
            PrismaSource::read(&binary),
            Err(SourceError::NotText { .. })
        ));
        let missing = PrismaSource::read(&dir.path().join("none.prisma")).expect_err("missing");
        assert!(missing.to_string().contains("none.prisma"), "{missing}");
    }
}
