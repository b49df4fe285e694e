//! `verify`: one row per check, with its evidence. A query plan that does
//! not use the new index is a warning, not a failure: planners differ.

use super::declaration::{Change, Migration};
use super::plan;
use crate::db::{Database, Recount};
use crate::model::Action;
use crate::model::{ChangeStatus, Verification, VerifyCheck};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use crate::ops::backup::{BackupStore, latest_verified};
use crate::ops::prisma::PrismaSource;

pub async fn verify(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    backups: &BackupStore,
    prisma: &PrismaSource,
) -> Result<Verification, OpsError> {
    audit::audited_with(
        db,
        actor,
        Action::StepVerify,
        migration.name,
        checks(db, migration, backups, prisma),
        failed_checks,
    )
    .await
}

/// What the end notice of a verification says: which checks failed.
fn failed_checks(verification: &Verification) -> Option<String> {
    let failed: Vec<&str> = verification
        .checks
        .iter()
        .filter(|c| !c.passed && !c.warning)
        .map(|c| c.name.as_str())
        .collect();
    Some(if failed.is_empty() {
        "every check passed".to_owned()
    } else {
        format!(
            "{} of {} checks failed ({})",
            failed.len(),
            verification.checks.len(),
            failed.join(", ")
        )
    })
}

async fn checks(
    db: &Database,
    migration: &Migration,
    backups: &BackupStore,
    prisma: &PrismaSource,
) -> Result<Verification, OpsError> {
    let mut checks = Vec::new();
    for planned in plan::planned_changes(db, migration).await? {
        let (passed, evidence) = match planned.status {
            ChangeStatus::Present => (true, "present with the declared options".to_owned()),
            ChangeStatus::Absent => (false, "missing".to_owned()),
            ChangeStatus::Conflict { reason } => (false, reason),
        };
        checks.push(check(planned.description, passed, false, evidence));
    }
    let duplicates = plan::duplicates(db, migration, Recount::Now).await?;
    for summary in &duplicates.reports {
        checks.push(check(
            format!("no duplicated {}.{}", summary.collection, summary.field),
            summary.duplicated_values == 0,
            false,
            format!(
                "{} duplicated values; {} null, {} non-string, {} missing (these never collide)",
                summary.duplicated_values, summary.nulls, summary.non_strings, summary.missing
            ),
        ));
    }
    for change in migration.changes {
        let Change::CreateIndex(spec) = change else {
            continue;
        };
        if !spec.unique {
            continue;
        }
        let field = spec.keys.first().map_or("", |(field, _)| *field);
        let plan = db.explain_lookup(spec.collection, field).await?;
        let uses_index = plan.contains(&format!("IXSCAN {}", spec.name));
        checks.push(check(
            format!(
                "a sync lookup on {}.{field} uses {}",
                spec.collection.name(),
                spec.name
            ),
            uses_index,
            !uses_index,
            format!("winning plan: {plan}"),
        ));
    }
    match latest_verified(backups, db.name(), None)? {
        Some(backup) => {
            for collection in &backup.collections {
                let now = db.count_named(&collection.name).await?;
                checks.push(count_check(
                    &collection.name,
                    now,
                    collection.documents,
                    &backup.name,
                ));
            }
        }
        None => checks.push(check(
            "no document lost since the latest verified backup".to_owned(),
            false,
            true,
            "no verified backup of this database to compare with".to_owned(),
        )),
    }
    let health = crate::ops::health::check(db, migration, std::time::Instant::now()).await;
    checks.push(check(
        "GET /api/health reports healthy".to_owned(),
        health.is_ok(),
        false,
        match health {
            Ok(report) => format!(
                "healthy: {} {} answers in {:.1} ms; migration {}",
                report.database.name,
                report.database.version,
                report.database.latency_ms,
                report.migration.state
            ),
            Err(error) => format!("unhealthy: {error}"),
        },
    ));
    checks.push(crate::ops::prisma::agreement(db, migration, prisma, &duplicates.reports).await?);
    let passed = checks.iter().all(|c| c.passed || c.warning);
    let verification = Verification {
        id: String::new(),
        at: String::new(),
        migration: migration.name.to_owned(),
        passed,
        checks,
    };
    Ok(db.insert_verification(verification).await?)
}

/// A collection may hold more documents than the backup (the Forest app
/// keeps writing) but never fewer: fewer means data was lost.
fn count_check(collection: &str, now: u64, backed_up: u64, backup: &str) -> VerifyCheck {
    let evidence = if now >= backed_up {
        format!(
            "{now} now, {backed_up} in backup {backup}: {} added since",
            now - backed_up
        )
    } else {
        format!(
            "{now} now, {backed_up} in backup {backup}: {} fewer, documents were lost",
            backed_up - now
        )
    };
    check(
        format!("{collection} lost no document since the latest verified backup"),
        now >= backed_up,
        false,
        evidence,
    )
}

fn check(name: String, passed: bool, warning: bool, evidence: String) -> VerifyCheck {
    VerifyCheck {
        name,
        passed,
        warning,
        evidence,
        link: None,
    }
}
