//! The only module that imports `mongodb`: connecting (to a URI or to the
//! embedded server), the collections and their document shapes, and the
//! demo data. Everything above it sees `Database` and plain Rust types.

mod accounts;
mod approvals;
mod audit;
mod changelog;
mod clock;
mod connection;
mod demo_data;
pub mod dump;
mod duplicates;
mod embedded;
mod error;
mod lock;
mod names;
mod schema;

pub use accounts::{Account, AccountChange};
pub use clock::{age_of, now_rfc3339};
pub use connection::{Database, OpenedDatabase, open};
pub use demo_data::{DemoDataSpec, DemoDataSummary, DuplicateShape};
pub use embedded::{EmbeddedError, EmbeddedServer};
pub use error::DbError;
pub use names::{APP_PREFIX, COLLECTIONS, Collection, is_app_collection};
pub use schema::{IndexInfo, IndexSpec, ServerShape};
