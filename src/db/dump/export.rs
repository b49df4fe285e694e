//! The database side of a dump: which collections a backup holds, their
//! metadata as the server reports it, and their documents as raw bytes.

use super::{DumpError, Metadata};
use crate::db::names::is_reserved_collection;
use crate::db::numbers::as_count;
use crate::db::{Database, DbError};
use mongodb::bson::spec::BinarySubtype;
use mongodb::bson::{Bson, Document, RawDocumentBuf, doc};
use std::io::ErrorKind;

/// How often (in documents) a dump or a restore reports progress and
/// checks whether it was cancelled.
pub(super) const PROGRESS_EVERY: u64 = 1_000;

/// Bytes of documents gathered before they go to the file's writer.
const CHUNK_BYTES: usize = 1 << 20;

impl Database {
    /// Every collection of the database but `system.*` and the app's own
    /// records, with its metadata, by name. Each collection's indexes are
    /// asked for at once; nothing is counted (a server may count by
    /// scanning, which costs as much as reading the collection).
    pub async fn dump_sources(&self) -> Result<Vec<Metadata>, DumpError> {
        let mut cursor = self
            .handle()
            .list_collections()
            .await?
            .with_type::<Document>();
        let mut listed = Vec::new();
        while cursor.advance().await? {
            let info = cursor.deserialize_current()?;
            let name = info.get_str("name").unwrap_or_default().to_owned();
            if name.is_empty() || is_reserved_collection(&name) {
                continue;
            }
            listed.push((name, info));
        }
        let mut sources = futures_util::future::try_join_all(
            listed
                .into_iter()
                .map(|(name, info)| self.dump_source(name, info)),
        )
        .await?;
        sources.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(sources)
    }

    /// One listed collection, `info` its entry in `listCollections`.
    async fn dump_source(&self, name: String, info: Document) -> Result<Metadata, DumpError> {
        let kind = info.get_str("type").unwrap_or("collection").to_owned();
        let options = info.get_document("options").cloned().unwrap_or_default();
        let uuid = match info.get_document("info").ok().and_then(|i| i.get("uuid")) {
            Some(Bson::Binary(binary)) if binary.subtype == BinarySubtype::Uuid => {
                uuid::Uuid::from_slice(&binary.bytes)
                    .ok()
                    .map(|uuid| uuid.simple().to_string())
            }
            _ => None,
        };
        let indexes = if kind == "view" {
            Vec::new()
        } else {
            self.index_documents(&name).await?
        };
        Metadata::from_server(name, kind, &options, &indexes, uuid)
    }

    /// The server's estimate of the documents `name` holds (which a server
    /// may make by scanning it).
    pub async fn estimated_documents(&self, name: &str) -> Result<u64, DbError> {
        Ok(self
            .handle()
            .collection::<Document>(name)
            .estimated_document_count()
            .await?)
    }

    async fn index_documents(&self, name: &str) -> Result<Vec<Document>, DbError> {
        let mut cursor = self
            .handle()
            .collection::<Document>(name)
            .list_indexes()
            .await?
            .with_type::<Document>();
        let mut indexes = Vec::new();
        while cursor.advance().await? {
            indexes.push(cursor.deserialize_current()?);
        }
        Ok(indexes)
    }

    /// Bytes of BSON the database's documents take, from `dbStats`: what a
    /// plain dump will write, give or take the metadata.
    pub async fn data_size(&self) -> Result<u64, DbError> {
        let stats = self.handle().run_command(doc! { "dbStats": 1 }).await?;
        Ok(as_count(stats.get("dataSize")))
    }

    /// Sends every document of `name` to `sink`, back to back as the
    /// server stores them, in chunks; `send().await` waits while the
    /// writer is behind. `progress(documents, bytes)` is told every
    /// `PROGRESS_EVERY` documents and every chunk, and stops the dump by
    /// answering `false`. Returns (documents, bytes).
    pub async fn export_collection(
        &self,
        name: &str,
        sink: &tokio::sync::mpsc::Sender<Vec<u8>>,
        file: &str,
        progress: &mut (dyn FnMut(u64, u64) -> bool + Send),
    ) -> Result<(u64, u64), DumpError> {
        let mut cursor = self
            .bulk_handle()
            .collection::<RawDocumentBuf>(name)
            .find(doc! {})
            .await?;
        let (mut documents, mut bytes) = (0_u64, 0_u64);
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        let send = |chunk: Vec<u8>| async move {
            sink.send(chunk).await.map_err(|_| DumpError::Io {
                file: file.to_owned(),
                source: ErrorKind::BrokenPipe.into(),
            })
        };
        while cursor.advance().await? {
            let raw = cursor.current().as_bytes();
            chunk.extend_from_slice(raw);
            documents += 1;
            bytes += raw.len() as u64;
            let full = chunk.len() >= CHUNK_BYTES;
            if full {
                send(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(CHUNK_BYTES),
                ))
                .await?;
            }
            // Large documents fill a chunk before a thousand of them pass.
            if (full || documents % PROGRESS_EVERY == 0) && !progress(documents, bytes) {
                return Err(DumpError::Cancelled);
            }
        }
        if !chunk.is_empty() {
            send(chunk).await?;
        }
        progress(documents, bytes);
        Ok((documents, bytes))
    }
}
