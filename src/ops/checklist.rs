//! The production deployment checklist of a migration: the seed's six
//! items in order, ticked by people, and proven by the app where it can
//! (`evidence.rs`). An item whose newest evidence fails needs attention,
//! whoever ticked it, until a release manager acknowledges exactly that
//! failure with a note; a newer failure reopens it.

mod evidence;

use super::audit::{self, Actor};
use super::backup::BackupStore;
use super::migration::{Migration, plan};
use super::{Coalesced, OpsError};
use crate::db::TickBy;
use crate::db::{Database, Recount};
use crate::forest::LogWatcher;
use crate::model::Action;
use crate::model::{
    Acknowledgement, Checklist, ChecklistItem, Evidence, ItemStatus, MigrationState, RECOUNT_AFTER,
    Readiness, Tick,
};
use evidence::{Proof, Rehearsed, Sources};

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
        proof: Some(Proof::Rehearsal(Rehearsed::Migration)),
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
        proof: Some(Proof::Rehearsal(Rehearsed::Rollback)),
    },
];

/// What the app watches besides the database, for evidence, and the
/// checklist reads under way.
#[derive(Clone, Copy)]
pub struct Watched<'a> {
    /// The Forest server's log folder.
    pub logs: &'a LogWatcher,
    pub backups: &'a BackupStore,
    /// Shared by everyone who asks at once: the pages of everyone watching
    /// reload together on each change.
    pub reads: &'a Coalesced<Checklist>,
}

/// The checklist as it stands, with whether the migration could start now,
/// read once for everyone who asks at once.
pub async fn checklist(
    db: &Database,
    migration: &Migration,
    watched: Watched<'_>,
) -> Result<Checklist, OpsError> {
    let key = format!("{} {}", db.name(), migration.name);
    watched
        .reads
        .read(&key, read_checklist(db, migration, watched))
        .await
}

async fn read_checklist(
    db: &Database,
    migration: &Migration,
    watched: Watched<'_>,
) -> Result<Checklist, OpsError> {
    // Independent reads, at once.
    let (ticks, acknowledgements, sources, readiness) = tokio::try_join!(
        async { Ok::<_, OpsError>(db.ticks(migration.name).await?) },
        async { Ok(db.acknowledgements(migration.name).await?) },
        Sources::read(db, migration, watched),
        readiness(db, migration, watched.backups),
    )?;
    let proven = futures_util::future::try_join_all(ITEMS.iter().map(|spec| async {
        match spec.proof {
            Some(proof) => sources.evidence(proof).await,
            None => Ok(None),
        }
    }))
    .await?;
    let mut items = Vec::with_capacity(ITEMS.len());
    for (spec, proven) in ITEMS.iter().zip(proven) {
        let tick = ticks
            .iter()
            .find(|(key, _)| key == spec.key)
            .map(|(_, tick)| tick.clone());
        let acknowledgement = acknowledgements
            .iter()
            .find(|(key, _)| key == spec.key)
            .map(|(_, ack)| ack.clone());
        let evidence = match spec.proof {
            Some(proof) => proven.or_else(|| {
                let ticked_on = tick.as_ref().and_then(|t| t.evidence.clone());
                match (proof, &tick) {
                    (Proof::Backup, Some(_)) => Some(sources.no_backup(ticked_on)),
                    // Ticked on evidence that is gone: say so.
                    _ => ticked_on.map(|href| Evidence {
                        passed: false,
                        summary: "the evidence it was ticked on is gone".to_owned(),
                        href,
                        at: String::new(),
                    }),
                }
            }),
            None => None,
        };
        items.push(ChecklistItem {
            key: spec.key.to_owned(),
            title: spec.title.to_owned(),
            status: status(tick.as_ref(), evidence.as_ref(), acknowledgement.as_ref()),
            tick,
            evidence,
            provable: spec.proof.is_some(),
            acknowledgement,
        });
    }
    let mut list = Checklist {
        migration: migration.name.to_owned(),
        items,
        readiness,
    };
    let open = list.open();
    if open > 0 {
        list.readiness.summary += &format!(
            " {open} of {} checklist items are not done yet.",
            list.items.len()
        );
    }
    Ok(list)
}

/// What an acknowledgement names: the failing evidence's time and words,
/// so that any newer failure differs.
fn acknowledged_as(evidence: &Evidence) -> String {
    format!("{} | {}", evidence.at, evidence.summary)
}

