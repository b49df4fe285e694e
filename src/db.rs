//! The only module that imports `mongodb`: connecting (to a URI or to the
//! embedded server), the collections and their document shapes, and the
//! demo data. Everything above it sees `Database` and plain Rust types.

mod accounts;
mod approvals;
mod audit;
mod connection;
mod demo_data;
mod embedded;
mod error;
mod names;

pub use accounts::{Account, AccountChange};
pub use connection::{Database, OpenedDatabase, open};
pub use demo_data::{DemoDataSpec, DemoDataSummary, DuplicateShape};
pub use embedded::{EmbeddedError, EmbeddedServer};
pub use error::DbError;
pub use names::{COLLECTIONS, Collection};
