//! Cleaning the duplicates: release managers plan (changes nothing), apply
//! and undo, the last two behind the typed database name.

use crate::model::{AppError, DedupeOutcome, DedupePlan, UndoOutcome};
use leptos::prelude::*;

/// Documents of the plan listed per page.
pub const PLAN_PAGE: u64 = 25;

/// The plan; `drop_identical` is a checkbox: absent when unticked.
#[server(endpoint = "plan_dedupe")]
pub async fn plan_dedupe(
    #[server(default)] keep: String,
    drop_identical: Option<bool>,
    #[server(default)] offset: u64,
) -> Result<DedupePlan, AppError> {
    use super::edge;
    use crate::model::ReportPage;
    use crate::ops::dedupe;
    edge::require(
        crate::model::Role::ReleaseManager,
        crate::model::Action::DedupePlan,
    )
    .await?;
    let options = dedupe::Options::parse(&keep, drop_identical).map_err(edge::respond)?;
    let page = ReportPage {
        offset,
        limit: PLAN_PAGE,
    };
    dedupe::plan(&edge::state()?.db, edge::state()?.migration, options, page)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "apply_dedupe")]
pub async fn apply_dedupe(
    #[server(default)] keep: String,
    drop_identical: Option<bool>,
    confirmation: String,
) -> Result<DedupeOutcome, AppError> {
    use super::edge;
    use crate::ops::dedupe;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::DedupeApply,
    )
    .await?;
    let options = dedupe::Options::parse(&keep, drop_identical).map_err(edge::respond)?;
    let state = edge::state()?;
    let quiet = |_: &str| {};
    dedupe::apply(
        &state.db,
        &actor,
        state.migration,
        options,
        confirmation.trim(),
        &state.backups,
        &quiet,
    )
    .await
    .map_err(edge::respond)
}

/// Undoes the newest cleanup that is not undone yet.
#[server(endpoint = "undo_dedupe")]
pub async fn undo_dedupe(confirmation: String) -> Result<UndoOutcome, AppError> {
    use super::edge;
    use crate::ops::dedupe;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::DedupeUndo,
    )
    .await?;
    let state = edge::state()?;
    dedupe::undo(
        &state.db,
        &actor,
        state.migration,
        None,
        confirmation.trim(),
        &state.backups,
    )
    .await
    .map_err(edge::respond)
}
