//! Server functions: each checks the caller's role in one line, calls the
//! domain, and maps the error to `AppError`. The logic lives in `ops` and
//! `auth`; `edge` holds what they share.

mod audit;
mod backups;
mod checklist;
mod dedupe;
mod deployment_report;
#[cfg(feature = "ssr")]
mod edge;
mod forest_api;
mod health;
mod monitor;
mod notifications;
mod prisma;
mod rehearsal;
mod reports;
mod runbook;
mod session;
mod settings;
mod status;
mod users;

pub use audit::{ListAudit, list_audit};
pub use backups::{
    BackupProgress, CancelBackup, DeleteBackup, ImportBackup, ListBackups, StartBackup,
    StartRestore, VerifyBackup, backup_progress, cancel_backup, delete_backup, import_backup,
    list_backups, start_backup, start_restore, verify_backup,
};
pub use checklist::{
    AcknowledgeItem, GetChecklist, SetChecklistItem, acknowledge_item, get_checklist,
    set_checklist_item,
};
pub use dedupe::{
    ApplyDedupe, PLAN_PAGE, PlanDedupe, UndoDedupe, apply_dedupe, plan_dedupe, undo_dedupe,
};
pub use deployment_report::{GetDeploymentReport, get_deployment_report};
pub use forest_api::{
    ForestApiOverview, ForestLogs, ForestPool, ProbeNow, forest_api_overview, forest_logs,
    forest_pool, probe_now,
};
pub use health::{GetHealth, get_health};
pub use monitor::{
    ClearThreshold, GetMonitor, GetMonitorHistory, SetThreshold, clear_threshold, get_monitor,
    get_monitor_history, set_threshold,
};
pub use notifications::{
    GetNotifications, SendTestNotification, get_notifications, send_test_notification,
};
pub use prisma::{PrismaCheck, prisma_check};
pub use rehearsal::{GetRehearsal, RunRehearse, get_rehearsal, run_rehearse};
pub use reports::{GetDevices, GetDuplicates, PAGE_SIZE, get_devices, get_duplicates};
pub use runbook::{
    CancelRun, DryRun, GetRunbook, RunMigrate, RunRevert, RunVerify, cancel_run, dry_run,
    get_runbook, run_migrate, run_revert, run_verify,
};
pub use session::{Login, Logout, WhoAmI, login, logout, who_am_i};
pub use settings::{
    ApproveRequest, GetSettings, ListApprovals, SetFourEyes, approve_request, get_settings,
    list_approvals, set_four_eyes,
};
pub use status::{GetStatus, get_status};
pub use users::{
    CreateUser, ListUsers, ResetUserPassword, SetUserDisabled, SetUserRole, create_user,
    list_users, reset_user_password, set_user_disabled, set_user_role,
};

/// Applies one admin change to an account, audited under its own action.
#[cfg(feature = "ssr")]
async fn users_change(
    username: String,
    change: crate::auth::AccountChange,
) -> Result<(), crate::model::AppError> {
    let actor =
        edge::require_actor(crate::model::Role::Admin, crate::model::Action::UserChange).await?;
    crate::auth::change_account(&edge::state()?.db, &actor, &username, change)
        .await
        .map_err(edge::respond)
}

/// The change watcher's announcements so far, for the page being rendered
/// (its live refresh compares it with the stream's greeting); 0 when the
/// state is missing, which only makes the page read again once.
#[cfg(feature = "ssr")]
pub fn announced_version() -> u64 {
    edge::state().map_or(0, |state| state.changes.version())
}
