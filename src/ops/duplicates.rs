//! The duplicate reports of a migration's new unique keys, for the
//! Duplicates page, its CSV export, the command line and migrate's preflight.

use super::OpsError;
use super::migration::Migration;
use crate::db::{Collection, Database};
use crate::model::{DuplicateReport, ReportPage};
use std::time::Duration;

/// The bound of one report's aggregation (`maxTimeMS`).
pub const MAX_TIME: Duration = Duration::from_secs(60);

/// One report per unique key the migration adds; `page` chooses which
/// groups each key's report lists. The keys are counted concurrently: each
/// is a scan of its own collection.
pub async fn reports(
    db: &Database,
    migration: &Migration,
    page: impl Fn(&str) -> ReportPage,
) -> Result<Vec<DuplicateReport>, OpsError> {
    let counts = migration
        .unique_keys()
        .into_iter()
        .map(|(collection, field)| {
            let key = format!("{}.{field}", collection.name());
            db.duplicate_report(collection, field, page(&key), MAX_TIME)
        });
    Ok(futures_util::future::try_join_all(counts).await?)
}

/// The report of one key, named `collection.field`.
pub async fn report(
    db: &Database,
    migration: &Migration,
    key: &str,
    page: ReportPage,
) -> Result<DuplicateReport, OpsError> {
    let (collection, field) = unique_key(migration, key)?;
    Ok(db
        .duplicate_report(collection, field, page, MAX_TIME)
        .await?)
}

/// The unique key named `collection.field`, or why there is none.
pub fn unique_key(
    migration: &Migration,
    key: &str,
) -> Result<(Collection, &'static str), OpsError> {
    let keys = migration.unique_keys();
    let name = |(collection, field): &(Collection, &str)| format!("{}.{field}", collection.name());
    keys.iter()
        .find(|pair| name(pair) == key)
        .copied()
        .ok_or_else(|| OpsError::InvalidInput {
            field: "key",
            message: format!(
                "{key:?} is not a unique key of {}; expected one of {}",
                migration.name,
                keys.iter().map(name).collect::<Vec<_>>().join(", ")
            ),
        })
}

/// Every group of the report, one row each, `_id`s separated by spaces.
pub fn to_csv(report: &DuplicateReport) -> Result<String, OpsError> {
    super::csv_export::to_csv(
        ["collection", "field", "value", "count", "ids"],
        report.groups.iter().map(|group| {
            [
                report.collection.clone(),
                report.field.clone(),
                group.value.clone(),
                group.count.to_string(),
                group.ids.join(" "),
            ]
        }),
    )
}
