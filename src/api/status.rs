//! The deployment at a glance, for everyone signed in (the Home page).

use crate::model::{AppError, DeploymentStatus};
use leptos::prelude::*;

#[server(endpoint = "get_status")]
pub async fn get_status() -> Result<DeploymentStatus, AppError> {
    use super::edge;
    edge::require(crate::model::Role::Viewer, crate::model::Action::StatusRead).await?;
    edge::state()?.status().await.map_err(edge::respond)
}
