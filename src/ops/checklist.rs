//! The production deployment checklist of a migration: the seed's six
//! items in order, ticked by people, and proven by the app where it can: a
//! verified backup proves the backup item, a passing verification the
//! indexes item, a passing probe of the
//! Forest API since the migration started the API item, and no error line
//! in the Forest server's logs since then the logs item. An item whose
//! newest evidence fails needs attention, whoever ticked it.

use super::OpsError;
use super::audit::{self, Actor};
use super::backup::{BackupStore, latest_verified};
use super::migration::{Migration, plan};
use crate::db::Database;
use crate::db::TickBy;
use crate::forest_api::LogWatcher;
use crate::model::{
    Checklist, ChecklistItem, Evidence, ItemStatus, LogStatus, MigrationState, Readiness, Tick,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where the app finds evidence for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    /// The newest complete, verified backup of the database.
    Backup,
    /// The latest stored verification of the migration.
    Verification,
    /// The newest stored probe of the Forest API since the latest migrate
    /// run started.
    ApiProbe,
    /// The error lines the log watcher counted since the latest migrate
    /// run started.
    ErrorLogs,
}

struct ItemSpec {
    key: &'static str,
    title: &'static str,
    proof: Option<Proof>,
}

const ITEMS: [ItemSpec; 6] = [
    ItemSpec {
        key: "backup",
        title: "Backup database",
        proof: Some(Proof::Backup),
    },
    ItemSpec {
        key: "staging",
        title: "Test migration in staging environment",
        proof: None,
    },
    ItemSpec {
        key: "api",
        title: "Verify API endpoints work",
        proof: Some(Proof::ApiProbe),
    },
    ItemSpec {
        key: "logs",
        title: "Monitor error logs during deployment",
        proof: Some(Proof::ErrorLogs),
    },
    ItemSpec {
        key: "indexes",
        title: "Check database indexes created successfully",
        proof: Some(Proof::Verification),
    },
    ItemSpec {
        key: "rollback",
        title: "Test rollback procedure in staging",
        proof: None,
    },
];

/// What the app watches besides the database, for evidence.
#[derive(Clone, Copy)]
pub struct Watched<'a> {
    /// The Forest server's log folder.
    pub logs: &'a LogWatcher,
    pub backups: &'a BackupStore,
}

/// The checklist as it stands, with whether the migration could start now.
pub async fn checklist(
    db: &Database,
    migration: &Migration,
    watched: Watched<'_>,
) -> Result<Checklist, OpsError> {
    let ticks = db.ticks(migration.name).await?;
    let sources = Sources::read(db, migration, watched).await?;
    let mut items = Vec::with_capacity(ITEMS.len());
    for spec in &ITEMS {
        let tick = ticks
            .iter()
            .find(|(key, _)| key == spec.key)
            .map(|(_, tick)| tick.clone());
        let evidence = match spec.proof {
            Some(proof) => sources.evidence(proof).await?.or_else(|| {
                // Ticked on evidence that is gone (a deleted backup): say so.
                tick.as_ref()
                    .and_then(|t| t.evidence.clone())
                    .map(|href| Evidence {
                        passed: false,
                        summary: "the evidence it was ticked on is gone".to_owned(),
                        href,
                        at: String::new(),
                    })
            }),
            None => None,
        };
        items.push(ChecklistItem {
            key: spec.key.to_owned(),
            title: spec.title.to_owned(),
            status: status(tick.as_ref(), evidence.as_ref()),
            tick,
            evidence,
            provable: spec.proof.is_some(),
        });
    }
    Ok(Checklist {
        migration: migration.name.to_owned(),
        items,
        readiness: readiness(db, migration, watched.backups).await?,
    })
}

/// Ticks (`done`) or unticks an item as `actor`, audited. A tick of an
/// item the app can prove remembers the evidence it was given on.
pub async fn set_item(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    watched: Watched<'_>,
    key: &str,
    done: bool,
    note: &str,
) -> Result<(), OpsError> {
    let action = if done {
        "checklist.tick"
    } else {
        "checklist.untick"
    };
    let target = format!("{}/{key}", migration.name);
    audit::audited(db, actor, action, &target, async {
        let spec =
            ITEMS
                .iter()
                .find(|spec| spec.key == key)
                .ok_or_else(|| OpsError::InvalidInput {
                    field: "item",
                    message: format!(
                        "no checklist item is called {key:?}; expected one of {}",
                        ITEMS.map(|spec| spec.key).join(", ")
                    ),
                })?;
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(OpsError::InvalidInput {
                field: "note",
                message: "keep the note under 500 characters".to_owned(),
            });
        }
        let evidence = match (done, spec.proof) {
            (true, Some(proof)) => Sources::read(db, migration, watched)
                .await?
                .evidence(proof)
                .await?
                .filter(|e| e.passed)
                .map(|e| e.href),
            _ => None,
        };
        let name = actor.name();
        let tick = done.then_some(TickBy {
            by: &name,
            note,
            evidence: evidence.as_deref(),
        });
        Ok(db.set_tick(migration.name, spec.key, tick).await?)
    })
    .await
}

/// Newest evidence decides: passing proves the item, failing needs
/// attention; without evidence a person's tick decides.
fn status(tick: Option<&Tick>, evidence: Option<&Evidence>) -> ItemStatus {
    match (evidence, tick) {
        (Some(e), _) if e.passed => ItemStatus::Done,
        (Some(_), _) => ItemStatus::NeedsAttention,
        (None, Some(_)) => ItemStatus::Done,
        (None, None) => ItemStatus::Open,
    }
}

