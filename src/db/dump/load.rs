//! The database side of a restore, one collection at a time, in
//! mongorestore's order: drop, create with its options, insert the
//! documents in unordered batches, then build the indexes.

use super::export::PROGRESS_EVERY;
use super::{DocumentReader, DumpError, Metadata};
use crate::db::error::codes;
use crate::db::names::{Collection, is_reserved_collection};
use crate::db::{Database, DbError};
use mongodb::bson::{Document, RawDocumentBuf, doc};
use std::io::Read;

/// Bytes of documents sent in one `insert_many`.
const BATCH_BYTES: usize = 16 * 1024 * 1024;

impl Database {
    /// Drops the collection `name`; a missing one is not an error.
    pub async fn drop_collection_named(&self, name: &str) -> Result<(), DbError> {
        match self
            .handle()
            .collection::<Document>(name)
            .drop()
            .await
            .map_err(DbError::from)
        {
            Err(error) if error.code() != Some(codes::NAMESPACE_NOT_FOUND) => Err(error),
            _ => Ok(()),
        }
    }

    /// Makes an empty trial collection with each collection's options and
    /// index specs, then drops it: a spec the server refuses stops the
    /// restore here, before its first drop, with nothing of the Forest
    /// data changed.
    pub async fn try_metadata(&self, metadata: &[Metadata]) -> Result<(), DumpError> {
        let trial = Collection::RestoreTrial.name();
        for each in metadata {
            self.drop_collection_named(trial).await?;
            let tried = async {
                self.handle()
                    .run_command(each.options().create_command(trial))
                    .await?;
                let specs = each.index_specs();
                if !specs.is_empty() && !each.is_view() {
                    self.handle()
                        .run_command(doc! { "createIndexes": trial, "indexes": specs })
                        .await?;
                }
                Ok::<_, DbError>(())
            }
            .await;
            self.drop_collection_named(trial).await?;
            tried.map_err(|error| DumpError::Refused {
                collection: each.name().to_owned(),
                reason: error.to_string(),
            })?;
        }
        Ok(())
    }

    pub async fn count_named(&self, name: &str) -> Result<u64, DbError> {
        Ok(self
            .handle()
            .collection::<Document>(name)
            .count_documents(doc! {})
            .await?)
    }

    /// Replaces collection `metadata.name()` with the dump's: its options,
    /// the documents `documents` yields (none for a view), then its indexes.
    /// The file is read on a blocking thread, a batch ahead of the inserts.
    /// `progress(documents, bytes)` stops the load by answering `false`.
    /// Returns the documents inserted and their bytes.
    pub async fn load_collection<R: Read + Send + 'static>(
        &self,
        metadata: &Metadata,
        documents: DocumentReader<R>,
        progress: &mut (dyn FnMut(u64, u64) -> bool + Send),
    ) -> Result<(u64, u64), DumpError> {
        // The restore refuses such a backup first; this keeps the promise
        // whatever its caller checked.
        if is_reserved_collection(metadata.name()) {
            return Err(DumpError::Reserved(metadata.name().to_owned()));
        }
        self.drop_collection_named(metadata.name()).await?;
        self.handle().run_command(metadata.create_command()).await?;
        let collection = self
            .bulk_handle()
            .collection::<RawDocumentBuf>(metadata.name());
        let (sender, mut batches) = tokio::sync::mpsc::channel(2);
        let reader = tokio::task::spawn_blocking(move || read_batches(documents, &sender));
        let (mut inserted, mut bytes) = (0_u64, 0_u64);
        while let Some((batch, batch_bytes)) = batches.recv().await {
            let sent = batch.len() as u64;
            collection.insert_many(batch).ordered(false).await?;
            inserted += sent;
            bytes += batch_bytes;
            if !progress(inserted, bytes) {
                return Err(DumpError::Cancelled);
            }
        }
        reader.await.map_err(|e| DumpError::Io {
            file: metadata.name().to_owned(),
            source: std::io::Error::other(e),
        })??;
        let specs = metadata.index_specs();
        if !specs.is_empty() && !metadata.is_view() {
            self.handle()
                .run_command(doc! { "createIndexes": metadata.name(), "indexes": specs })
                .await?;
        }
        Ok((inserted, bytes))
    }
}

type Batch = (Vec<RawDocumentBuf>, u64);

/// Sends the documents in batches of at most `BATCH_BYTES`; stops early
/// when the receiver has gone (the load failed).
fn read_batches<R: Read>(
    mut documents: DocumentReader<R>,
    sender: &tokio::sync::mpsc::Sender<Batch>,
) -> Result<(), DumpError> {
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    loop {
        let next = documents.next_raw()?;
        let full = batch_bytes >= BATCH_BYTES || batch.len() as u64 >= PROGRESS_EVERY * 10;
        if (next.is_none() || full) && !batch.is_empty() {
            let ready = (std::mem::take(&mut batch), batch_bytes as u64);
            if sender.blocking_send(ready).is_err() {
                return Ok(());
            }
            batch_bytes = 0;
        }
        let Some(document) = next else {
            return Ok(());
        };
        batch_bytes += document.as_bytes().len();
        batch.push(document);
    }
}
