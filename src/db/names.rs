//! Collection names of the Forest database and of the app's own records,
//! each written once.

/// A collection the app reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Users,
    Tasks,
    FocusSessions,
    Devices,
    /// The app's record of migration runs.
    Changelog,
    /// The app's own accounts (not the Forest `users`).
    Accounts,
    Sessions,
    Audit,
    Settings,
    Approvals,
    /// Results of probing the Forest API.
    ApiProbes,
    /// The migration lock document.
    Locks,
    Verifications,
    /// Deployment-checklist ticks, one document per migration and item.
    Checklist,
    /// The monitor's thresholds, one per series.
    Thresholds,
    /// An empty collection a restore makes and drops again to try a
    /// backup's options and index specs on the server before its first drop.
    RestoreTrial,
    /// Error lines of the Forest server's logs per minute, kept across
    /// restarts of the app.
    LogMinutes,
    /// The sign-in limiter's counts, one document per account and address
    /// pair and per address.
    SignInLimits,
    /// Backup and restore jobs and their progress, one document per job.
    Jobs,
    /// Rehearsals of the migration on a scratch copy, with their steps.
    Rehearsals,
    /// Each webhook delivery of a notice: attempts, status, last error.
    Notifications,
    /// The latest dry run of each migration, one document per migration.
    Plans,
    /// The monitor's samples, one document per minute, kept for
    /// `monitor.history_days` by a TTL index.
    MonitorHistory,
}

/// Prefix of the app's own collections: backups leave them out, and a
/// restore never drops them (that would rewind the audit log and the lock).
pub const APP_PREFIX: &str = "runbook_";

/// True for a collection the app keeps its own records in.
pub fn is_app_collection(name: &str) -> bool {
    name.starts_with(APP_PREFIX)
}

/// True for a collection no backup may hold and no restore may touch: the
/// app's own records and the server's `system.*` collections.
pub fn is_reserved_collection(name: &str) -> bool {
    is_app_collection(name) || name.starts_with("system.")
}

/// The Forest collections that exist before Phase 0.
pub const COLLECTIONS: [Collection; 3] = [
    Collection::Users,
    Collection::Tasks,
    Collection::FocusSessions,
];

impl Collection {
    /// True for the app's own records, as opposed to the Forest collections.
    pub fn is_app_record(self) -> bool {
        is_app_collection(self.name())
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Users => "users",
            Self::Tasks => "tasks",
            Self::FocusSessions => "focus_sessions",
            Self::Devices => "devices",
            Self::Changelog => "runbook_changelog",
            Self::Accounts => "runbook_accounts",
            Self::Sessions => "runbook_sessions",
            Self::Audit => "runbook_audit",
            Self::Settings => "runbook_settings",
            Self::Approvals => "runbook_approvals",
            Self::ApiProbes => "runbook_api_probes",
            Self::Locks => "runbook_locks",
            Self::Verifications => "runbook_verifications",
            Self::Checklist => "runbook_checklist",
            Self::Thresholds => "runbook_thresholds",
            Self::RestoreTrial => "runbook_restore_trial",
            Self::LogMinutes => "runbook_log_minutes",
            Self::SignInLimits => "runbook_sign_in_limits",
            Self::Jobs => "runbook_jobs",
            Self::Rehearsals => "runbook_rehearsals",
            Self::Notifications => "runbook_notifications",
            Self::MonitorHistory => "runbook_monitor_history",
            Self::Plans => "runbook_plans",
        }
    }
}
