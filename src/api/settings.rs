//! App settings and four-eyes approvals.

use crate::model::{AppError, AppSettings, Approval};
use leptos::prelude::*;

#[server(endpoint = "get_settings")]
pub async fn get_settings() -> Result<AppSettings, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::SettingsRead,
    )
    .await?;
    crate::ops::four_eyes::settings(&edge::state()?.db)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "set_four_eyes")]
pub async fn set_four_eyes(enabled: bool) -> Result<(), AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::Admin,
        crate::model::Action::SettingsFourEyes,
    )
    .await?;
    crate::ops::four_eyes::set_four_eyes(&edge::state()?.db, &actor, enabled)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "list_approvals")]
pub async fn list_approvals() -> Result<Vec<Approval>, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Admin,
        crate::model::Action::ApprovalList,
    )
    .await?;
    crate::ops::four_eyes::open_approvals(&edge::state()?.db)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "approve_request")]
pub async fn approve_request(id: String) -> Result<(), AppError> {
    use super::edge;
    let admin = edge::require(
        crate::model::Role::Admin,
        crate::model::Action::ApprovalApprove,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::four_eyes::approve(&state.db, &admin, &id, state.settings.approver_wait())
        .await
        .map(drop)
        .map_err(edge::respond)
}
