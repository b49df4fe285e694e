//! The only module that imports `mongodb`: connecting (to a URI or to the
//! embedded server), the collections and their document shapes, and the
//! demo data, and the monitoring sources (serverStatus, the driver's pool
//! and command events, sync counts). Everything above it sees `Database` and plain Rust types.

mod accounts;
mod api_probes;
mod approvals;
mod audit;
mod changelog;
mod checklist;
mod clock;
mod connection;
mod counted;
mod current_op;
pub mod dedupe;
mod demo_data;
mod devices;
mod driver_events;
pub mod dump;
mod duplicates;
mod embedded;
mod error;
mod fingerprint;
mod jobs;
mod lock;
mod log_minutes;
mod marks;
mod monitor_history;
mod names;
mod notifications;
mod numbers;
mod plans;
mod rehearsals;
mod schema;
mod server_status;
mod sessions;
mod sign_in_limits;
mod sync_activity;
mod thresholds;

pub use accounts::{Account, AccountField};
pub use checklist::TickBy;
pub use clock::{age_of, now_rfc3339};
pub use connection::{Database, OpenedDatabase, open};
pub use counted::{DuplicateCount, Recount};
pub use demo_data::{DemoDataSpec, DemoDataSummary, DuplicateShape};
pub use driver_events::{CommandTotals, DriverTally, PoolCounts};
pub use embedded::{EmbeddedError, EmbeddedServer};
pub use error::{DbError, codes};
pub use fingerprint::Fingerprint;
pub use jobs::StoredJob;
pub use monitor_history::{MonitorPeriod, Tally};
pub use names::{APP_PREFIX, COLLECTIONS, Collection, is_app_collection, is_reserved_collection};
pub use rehearsals::Started;
pub use schema::{IndexInfo, IndexSpec, KeyDirection, KeyField, ServerShape};
pub use server_status::{Connections, LatencyTotals, OpCounters, OpLatencies, ServerStatus};
pub use sign_in_limits::{Admission, Backoff};
pub use sync_activity::SyncCounts;
