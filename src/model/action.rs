//! Every action the audit log records, one name each: the name a refusal
//! is recorded under is the name of what was refused, so filtering the
//! Audit page by an action shows its refusals too. Stored as its name.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Action {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The action stored under `name`, if any.
            pub fn parse(name: &str) -> Option<Action> {
                Action::ALL.iter().copied().find(|action| action.as_str() == name)
            }

            /// The name stored in the audit log and shown to people.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }
        }
    };
}

actions! {
    Login => "login",
    Logout => "logout",
    AuditList => "audit.list",
    StatusRead => "status.read",
    SettingsRead => "settings.read",
    SettingsFourEyes => "settings.four_eyes",
    /// Turning four-eyes off, as a request a second admin approves.
    SettingsFourEyesOff => "settings.four_eyes_off",
    ApprovalList => "approval.list",
    ApprovalRequest => "approval.request",
    ApprovalApprove => "approval.approve",
    /// An approved request carried out.
    ApprovalUse => "approval.use",
    NotifyRead => "notify.read",
    NotifyTest => "notify.test",
    MonitorRead => "monitor.read",
    MonitorThresholdSet => "monitor.threshold.set",
    MonitorThresholdClear => "monitor.threshold.clear",
    /// A threshold newly breached, recorded by the app's sampler.
    MonitorBreach => "monitor.breach",
    ForestApiRead => "forest_api.read",
    ForestApiProbe => "forest_api.probe",
    ForestLogsRead => "forest_logs.read",
    PrismaRead => "prisma.read",
    RunbookRead => "runbook.read",
    ReportRead => "report.read",
    StepPlan => "step.plan",
    StepMigrate => "step.migrate",
    /// Migrate without a backup of this deployment, by an admin's reason.
    StepMigrateWithoutBackup => "step.migrate.without_backup",
    StepVerify => "step.verify",
    StepRevert => "step.revert",
    StepRestore => "step.restore",
    StepRehearse => "step.rehearse",
    /// Asking a running run to stop at its next safe point.
    StepCancel => "step.cancel",
    RehearseRead => "rehearse.read",
    RehearseStart => "rehearse.start",
    /// Revert, as a request a second admin approves.
    RollbackRevert => "rollback.revert",
    /// Restore, as a request a second admin approves.
    RollbackRestore => "rollback.restore",
    ChecklistRead => "checklist.read",
    ChecklistTick => "checklist.tick",
    ChecklistUntick => "checklist.untick",
    ChecklistAck => "checklist.ack",
    DuplicatesRead => "duplicates.read",
    DedupePlan => "dedupe.plan",
    DedupeApply => "dedupe.apply",
    DedupeUndo => "dedupe.undo",
    DevicesRead => "devices.read",
    BackupList => "backup.list",
    BackupProgress => "backup.progress",
    /// Starting a backup job; the job itself is `BackupCreate`.
    BackupStart => "backup.start",
    BackupCreate => "backup.create",
    BackupCancel => "backup.cancel",
    BackupVerify => "backup.verify",
    BackupDelete => "backup.delete",
    BackupImport => "backup.import",
    /// Starting a restore job; the job itself is `StepRestore`.
    RestoreStart => "restore.start",
    UserList => "user.list",
    UserCreate => "user.create",
    /// Creating an admin account, as a request a second admin approves.
    UserCreateAdmin => "user.create_admin",
    /// Any change to an account, checked before it is known which.
    UserChange => "user.change",
    UserRole => "user.role",
    /// Making an account an admin, as a request a second admin approves.
    UserPromote => "user.promote",
    UserDisable => "user.disable",
    UserEnable => "user.enable",
    /// Enabling an admin account, as a request a second admin approves.
    UserEnableAdmin => "user.enable_admin",
    UserPasswordReset => "user.password_reset",
    /// Resetting an admin's password, as a request a second admin approves.
    UserPasswordResetAdmin => "user.password_reset_admin",
}

impl Action {
    /// The page that shows what this action did.
    pub fn page(self) -> &'static str {
        use Action as A;
        match self {
            A::StepPlan | A::StepMigrate | A::StepMigrateWithoutBackup | A::StepVerify => {
                "/runbook"
            }
            A::StepRevert | A::StepCancel | A::RollbackRevert | A::RunbookRead => "/runbook",
            A::StepRehearse | A::RehearseRead | A::RehearseStart => "/runbook#rehearsal",
            A::StepRestore | A::RollbackRestore | A::RestoreStart => "/backups",
            A::BackupList | A::BackupProgress | A::BackupStart | A::BackupCreate => "/backups",
            A::BackupCancel | A::BackupVerify | A::BackupDelete | A::BackupImport => "/backups",
            A::ChecklistRead | A::ChecklistTick | A::ChecklistUntick | A::ChecklistAck => {
                "/checklist"
            }
            A::DuplicatesRead | A::DedupePlan | A::DedupeApply | A::DedupeUndo => "/duplicates",
            A::DevicesRead => "/devices",
            A::MonitorRead | A::MonitorThresholdSet | A::MonitorThresholdClear => "/monitor",
            A::MonitorBreach => "/monitor",
            A::ForestApiRead | A::ForestApiProbe | A::ForestLogsRead => "/forest-api",
            A::PrismaRead => "/prisma",
            A::ReportRead => "/report",
            A::SettingsRead | A::SettingsFourEyes | A::SettingsFourEyesOff => "/settings",
            A::ApprovalList | A::ApprovalRequest | A::ApprovalApprove | A::ApprovalUse => {
                "/settings"
            }
            A::NotifyRead | A::NotifyTest => "/settings",
            A::UserList | A::UserCreate | A::UserCreateAdmin | A::UserChange | A::UserRole => {
                "/users"
            }
            A::UserPromote | A::UserDisable | A::UserEnable | A::UserEnableAdmin => "/users",
            A::UserPasswordReset | A::UserPasswordResetAdmin => "/users",
            A::Login | A::Logout | A::AuditList | A::StatusRead => "/audit",
        }
    }

    /// Reading or signing in: nothing changes, so a report of what
    /// happened leaves it out.
    pub fn only_reads(self) -> bool {
        use Action as A;
        matches!(
            self,
            A::Login
                | A::Logout
                | A::AuditList
                | A::StatusRead
                | A::SettingsRead
                | A::ApprovalList
                | A::NotifyRead
                | A::MonitorRead
                | A::ForestApiRead
                | A::ForestLogsRead
                | A::PrismaRead
                | A::RunbookRead
                | A::ReportRead
                | A::StepPlan
                | A::RehearseRead
                | A::ChecklistRead
                | A::DuplicatesRead
                | A::DedupePlan
                | A::DevicesRead
                | A::BackupList
                | A::BackupProgress
                | A::UserList
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name_and_serializes_as_it() {
        let mut names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len(), "one name per action");
        for action in Action::ALL {
            let json = serde_json::to_string(action).expect("serializes");
            assert_eq!(json, format!("\"{}\"", action.as_str()));
        }
    }
}
