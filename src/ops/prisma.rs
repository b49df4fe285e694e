//! Prisma and the runbook: read the Forest server's schema.prisma with a
//! real grammar, compare it with the database and the migration, predict
//! what `prisma db push` would do, and write the schema edit that makes
//! them agree.

mod check;
mod declared;
mod edit;
mod push;
mod source;
pub mod syntax;

pub use check::{agreement, check};
pub use declared::{DeclaredIndex, IndexKind, KeyPart};
pub use source::{PrismaSource, SourceError};
pub use syntax::{MAX_SCHEMA_BYTES, Schema, SyntaxError, parse};
