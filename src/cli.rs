//! The command line: what it accepts (`args`, parsing only; `main`
//! dispatches), the migration steps and backups with their progress
//! (`steps`), and the duplicate, device and deployment reports (`reports`).

mod args;
pub mod reports;
pub mod steps;

pub use args::{
    BackupArgs, BackupCommand, ChecklistArgs, ChecklistCommand, Cli, Command, DedupeArgs,
    DedupeCommand, DemoDataArgs, JsonArgs, MigrateArgs, PrismaCheckArgs, PrismaCommand, ProbeArgs,
    ReportArgs, RestoreArgs, RevertArgs, StepArgs, UserCommand,
};
