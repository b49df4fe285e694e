//! The deployment checklist: everyone signed in reads it, release managers
//! and admins tick and untick its items and acknowledge failing evidence.

use crate::model::{AppError, Checklist};
use leptos::prelude::*;

#[server(endpoint = "get_checklist")]
pub async fn get_checklist() -> Result<Checklist, AppError> {
    use super::edge;
    use crate::ops::checklist::checklist;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::ChecklistRead,
    )
    .await?;
    let state = edge::state()?;
    checklist(&state.db, state.migration, state.watched())
        .await
        .map_err(edge::respond)
}

/// Ticks (`done`) or unticks `item`, with an optional note.
#[server(endpoint = "set_checklist_item")]
pub async fn set_checklist_item(
    item: String,
    done: bool,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::edge;
    use crate::ops::checklist::set_item;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::ChecklistTick,
    )
    .await?;
    let state = edge::state()?;
    set_item(
        &state.db,
        &actor,
        state.migration,
        state.watched(),
        &item,
        done,
        &note,
    )
    .await
    .map_err(edge::respond)
}

/// Acknowledges `item`'s failing evidence; the note is required.
#[server(endpoint = "acknowledge_item")]
pub async fn acknowledge_item(
    item: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::edge;
    use crate::ops::checklist::acknowledge;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::ChecklistAck,
    )
    .await?;
    let state = edge::state()?;
    acknowledge(
        &state.db,
        &actor,
        state.migration,
        state.watched(),
        &item,
        &note,
    )
    .await
    .map_err(edge::respond)
}
