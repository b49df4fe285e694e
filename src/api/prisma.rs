//! The Prisma page: the Forest schema against the database and the
//! migration, for everyone signed in.

use crate::model::{AppError, PrismaReport};
use leptos::prelude::*;

#[server(endpoint = "prisma_check")]
pub async fn prisma_check() -> Result<PrismaReport, AppError> {
    use super::edge;
    edge::require(crate::model::Role::Viewer, crate::model::Action::PrismaRead).await?;
    let state = edge::state()?;
    crate::ops::prisma::check(&state.db, state.migration, &state.prisma)
        .await
        .map_err(edge::respond)
}
