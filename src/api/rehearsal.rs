//! The Rehearse step: the newest rehearsal for everyone, starting one for
//! release managers (it runs in the background; its record shows how).

use crate::model::{AppError, Rehearsal, RehearsalOverview};
use leptos::prelude::*;

#[server(endpoint = "get_rehearsal")]
pub async fn get_rehearsal() -> Result<RehearsalOverview, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::RehearseRead,
    )
    .await?;
    crate::ops::rehearsal::overview(&edge::state()?.rehearsing(), edge::state()?.migration)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "run_rehearse")]
pub async fn run_rehearse() -> Result<Rehearsal, AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::StepRehearse,
    )
    .await?;
    crate::ops::rehearsal::start_rehearsal(
        edge::state()?.rehearsing(),
        actor,
        edge::state()?.migration,
    )
    .await
    .map_err(edge::respond)
}
