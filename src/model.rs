//! Plain serde types shared by the server and the browser: what the pages
//! show and what the JSON endpoints answer. No behaviour beyond formatting.

mod approval;
mod audit;
mod auth;
mod backup;
mod error;
mod health;
mod migration;

pub use approval::{AppSettings, Approval};
pub use audit::{AuditEntry, AuditFilter, Outcome};
pub use auth::{CurrentUser, Role, UserSummary};
pub use backup::{
    BackupCollection, BackupFile, BackupState, CollectionProgress, JobKind, JobProgress, JobState,
    Manifest, MigrationAtBackup, RestoreReport,
};
pub use error::AppError;
pub use health::{DatabaseHealth, HealthReport, HealthStatus, MigrationHealth, MigrationState};
pub use migration::{
    ChangeOutcome, ChangeResult, ChangeStatus, DuplicateSummary, LockHolder, Plan, PlannedChange,
    RunRecord, RunbookOverview, Verification, VerifyCheck,
};
