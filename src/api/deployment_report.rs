//! The deployment report, for everyone signed in (the Report page).

use crate::model::{AppError, DeploymentReport};
use leptos::prelude::*;

#[server(endpoint = "get_deployment_report")]
pub async fn get_deployment_report() -> Result<DeploymentReport, AppError> {
    use super::edge;
    edge::require(crate::model::Role::Viewer, crate::model::Action::ReportRead).await?;
    edge::state()?.report().await.map_err(edge::respond)
}
