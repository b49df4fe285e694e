//! Following the newest files of a folder as they grow, rotate (rename and
//! a new file), are truncated or deleted. Files are known by device and
//! inode, so a renamed file is read on from where it was. Files present at
//! the first look (when the app starts) are read from their end: only new
//! lines count. Files that appear later, and every file of a folder that
//! appears later, are read from their start. Lines longer than the limit
//! and files holding NUL bytes are skipped with a warning. Each look reads
//! at most `READ_BUDGET` bytes per file, so one look never takes long.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const READ_BUDGET: u64 = 4 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// What a look at the folder found besides lines.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// The folder does not exist.
    Missing,
    /// The newest files, by name, newest first.
    Files(Vec<String>),
}

/// A file being followed.
#[derive(Debug)]
struct Followed {
    offset: u64,
    /// The start of a line whose end has not been written yet.
    partial: Vec<u8>,
    /// Inside a line longer than the limit: drop bytes until its end.
    skipping: bool,
    binary: bool,
}

#[derive(Debug)]
pub struct Follower {
    folder: PathBuf,
    follow_files: usize,
    max_line_bytes: usize,
    files: HashMap<(u64, u64), Followed>,
    looked_once: bool,
}

impl Follower {
    pub fn new(folder: PathBuf, follow_files: usize, max_line_bytes: usize) -> Self {
        Self {
            folder,
            follow_files,
            max_line_bytes,
            files: HashMap::new(),
            looked_once: false,
        }
    }

    /// One look: reads what was added to the newest files, handing each
    /// complete line to `line(file, text)` and each problem to `warn`.
    pub fn look(
        &mut self,
        mut line: impl FnMut(&str, &str),
        mut warn: impl FnMut(String),
    ) -> io::Result<Found> {
        let first_look = !self.looked_once;
        self.looked_once = true;
        let newest = match newest_files(&self.folder, self.follow_files) {
            Ok(newest) => newest,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.files.clear();
                return Ok(Found::Missing);
            }
            Err(error) => return Err(error),
        };
        let keys: Vec<(u64, u64)> = newest.iter().map(|f| f.key).collect();
        self.files.retain(|key, _| keys.contains(key));
        for file in &newest {
            let name = file.name.as_str();
            let followed = self.files.entry(file.key).or_insert_with(|| Followed {
                offset: if first_look { file.len } else { 0 },
                partial: Vec::new(),
                skipping: false,
                binary: false,
            });
            if followed.binary {
                continue;
            }
            if file.len < followed.offset {
                warn(format!(
                    "{name} was truncated; reading it again from its start"
                ));
                followed.offset = 0;
                followed.partial.clear();
                followed.skipping = false;
            }
            if file.len == followed.offset {
                continue;
            }
            if let Err(error) = read_new(
                &self.folder.join(name),
                followed,
                self.max_line_bytes,
                |text| line(name, text),
                |w| warn(format!("{name}: {w}")),
            ) {
                warn(format!("cannot read {name}: {error}"));
            }
        }
        Ok(Found::Files(newest.into_iter().map(|f| f.name).collect()))
    }
}

struct Listed {
    name: String,
    key: (u64, u64),
    len: u64,
    modified: SystemTime,
}

/// The `count` most recently modified regular files of `folder`, newest first.
fn newest_files(folder: &Path, count: usize) -> io::Result<Vec<Listed>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        let Ok(metadata) = entry.metadata() else {
            continue; // deleted between the listing and now
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if !metadata.is_file() || name.starts_with('.') {
            continue;
        }
        files.push(Listed {
            name,
            key: (metadata.dev(), metadata.ino()),
            len: metadata.len(),
            modified: metadata.modified()?,
        });
    }
    files.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
    files.truncate(count);
    Ok(files)
}

/// Reads `path` from the followed offset, at most `READ_BUDGET` bytes.
fn read_new(
    path: &Path,
    followed: &mut Followed,
    max_line_bytes: usize,
    mut line: impl FnMut(&str),
    mut warn: impl FnMut(String),
) -> io::Result<()> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(followed.offset))?;
    let mut reader = file.take(READ_BUDGET);
    let mut buffer = vec![0; CHUNK];
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            return Ok(());
        }
        let data = &buffer[..read];
        followed.offset += read as u64;
        if data.contains(&0) {
            followed.binary = true;
            followed.partial = Vec::new();
            warn("holds NUL bytes: a binary file, not followed".to_owned());
            return Ok(());
        }
        for (index, piece) in data.split(|b| *b == b'\n').enumerate() {
            if index > 0 {
                // The previous piece ended at a newline.
                if followed.skipping {
                    followed.skipping = false;
                } else {
                    let text = String::from_utf8_lossy(&followed.partial);
                    line(text.trim_end_matches('\r'));
                }
                followed.partial.clear();
            }
            if followed.skipping {
                continue;
            }
            if followed.partial.len() + piece.len() > max_line_bytes {
                followed.partial = Vec::new();
                followed.skipping = true;
                warn(format!(
                    "skipped a line longer than {max_line_bytes} bytes (forest_logs.max_line_bytes)"
                ));
                continue;
            }
            followed.partial.extend_from_slice(piece);
        }
    }
}
