//! A dump's files on disk: names in mongodump's layout, writers that hash
//! (and gzip) what they write, readers that gunzip what they read.

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

pub const BSON: &str = ".bson";
pub const METADATA: &str = ".metadata.json";
pub const GZ: &str = ".gz";

/// `<coll>.bson` or `<coll>.metadata.json`, with `.gz` when gzipped.
pub fn file_name(collection: &str, suffix: &str, gzip: bool) -> String {
    format!("{collection}{suffix}{}", if gzip { GZ } else { "" })
}

/// Splits a dump file's name into its collection and suffix.
pub fn parse_name(file: &str) -> Option<(&str, &'static str, bool)> {
    let (file, gzip) = match file.strip_suffix(GZ) {
        Some(plain) => (plain, true),
        None => (file, false),
    };
    [METADATA, BSON].into_iter().find_map(|suffix| {
        file.strip_suffix(suffix)
            .filter(|name| !name.is_empty())
            .map(|name| (name, suffix, gzip))
    })
}

pub struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes one dump file, gzipped or not, hashing the bytes on disk.
pub enum DumpFile {
    Plain(Hashing<BufWriter<File>>),
    Gzip(GzEncoder<Hashing<BufWriter<File>>>),
}

impl DumpFile {
    pub fn create(path: &Path, gzip: bool) -> io::Result<Self> {
        let file = File::options().write(true).create_new(true).open(path)?;
        let hashing = Hashing {
            inner: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        Ok(if gzip {
            Self::Gzip(GzEncoder::new(hashing, Compression::fast()))
        } else {
            Self::Plain(hashing)
        })
    }

    /// Flushes to the operating system; returns the file's size and
    /// SHA-256. Like mongodump it does not wait for the disk (`fsync`
    /// would double a backup's time): a file a crash cut short fails its
    /// checksum, and a restore verifies every checksum first.
    pub fn finish(self) -> io::Result<(u64, String)> {
        let mut hashing = match self {
            Self::Plain(hashing) => hashing,
            Self::Gzip(encoder) => encoder.finish()?,
        };
        hashing.flush()?;
        Ok((
            hashing.bytes,
            crate::ops::digest::hex(&hashing.hasher.finalize()),
        ))
    }
}

impl Write for DumpFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(w) => w.write(buf),
            Self::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(w) => w.flush(),
            Self::Gzip(w) => w.flush(),
        }
    }
}

/// A `DumpFile` written on the blocking pool, so that hashing, compressing
/// and writing overlap the next fetch from the server. Chunks go over an
/// async channel: a full queue holds the sender back with `send().await`,
/// never by blocking an async worker (which, on two cores, would stall
/// requests and the lock's renewal).
pub struct Pipelined {
    sender: ChunkSender,
    worker: tokio::task::JoinHandle<io::Result<(u64, String)>>,
}

/// Where the bytes of a file being written go, a chunk at a time.
pub type ChunkSender = tokio::sync::mpsc::Sender<Vec<u8>>;

impl Pipelined {
    pub fn new(mut file: DumpFile) -> Self {
        let (sender, mut chunks) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        let worker = tokio::task::spawn_blocking(move || {
            while let Some(chunk) = chunks.blocking_recv() {
                file.write_all(&chunk)?;
            }
            file.finish()
        });
        Self { sender, worker }
    }

    /// The channel to send chunks into.
    pub fn sink(&self) -> &ChunkSender {
        &self.sender
    }

    /// Sends `bytes` to be written.
    pub async fn send(&self, bytes: Vec<u8>) -> io::Result<()> {
        self.sender
            .send(bytes)
            .await
            // The writer stopped; `finish` reports why.
            .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))
    }

    /// Waits for every byte to reach the disk; returns the file's size and SHA-256.
    pub async fn finish(self) -> io::Result<(u64, String)> {
        let Self { sender, worker } = self;
        drop(sender);
        worker
            .await
            .map_err(|_| io::Error::other("the writer thread panicked"))?
    }
}

/// Opens a dump file for reading, gunzipping a `.gz` one.
pub fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let file = BufReader::with_capacity(1 << 20, File::open(path)?);
    let gzip = path.to_string_lossy().ends_with(GZ);
    Ok(if gzip {
        Box::new(GzDecoder::new(file))
    } else {
        Box::new(file)
    })
}

/// The file's size and SHA-256.
pub fn hash(path: &Path) -> io::Result<(u64, String)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = io::copy(&mut file, &mut hasher)?;
    Ok((bytes, crate::ops::digest::hex(&hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_mongodump_and_parse_back() {
        assert_eq!(file_name("tasks", BSON, true), "tasks.bson.gz");
        assert_eq!(parse_name("tasks.bson.gz"), Some(("tasks", BSON, true)));
        assert_eq!(
            parse_name("a.b.metadata.json"),
            Some(("a.b", METADATA, false))
        );
        assert_eq!(parse_name("prelude.json"), None);
        assert_eq!(parse_name(".bson"), None);
    }

    #[tokio::test]
    async fn a_gzip_file_hashes_its_compressed_bytes_and_reads_back_plain() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("x.bson.gz");
        let mut file = DumpFile::create(&path, true).expect("create");
        file.write_all(b"hello dump").expect("write");
        let (bytes, sha) = file.finish().expect("finish");
        assert_eq!(hash(&path).expect("hash"), (bytes, sha));
        let mut plain = Vec::new();
        open(&path)
            .expect("open")
            .read_to_end(&mut plain)
            .expect("read");
        assert_eq!(plain, b"hello dump");
        assert!(DumpFile::create(&path, true).is_err(), "never overwrites");

        let path = dir.path().join("big.bson");
        let file = Pipelined::new(DumpFile::create(&path, false).expect("create"));
        let block = vec![7_u8; 300_000];
        for _ in 0..10 {
            file.send(block.clone()).await.expect("write");
        }
        let (bytes, sha) = file.finish().await.expect("finish");
        assert_eq!(bytes, 3_000_000);
        assert_eq!(hash(&path).expect("hash"), (bytes, sha));
    }
}
