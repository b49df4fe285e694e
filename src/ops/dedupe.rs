//! Cleaning the duplicates of a migration's new unique keys (the seed's
//! "Remove duplicates (if any)"): for each duplicated string value, one
//! document keeps it by a rule and the others lose it (`$unset`), so that
//! they sync again as new records; extra copies identical apart from `_id`
//! may be deleted instead. Planning changes nothing; applying exports the
//! prior state of every document it touches first, and undo puts them back.

mod apply;
mod choose;
mod export;
mod undo;

pub use apply::apply;
pub use undo::undo;

use super::audit::{self, Actor};
use super::migration::{Migration, lease};
use super::{OpsError, confirm_database};
use crate::db::Database;
use crate::model::Action;
use crate::model::{DedupeChange, DedupePlan, KeepRule, KeyCleanup, ReportPage};
use choose::choose;

/// How a cleanup is to be done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    pub keep: KeepRule,
    /// Delete extra copies identical to the kept document apart from `_id`.
    pub drop_identical: bool,
}

impl Options {
    /// From a form or a query: `keep` is `oldest`, `newest` or empty (oldest);
    /// `drop_identical` a checkbox, absent when unticked.
    pub fn parse(keep: &str, drop_identical: Option<bool>) -> Result<Self, OpsError> {
        let keep = match keep.trim() {
            "" => KeepRule::default(),
            word => KeepRule::parse(word).ok_or_else(|| OpsError::InvalidInput {
                field: "keep",
                message: format!("{word:?}: expected oldest or newest"),
            })?,
        };
        Ok(Self {
            keep,
            drop_identical: drop_identical.unwrap_or(false),
        })
    }
}

/// The plan: every key's counts, and the page `page` of the documents
/// that would change, each with the `_id` its group keeps.
pub async fn plan(
    db: &Database,
    migration: &Migration,
    options: Options,
    page: ReportPage,
) -> Result<DedupePlan, OpsError> {
    let mut keys = Vec::new();
    let mut changes = Vec::new();
    let mut total = 0_u64;
    let end = page.offset.saturating_add(page.limit);
    for (collection, field) in migration.unique_keys() {
        let key = format!("{}.{field}", collection.name());
        let values = db.duplicated_values(collection, field).await?;
        let held = db.holders(collection, field, &values).await?;
        let mut cleanup = KeyCleanup {
            key: key.clone(),
            exists: db.collection_exists(collection).await?,
            values: held.len() as u64,
            ..KeyCleanup::default()
        };
        for group in &held {
            let choice = choose(group, options.keep, options.drop_identical);
            cleanup.identical += choice.identical;
            for (id, action) in choice.others {
                match action {
                    crate::model::DedupeAction::Unset => cleanup.to_unset += 1,
                    crate::model::DedupeAction::Delete => cleanup.to_delete += 1,
                }
                if (page.offset..end).contains(&total) {
                    changes.push(DedupeChange {
                        key: key.clone(),
                        value: group.value.clone(),
                        id: id.to_string(),
                        kept_id: choice.kept.id().to_string(),
                        action,
                    });
                }
                total += 1;
            }
        }
        keys.push(cleanup);
    }
    Ok(DedupePlan {
        keep: options.keep,
        drop_identical: options.drop_identical,
        keys,
        total,
        offset: page.offset,
        changes,
    })
}

/// Every document of the plan, one row each.
pub fn to_csv(plan: &DedupePlan) -> Result<String, OpsError> {
    super::csv_export::to_csv(
        ["key", "value", "_id", "action", "kept _id"],
        plan.changes.iter().map(|change| {
            [
                change.key.clone(),
                change.value.clone(),
                change.id.clone(),
                change.action.as_str().to_owned(),
                change.kept_id.clone(),
            ]
        }),
    )
}

/// Runs `work` audited as `action`, after the typed confirmation, under
/// the migration lock: a cleanup never overlaps a migrate, a backup or a
/// restore, nor another cleanup.
async fn confirmed_and_locked<T>(
    db: &Database,
    actor: &Actor,
    action: Action,
    target: &str,
    confirmation: &str,
    work: impl AsyncFnOnce(&lease::Lease) -> Result<T, OpsError>,
) -> Result<T, OpsError> {
    audit::audited(db, actor, action, target, async {
        confirm_database(db, confirmation)?;
        let lease = lease::take(db, actor).await?;
        let done = work(&lease).await;
        let released = lease.release().await;
        let outcome = done?;
        released?;
        Ok(outcome)
    })
    .await
}
