//! User management, for admins.

use crate::model::{AppError, Role, UserSummary};
use leptos::prelude::*;

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use super::edge;
    edge::require(Role::Admin, crate::model::Action::UserList).await?;
    crate::auth::list_accounts(&edge::state()?.db)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "create_user")]
pub async fn create_user(username: String, role: Role, password: String) -> Result<(), AppError> {
    use super::edge;
    let actor = edge::require_actor(Role::Admin, crate::model::Action::UserCreate).await?;
    crate::auth::create_account(&edge::state()?.db, &actor, &username, role, &password)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "set_user_role")]
pub async fn set_user_role(username: String, role: Role) -> Result<(), AppError> {
    super::users_change(username, crate::auth::AccountChange::Role(role)).await
}

#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(username: String, disabled: bool) -> Result<(), AppError> {
    super::users_change(username, crate::auth::AccountChange::Disabled(disabled)).await
}

#[server(endpoint = "reset_user_password")]
pub async fn reset_user_password(username: String, password: String) -> Result<(), AppError> {
    super::users_change(username, crate::auth::AccountChange::Password(password)).await
}