/// Where evidence is read from.
struct Sources<'a> {
    db: &'a Database,
    migration: &'a Migration,
    watched: Watched<'a>,
    /// When the latest migrate run started.
    migrated_since: Option<OffsetDateTime>,
}

impl<'a> Sources<'a> {
    async fn read(
        db: &'a Database,
        migration: &'a Migration,
        watched: Watched<'a>,
    ) -> Result<Self, OpsError> {
        Ok(Self {
            db,
            migration,
            watched,
            migrated_since: super::forest_api::migration_started(db).await?,
        })
    }

    async fn evidence(&self, proof: Proof) -> Result<Option<Evidence>, OpsError> {
        match proof {
            Proof::Backup => self.backup(),
            Proof::Verification => self.verification().await,
            Proof::ApiProbe => self.api_probe().await,
            Proof::ErrorLogs => self.error_logs().await,
        }
    }

    fn backup(&self) -> Result<Option<Evidence>, OpsError> {
        let latest = latest_verified(self.watched.backups, self.db.name(), None)
            .map_err(OpsError::Backup)?;
        Ok(latest.map(|backup| Evidence {
            passed: true,
            summary: format!(
                "backup {}: {} documents in {} collections, verified at {}",
                backup.name,
                backup.documents(),
                backup.collections.len(),
                backup.verified_at.as_deref().unwrap_or("?")
            ),
            href: format!("/backups#backup-{}", backup.name),
            at: backup.started_at,
        }))
    }

    async fn verification(&self) -> Result<Option<Evidence>, OpsError> {
        Ok(self
            .db
            .latest_verification(self.migration.name)
            .await?
            .map(|verification| {
                let failed = verification
                    .checks
                    .iter()
                    .filter(|c| !c.passed && !c.warning)
                    .count();
                Evidence {
                    passed: verification.passed,
                    summary: if verification.passed {
                        format!(
                            "verification passed all {} checks",
                            verification.checks.len()
                        )
                    } else {
                        format!("the latest verification failed {failed} checks")
                    },
                    href: "/runbook#latest-verification".to_owned(),
                    at: verification.at,
                }
            }))
    }

    /// The newest probe, when it ran after the migration started.
    async fn api_probe(&self) -> Result<Option<Evidence>, OpsError> {
        let Some(since) = self.migrated_since else {
            return Ok(None);
        };
        Ok(self
            .db
            .recent_probes(1)
            .await?
            .into_iter()
            .find(|probe| OffsetDateTime::parse(&probe.at, &Rfc3339).is_ok_and(|at| at >= since))
            .map(|probe| Evidence {
                passed: probe.passed,
                summary: format!(
                    "{} {} answered {} in {} ms: {}",
                    probe.method,
                    probe.url,
                    probe.status.map_or("nothing".to_owned(), |s| s.to_string()),
                    probe.latency_ms,
                    probe.reason
                ),
                href: "/forest-api".to_owned(),
                at: probe.at,
            }))
    }

    async fn error_logs(&self) -> Result<Option<Evidence>, OpsError> {
        let snapshot = super::forest_api::logs(self.db, self.watched.logs).await?;
        if snapshot.status != LogStatus::Watching {
            return Ok(None);
        }
        Ok(snapshot.since_migration.map(|errors| Evidence {
            passed: errors.errors == 0,
            summary: format!(
                "{} error lines in the Forest server's logs since the migration started",
                errors.errors
            ),
            href: "/forest-api".to_owned(),
            at: errors.since,
        }))
    }
}

async fn readiness(
    db: &Database,
    migration: &Migration,
    backups: &BackupStore,
) -> Result<Readiness, OpsError> {
    let plan = plan(db, migration, backups).await?;
    let pending = plan
        .changes
        .iter()
        .filter(|c| c.status != crate::model::ChangeStatus::Present)
        .count();
    let summary = match (plan.state, plan.blockers.is_empty(), pending) {
        (_, false, _) => "The migration cannot start yet.".to_owned(),
        (MigrationState::Applied, true, 0) => "The migration is applied.".to_owned(),
        (_, true, 0) => "Every change is already in place.".to_owned(),
        (_, true, n) => format!("Ready to run: {n} changes would be applied."),
    };
    Ok(Readiness {
        ready: plan.blockers.is_empty() && pending > 0,
        summary,
        blockers: plan.blockers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(passed: bool) -> Evidence {
        Evidence {
            passed,
            summary: String::new(),
            href: String::new(),
            at: String::new(),
        }
    }

    #[test]
    fn failing_evidence_needs_attention_even_when_ticked() {
        let tick = Tick {
            by: "ada".into(),
            at: String::new(),
            note: String::new(),
            evidence: None,
        };
        assert_eq!(status(None, None), ItemStatus::Open);
        assert_eq!(status(Some(&tick), None), ItemStatus::Done);
        assert_eq!(status(None, Some(&evidence(true))), ItemStatus::Done);
        assert_eq!(
            status(Some(&tick), Some(&evidence(false))),
            ItemStatus::NeedsAttention
        );
    }

    #[test]
    fn the_seed_checklist_in_order_with_unique_keys() {
        let keys = ITEMS.map(|spec| spec.key);
        assert_eq!(keys.len(), 6);
        assert_eq!(ITEMS[0].title, "Backup database");
        assert_eq!(ITEMS[5].title, "Test rollback procedure in staging");
        for key in keys {
            assert_eq!(keys.iter().filter(|k| **k == key).count(), 1);
        }
    }
}
