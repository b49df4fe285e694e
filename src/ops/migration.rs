//! The migrations this runbook carries, declared as data, and the steps
//! that interpret any declaration: plan (dry run), migrate, verify, revert.
//! Adding a Phase 1 means adding a declaration, not control flow.

mod declaration;
pub mod deployment;
mod guard;
pub mod lease;
mod overview;
mod plan;
mod progress;
mod revert;
pub(crate) mod run;
pub(crate) mod started;
mod verify;

pub use declaration::{Change, MIGRATIONS, Migration, PHASE_0, current, find};
pub use guard::migrate_checked;
pub use overview::overview;
pub use plan::{dry_run, plan, state};
pub use progress::progress;
pub use revert::revert;
pub use run::{cancel, migrate};
pub use started::answer_when_started;
pub use verify::verify;
