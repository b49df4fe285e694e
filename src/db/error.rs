//! `DbError`: what went wrong talking to MongoDB, with the server's error
//! code kept so that callers can tell a duplicate key from an outage.

use super::Collection;
use mongodb::bson::{DateTime, Document};
use mongodb::error::{Error as DriverError, ErrorKind, WriteFailure};
use serde::de::DeserializeOwned;

/// MongoDB error codes the app reacts to (`src/mongo/base/error_codes.yml`).
pub mod codes {
    pub const DUPLICATE_KEY: i32 = 11_000;
    /// An index of that name exists with other options.
    pub const INDEX_OPTIONS_CONFLICT: i32 = 85;
    /// An index of that name exists on other keys.
    pub const INDEX_KEY_SPECS_CONFLICT: i32 = 86;
    pub const NAMESPACE_NOT_FOUND: i32 = 26;
    pub const INDEX_NOT_FOUND: i32 = 27;
    pub const NAMESPACE_EXISTS: i32 = 48;
    pub const MAX_TIME_MS_EXPIRED: i32 = 50;
    pub const UNAUTHORIZED: i32 = 13;
    pub const COMMAND_NOT_FOUND: i32 = 59;
}

/// `result` with a duplicate key taken as done: the document the write
/// would have made exists already, made by a parallel writer.
pub(super) fn made_already<T>(result: Result<T, DbError>) -> Result<(), DbError> {
    match result {
        Err(error) if error.code() != Some(codes::DUPLICATE_KEY) => Err(error),
        _ => Ok(()),
    }
}

/// A stored date as RFC 3339; empty when absent or out of range.
pub(super) fn rfc3339(at: Option<&DateTime>) -> String {
    at.and_then(|at| at.try_to_rfc3339_string().ok())
        .unwrap_or_default()
}

/// A missing name or word as the pages show it (`serde(default)`).
pub(super) fn unknown() -> String {
    "?".to_owned()
}

/// A stored record of `collection` read as its document type, every field
/// checked by its type: one of another shape is refused by name, never
/// half read.
pub(super) fn stored<T: DeserializeOwned>(
    collection: Collection,
    document: Document,
) -> Result<T, DbError> {
    mongodb::bson::from_document(document).map_err(DbError::shape_of(collection))
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
    #[error("MongoDB error {code} ({code_name}): {message}")]
    Command {
        code: i32,
        code_name: String,
        message: String,
    },
    #[error("invalid MongoDB connection string: {0}")]
    InvalidUri(String),
    #[error(
        "collection {collection} already holds {count} documents; \
         demo data is only written to empty collections (pass --replace to drop them first)"
    )]
    NotEmpty {
        collection: &'static str,
        count: u64,
    },
    #[error("unexpected document in {collection}: {reason}")]
    Shape {
        collection: &'static str,
        reason: String,
    },
    #[error("the embedded database server failed: {0}")]
    Embedded(#[from] super::EmbeddedError),
    #[error(transparent)]
    Driver(DriverError),
}

impl DbError {
    /// A document of `collection` that does not have the shape the app wrote.
    pub(super) fn shape(collection: Collection, reason: impl ToString) -> Self {
        Self::Shape {
            collection: collection.name(),
            reason: reason.to_string(),
        }
    }

    /// `shape` for `map_err`: `.map_err(DbError::shape_of(Collection::Audit))`.
    pub(super) fn shape_of<E: ToString>(collection: Collection) -> impl Fn(E) -> Self {
        move |reason| Self::shape(collection, reason)
    }

    /// True for a record of `collection` refused for its shape.
    #[cfg(test)]
    pub(super) fn is_shape_of(&self, collection: Collection) -> bool {
        matches!(self, Self::Shape { collection: name, .. } if *name == collection.name())
    }

    /// The MongoDB error code, when the server sent one.
    pub fn code(&self) -> Option<i32> {
        match self {
            Self::Command { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The database user lacks a role the command needs.
    pub fn is_unauthorized(&self) -> bool {
        self.code() == Some(codes::UNAUTHORIZED)
    }

    /// The server does not know the command.
    pub fn is_unsupported(&self) -> bool {
        self.code() == Some(codes::COMMAND_NOT_FOUND)
    }

    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable(_) | Self::Embedded(_))
    }
}

impl From<DriverError> for DbError {
    fn from(error: DriverError) -> Self {
        match *error.kind {
            ErrorKind::ServerSelection { ref message, .. } => Self::Unreachable(message.clone()),
            ErrorKind::Command(ref command) => Self::Command {
                code: command.code,
                code_name: command.code_name.clone(),
                message: command.message.clone(),
            },
            // A single write's refusal (a duplicate key, say) carries its
            // code the same way a command's does.
            ErrorKind::Write(WriteFailure::WriteError(ref write)) => Self::Command {
                code: write.code,
                code_name: write.code_name.clone().unwrap_or_default(),
                message: write.message.clone(),
            },
            _ => Self::Driver(error),
        }
    }
}
