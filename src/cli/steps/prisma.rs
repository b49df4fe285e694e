//! `forest-runbook prisma check` on the command line: the Prisma report as
//! text or JSON; it passes when a later `prisma db push` would keep the
//! migration's indexes.

use crate::cli::StepArgs;
use crate::cli::steps::print;
use crate::db::Database;
use crate::model::{PrismaReport, PushStep, SchemaState};
use crate::ops::prisma::{self, PrismaSource};
use crate::ops::{OpsError, migration};

/// Prints the report; `Ok(false)` when the schema and the migration disagree.
pub async fn check(
    db: &Database,
    source: &PrismaSource,
    args: &StepArgs,
) -> Result<bool, OpsError> {
    let migration = migration::find(&args.migration)?;
    let report = prisma::check(db, migration, source).await?;
    print(args.json, &report, render)?;
    Ok(report.agrees)
}

fn render(report: &PrismaReport) -> String {
    let path = report.schema_path.as_deref().unwrap_or("(not configured)");
    let mut out = format!("Prisma schema {path} against {}\n", report.migration);
    match &report.schema {
        SchemaState::NotConfigured => {
            out += "No schema is configured: set [forest] checkout (or schema) in Leptos.toml, or pass --schema PATH.\n";
            return out;
        }
        SchemaState::Invalid { reason } => {
            out += &format!("The schema cannot be checked: {reason}\n");
            return out;
        }
        SchemaState::Read => {}
    }
    out += &format!(
        "provider {} · relationMode {} · Prisma {}\n",
        report.provider.as_deref().unwrap_or("-"),
        report
            .relation_mode
            .as_deref()
            .unwrap_or("prisma (the default)"),
        report
            .prisma_version
            .as_ref()
            .map_or("unknown".to_owned(), |v| {
                format!(
                    "{} ({})",
                    v.locked.as_deref().or(v.declared.as_deref()).unwrap_or("?"),
                    v.source
                )
            })
    );
    for warning in &report.warnings {
        out += &format!("warning: {warning}\n");
    }
    out += "\nWhat `prisma db push` would do to the database now:\n";
    out += &steps(&report.push_now);
    if !report.migration_applied {
        out += "\nWhat it would do once the migration is applied:\n";
        out += &steps(&report.push_after_migrate);
    }
    if report.agrees {
        out += "\nAgrees: db push would keep the migration's indexes.\n";
    } else {
        out += "\nDISAGREES:\n";
        for line in &report.disagreements {
            out += &format!("  - {line}\n");
        }
    }
    if let Some(edit) = &report.edit {
        out += "\nThe edit to schema.prisma:\n\n";
        out += &edit.diff;
        out += "\n";
        for sentence in &edit.explanation {
            out += &format!("- {sentence}\n");
        }
    }
    out += "\nRules (prisma-engines):\n";
    for rule in &report.rules {
        out += &format!("  - {} [{}]\n", rule.rule, rule.source);
    }
    out
}

fn steps(steps: &[PushStep]) -> String {
    if steps.is_empty() {
        return "  nothing: no difference\n".to_owned();
    }
    steps
        .iter()
        .map(|step| format!("  - {}\n", step.summary()))
        .collect()
}