/// Acknowledges the failing evidence of item `key` as `actor`, with a
/// required note, audited.
pub async fn acknowledge(
    db: &Database,
    actor: &Actor,
    migration: &Migration,
    watched: Watched<'_>,
    key: &str,
    note: &str,
) -> Result<(), OpsError> {
    let target = format!("{}/{key}", migration.name);
    let said = said(note);
    let work = async {
        let spec = item_spec(key)?;
        let note = checked_note(note)?;
        if note.is_empty() {
            return Err(OpsError::InvalidInput {
                field: "note",
                message: "say why the failure is acceptable".to_owned(),
            });
        }
        let list = checklist(db, migration, watched).await?;
        let failing = list
            .items
            .iter()
            .find(|item| item.key == spec.key)
            .and_then(|item| item.evidence.as_ref())
            .filter(|evidence| !evidence.passed)
            .ok_or_else(|| OpsError::InvalidInput {
                field: "item",
                message: format!("{}: no failing evidence to acknowledge", spec.title),
            })?;
        let evidence = acknowledged_as(failing);
        Ok(db
            .acknowledge(migration.name, spec.key, &actor.name(), note, &evidence)
            .await?)
    };
    audit::audited_with(db, actor, Action::ChecklistAck, &target, work, said).await
}

fn item_spec(key: &str) -> Result<&'static ItemSpec, OpsError> {
    ITEMS
        .iter()
        .find(|spec| spec.key == key)
        .ok_or_else(|| OpsError::InvalidInput {
            field: "item",
            message: format!(
                "no checklist item is called {key:?}; expected one of {}",
                ITEMS.map(|spec| spec.key).join(", ")
            ),
        })
}

/// The note, trimmed, at most 500 characters.
fn checked_note(note: &str) -> Result<&str, OpsError> {
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(OpsError::InvalidInput {
            field: "note",
            message: "keep the note under 500 characters".to_owned(),
        });
    }
    Ok(note)
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
        Action::ChecklistTick
    } else {
        Action::ChecklistUntick
    };
    let target = format!("{}/{key}", migration.name);
    let said = said(note);
    let work = async {
        let spec = item_spec(key)?;
        let note = checked_note(note)?;
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
    };
    audit::audited_with(db, actor, action, &target, work, said).await
}

/// The audit entry keeps a tick's or an acknowledgement's note, so that
/// the deployment report says why.
fn said(note: &str) -> impl FnOnce(&()) -> Option<String> + use<> {
    let note = note.trim().to_owned();
    move |_| (!note.is_empty()).then_some(note)
}

/// Newest evidence decides: passing proves the item, failing needs
/// attention unless exactly that failure was acknowledged; without
/// evidence a person's tick decides.
fn status(
    tick: Option<&Tick>,
    evidence: Option<&Evidence>,
    acknowledgement: Option<&Acknowledgement>,
) -> ItemStatus {
    match (evidence, tick) {
        (Some(e), _) if e.passed => ItemStatus::Done,
        (Some(e), _) if acknowledgement.is_some_and(|a| a.evidence == acknowledged_as(e)) => {
            ItemStatus::Acknowledged
        }
        (Some(_), _) => ItemStatus::NeedsAttention,
        (None, Some(_)) => ItemStatus::Done,
        (None, None) => ItemStatus::Open,
    }
}

async fn readiness(
    db: &Database,
    migration: &Migration,
    backups: &BackupStore,
) -> Result<Readiness, OpsError> {
    let plan = plan(
        db,
        migration,
        backups,
        Recount::InBackgroundAfter(RECOUNT_AFTER),
    )
    .await?;
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
        duplicates_counted_at: plan.duplicates_counted_at,
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
        assert_eq!(status(None, None, None), ItemStatus::Open);
        assert_eq!(status(Some(&tick), None, None), ItemStatus::Done);
        assert_eq!(status(None, Some(&evidence(true)), None), ItemStatus::Done);
        assert_eq!(
            status(Some(&tick), Some(&evidence(false)), None),
            ItemStatus::NeedsAttention
        );
    }

    #[test]
    fn an_acknowledgement_covers_only_the_failure_it_names() {
        let failing = evidence(false);
        let ack = Acknowledgement {
            by: "ada".into(),
            at: String::new(),
            note: "unrelated: cron job timeout".into(),
            evidence: acknowledged_as(&failing),
        };
        assert_eq!(
            status(None, Some(&failing), Some(&ack)),
            ItemStatus::Acknowledged
        );
        let newer = Evidence {
            summary: "2 error lines".into(),
            ..failing
        };
        assert_eq!(
            status(None, Some(&newer), Some(&ack)),
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
