//! mongodump's formats, and the database side of a dump and a restore:
//! a `.bson` file is BSON documents back to back; `metadata.json` is
//! canonical Extended JSON v2 with the collection's options and indexes.
//! Files, their layout, gzip and checksums belong to `ops::backup`; this
//! module reads and writes bytes through `Read`/`Write`.

mod export;
mod index_spec;
mod load;
mod metadata;
mod notices;
mod options;
mod stream;
mod values;

pub use metadata::{MAX_METADATA_BYTES, Metadata};
pub use stream::{DocumentReader, MAX_DOCUMENT_BYTES};

use super::DbError;

#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("{file}: cannot read or write it: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: truncated: the document at byte {offset} ends early")]
    Truncated { file: String, offset: u64 },
    #[error(
        "{file}: the document at byte {offset} claims a length of {length} bytes, \
         which no BSON document has"
    )]
    BadLength {
        file: String,
        offset: u64,
        length: i64,
    },
    #[error("{file}: the document at byte {offset} is not valid BSON: {reason}")]
    BadDocument {
        file: String,
        offset: u64,
        reason: String,
    },
    #[error("{file}: invalid metadata: {reason}")]
    BadMetadata { file: String, reason: String },
    #[error("{file}: more than {limit} bytes once inflated; refused unread")]
    TooLarge { file: String, limit: u64 },
    #[error(
        "{0}: the app's own records (runbook_*) or the server's (system.*); \
         no backup may hold it and no restore touches it"
    )]
    Reserved(String),
    #[error("the server refuses the options or indexes of {collection}: {reason}")]
    Refused { collection: String, reason: String },
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<mongodb::error::Error> for DumpError {
    fn from(error: mongodb::error::Error) -> Self {
        Self::Database(error.into())
    }
}
