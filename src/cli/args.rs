//! What the command line accepts: `serve` (the default) and the
//! runbook's other commands. Parsing only; `main` dispatches.

use crate::config::DEFAULT_FILE;
use crate::model::{KeepRule, Role};
use crate::ops::report::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "forest-runbook", version, about)]
pub struct Cli {
    /// Settings file (see Leptos.toml for every key).
    #[arg(long, global = true, env = "FOREST_CONFIG", default_value = DEFAULT_FILE)]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default).
    Serve,
    /// Write a pre-migration Forest demo database.
    DemoData(DemoDataArgs),
    /// Manage the app's accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Dry run: where each change stands, duplicates, the lock, the commands.
    Plan(StepArgs),
    /// Apply the migration under the lock (only with a verified backup of
    /// this deployment, unless `--without-backup REASON`).
    Migrate(MigrateArgs),
    /// Check that every change is in place and in use.
    Verify(StepArgs),
    /// Probe the Forest API once, store the results; fails when a probe fails.
    Probe(ProbeArgs),
    /// Drop what the migration created (rollback option 1).
    Revert(RevertArgs),
    /// Run the production sequence (restore the newest verified backup,
    /// clean the duplicates, migrate, verify, revert) on a scratch copy,
    /// then drop it (exit code 1 when a step fails).
    Rehearse(StepArgs),
    /// Duplicated values of each new unique key (exit code 1 when any).
    Duplicates(StepArgs),
    /// The deployment checklist: each item with its status and evidence
    /// (exit code 1 when one needs attention); tick or acknowledge an item.
    Checklist(ChecklistArgs),
    /// Clean the duplicates of each new unique key: a plan that changes
    /// nothing, `--apply` it, or `undo` a cleanup.
    Dedupe(DedupeArgs),
    /// Device registrations: total, by platform and app version, per day, active.
    Devices(JsonArgs),
    /// Dump every collection into the backups folder; or verify, delete or
    /// import one.
    Backup(BackupArgs),
    /// List the backups.
    Backups(JsonArgs),
    /// Restore a backup (rollback option 2).
    Restore(RestoreArgs),
    /// The Forest schema.prisma against the database and the migration.
    #[command(subcommand)]
    Prisma(PrismaCommand),
    /// The deployment report: every event since the rollback before this
    /// deployment, in time order, with links to its evidence.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// `html` (one file with its charts), `md` or `json`.
    #[arg(long, value_parser = parse_format, default_value = "md")]
    pub format: Format,
    /// Write it to this file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

fn parse_format(word: &str) -> Result<Format, String> {
    Format::parse(word).ok_or_else(|| "expected html, md or json".to_owned())
}

#[derive(Debug, Subcommand)]
pub enum PrismaCommand {
    /// What `prisma db push` would do to the migration's indexes, and the
    /// schema edit that keeps them (exit code 1 when they disagree).
    Check(PrismaCheckArgs),
}

#[derive(Debug, Args)]
pub struct PrismaCheckArgs {
    /// schema.prisma to read instead of the configured one ([forest] in Leptos.toml).
    #[arg(long)]
    pub schema: Option<PathBuf>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub action: Option<BackupCommand>,
    /// Write gzipped files (`.bson.gz`, `.metadata.json.gz`), as `mongodump --gzip`.
    #[arg(long)]
    pub gzip: bool,
    #[command(flatten)]
    pub output: JsonArgs,
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Re-read every file of a backup: sizes, checksums, every document, counts.
    Verify {
        name: String,
        #[command(flatten)]
        output: JsonArgs,
    },
    /// Delete a backup.
    Delete {
        name: String,
        #[command(flatten)]
        output: JsonArgs,
    },
    /// Register a folder written by `mongodump --out` as a backup (copied in).
    Import {
        path: PathBuf,
        #[command(flatten)]
        output: JsonArgs,
    },
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup's name, as `backups` lists it.
    pub backup: String,
    /// The database's name, typed to confirm.
    #[arg(long)]
    pub confirm: String,
    /// Apply the backup's options that can delete or hide data, or that
    /// differ from the live collections; without it the restore lists them
    /// and stops.
    #[arg(long)]
    pub accept_options: bool,
    #[command(flatten)]
    pub output: JsonArgs,
}

#[derive(Debug, Args)]
pub struct StepArgs {
    /// The migration's name.
    #[arg(long, default_value = crate::ops::migration::current().name)]
    pub migration: String,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ChecklistArgs {
    #[command(subcommand)]
    pub action: Option<ChecklistCommand>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Tick an item: backup, staging, api, logs, indexes or rollback.
    Tick {
        key: String,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        step: StepArgs,
    },
    /// Acknowledge an item's failing evidence; the note says why it is acceptable.
    Ack {
        key: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        step: StepArgs,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DedupeArgs {
    #[command(subcommand)]
    pub action: Option<DedupeCommand>,
    /// Which document keeps its value: `oldest` (earliest createdAt, then
    /// smallest _id) or `newest` (latest updatedAt, then largest _id).
    #[arg(long, default_value = "oldest", value_parser = parse_keep)]
    pub keep: KeepRule,
    /// Delete the extra copies identical to the kept document apart from
    /// `_id`, instead of unsetting their key.
    #[arg(long)]
    pub drop_identical: bool,
    /// Apply the plan: export, then write, under the migration lock.
    #[arg(long, requires = "confirm")]
    pub apply: bool,
    /// The database's name, typed to confirm `--apply`.
    #[arg(long)]
    pub confirm: Option<String>,
    #[command(flatten)]
    pub step: StepArgs,
}

#[derive(Debug, Subcommand)]
pub enum DedupeCommand {
    /// Put back the documents a cleanup changed, from its export.
    Undo {
        /// The cleanup's run id; the newest cleanup not undone when left out.
        run: Option<String>,
        /// The database's name, typed to confirm.
        #[arg(long)]
        confirm: String,
        #[command(flatten)]
        step: StepArgs,
    },
}

fn parse_keep(word: &str) -> Result<KeepRule, String> {
    KeepRule::parse(word).ok_or_else(|| "expected oldest or newest".to_owned())
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub step: StepArgs,
    /// Migrate although no verified backup was taken in this deployment,
    /// for this reason (audited).
    #[arg(long, value_name = "REASON")]
    pub without_backup: Option<String>,
}

#[derive(Debug, Args)]
pub struct RevertArgs {
    #[command(flatten)]
    pub step: StepArgs,
    /// The database's name, typed to confirm.
    #[arg(long)]
    pub confirm: String,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account. The password is read from standard input (prompted
    /// for twice on a terminal), never from the command line.
    Add {
        name: String,
        /// viewer, release_manager or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn parse_role(word: &str) -> Result<Role, String> {
    Role::parse(word).ok_or_else(|| "expected viewer, release_manager or admin".to_owned())
}

#[derive(Debug, Args)]
pub struct DemoDataArgs {
    #[arg(long, default_value_t = 50)]
    pub users: usize,
    #[arg(long, default_value_t = 2_000)]
    pub tasks: usize,
    #[arg(long, default_value_t = 1_000)]
    pub sessions: usize,
    /// Leave some clientIds as a half-rolled-out client would: set, null,
    /// duplicated, or of the wrong type.
    #[arg(long)]
    pub messy: bool,
    /// Drop users, tasks and focus_sessions first instead of refusing.
    #[arg(long)]
    pub replace: bool,
    /// Seed of the generator; the same seed writes the same shapes.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_means_serve_and_flags_parse() {
        let cli = Cli::try_parse_from(["forest-runbook"]).expect("parses");
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from([
            "forest-runbook",
            "demo-data",
            "--tasks",
            "10",
            "--messy",
            "--json",
        ])
        .expect("parses");
        match cli.command {
            Some(Command::DemoData(args)) => {
                assert_eq!(args.tasks, 10);
                assert!(args.messy && args.json && !args.replace);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn backup_takes_flags_or_one_of_its_subcommands() {
        let cli =
            Cli::try_parse_from(["forest-runbook", "backup", "--gzip", "--json"]).expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Backup(BackupArgs {
                action: None,
                gzip: true,
                output: JsonArgs { json: true }
            }))
        ));
        let cli = Cli::try_parse_from(["forest-runbook", "backup", "import", "/tmp/dump"])
            .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Backup(BackupArgs {
                action: Some(BackupCommand::Import { .. }),
                ..
            }))
        ));
        assert!(Cli::try_parse_from(["forest-runbook", "restore", "b1"]).is_err());
        assert!(
            Cli::try_parse_from(["forest-runbook", "restore", "b1", "--confirm", "forest"]).is_ok()
        );
    }

    #[test]
    fn prisma_check_takes_a_schema_path_and_json() {
        let cli = Cli::try_parse_from([
            "forest-runbook",
            "prisma",
            "check",
            "--schema",
            "/srv/forest/schema.prisma",
            "--json",
        ])
        .expect("parses");
        match cli.command {
            Some(Command::Prisma(PrismaCommand::Check(args))) => {
                assert_eq!(
                    args.schema,
                    Some(PathBuf::from("/srv/forest/schema.prisma"))
                );
                assert!(args.step.json);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["forest-runbook", "prisma"]).is_err());
    }

    #[test]
    fn dedupe_plans_by_default_and_applies_only_with_a_confirmation() {
        let cli = Cli::try_parse_from(["forest-runbook", "dedupe", "--keep", "newest", "--json"])
            .expect("parses");
        match cli.command {
            Some(Command::Dedupe(args)) => {
                assert_eq!(args.keep, KeepRule::Newest);
                assert!(!args.apply && args.step.json && args.action.is_none());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["forest-runbook", "dedupe", "--apply"]).is_err());
        assert!(Cli::try_parse_from(["forest-runbook", "dedupe", "--keep", "middle"]).is_err());
        let cli = Cli::try_parse_from([
            "forest-runbook",
            "dedupe",
            "--apply",
            "--drop-identical",
            "--confirm",
            "forest",
        ])
        .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Dedupe(DedupeArgs {
                apply: true,
                drop_identical: true,
                ..
            }))
        ));
        let cli = Cli::try_parse_from(["forest-runbook", "dedupe", "undo", "--confirm", "forest"])
            .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Dedupe(DedupeArgs {
                action: Some(DedupeCommand::Undo { run: None, .. }),
                ..
            }))
        ));
    }

    #[test]
    fn checklist_reads_ticks_and_acknowledges_only_with_a_note() {
        let cli = Cli::try_parse_from(["forest-runbook", "checklist", "--json"]).expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Checklist(ChecklistArgs { action: None, .. }))
        ));
        let cli = Cli::try_parse_from(["forest-runbook", "checklist", "tick", "staging"])
            .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::Checklist(ChecklistArgs {
                action: Some(ChecklistCommand::Tick { .. }),
                ..
            }))
        ));
        assert!(Cli::try_parse_from(["forest-runbook", "checklist", "ack", "logs"]).is_err());
        assert!(
            Cli::try_parse_from([
                "forest-runbook",
                "checklist",
                "ack",
                "logs",
                "--note",
                "cron"
            ])
            .is_ok()
        );
    }

    #[test]
    fn report_is_markdown_on_standard_output_unless_told() {
        let parse = |args: &[&str]| Cli::try_parse_from(args).expect("parses");
        let cli = parse(&["forest-runbook", "report"]);
        assert!(matches!(
            cli.command,
            Some(Command::Report(ReportArgs {
                format: Format::Markdown,
                output: None
            }))
        ));
        let cli = parse(&[
            "forest-runbook",
            "report",
            "--format",
            "html",
            "-o",
            "r.html",
        ]);
        assert!(matches!(
            cli.command,
            Some(Command::Report(ReportArgs { format: Format::Html, output: Some(ref path) }))
                if path == std::path::Path::new("r.html")
        ));
        assert!(Cli::try_parse_from(["forest-runbook", "report", "--format", "pdf"]).is_err());
    }

    #[test]
    fn user_add_takes_a_role_and_no_password_argument() {
        let cli = Cli::try_parse_from(["forest-runbook", "user", "add", "ada", "--role", "admin"])
            .expect("parses");
        assert!(matches!(
            cli.command,
            Some(Command::User(UserCommand::Add {
                role: Role::Admin,
                ..
            }))
        ));
        assert!(
            Cli::try_parse_from(["forest-runbook", "user", "add", "ada", "--role", "root"])
                .is_err()
        );
        assert!(
            Cli::try_parse_from([
                "forest-runbook",
                "user",
                "add",
                "ada",
                "--role",
                "admin",
                "--password",
                "x"
            ])
            .is_err()
        );
    }
}
