//! The domain: what the runbook does, in the users' words. Knows nothing of
//! HTTP, Leptos or the MongoDB driver; talks to the database through `db`.

pub mod audit;
pub mod backup;
pub mod checklist;
mod coalesced;
mod confirmation;
mod csv_export;
pub mod dedupe;
pub mod devices;
pub mod digest;
pub mod duplicates;
mod error;
pub mod forest_api;
pub mod four_eyes;
pub mod health;
pub mod history;
pub mod migration;
pub mod notices;
pub mod prisma;
pub mod rehearsal;
pub mod report;
pub mod status;
pub mod thresholds;

pub use coalesced::Coalesced;
pub use confirmation::confirm_database;
pub use error::OpsError;
