//! The domain: what the runbook does, in the users' words. Knows nothing of
//! HTTP, Leptos or the MongoDB driver; talks to the database through `db`.

pub mod audit;
pub mod backup;
pub mod digest;
mod error;
pub mod four_eyes;
pub mod health;
pub mod migration;

pub use error::OpsError;
