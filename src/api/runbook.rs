//! The Runbook's steps: the overview for everyone, the dry run, migrate and
//! verify for release managers, revert for admins.

use crate::model::{AppError, Plan, RunRecord, RunbookOverview, Verification};
use leptos::prelude::*;

#[server(name = GetRunbook, endpoint = "runbook_overview")]
pub async fn runbook_overview() -> Result<RunbookOverview, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, state};
        edge::require(crate::model::Role::Viewer, "runbook.read").await?;
        let db = edge::state()?.db;
        let read = async {
            let locked = db.lock_holder().await?.is_some();
            Ok::<_, crate::ops::OpsError>(RunbookOverview {
                migration: PHASE_0.name.to_owned(),
                description: PHASE_0.description.to_owned(),
                state: state(&db, &PHASE_0, locked).await?,
                database: db.name().to_owned(),
                runs: db.runs(PHASE_0.name, 50).await?,
                latest_verification: db.latest_verification(PHASE_0.name).await?,
            })
        };
        read.await.map_err(edge::respond)
    })
    .await
}

#[server(endpoint = "dry_run")]
pub async fn dry_run() -> Result<Plan, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, dry_run};
        edge::require(crate::model::Role::ReleaseManager, "step.plan").await?;
        let state = edge::state()?;
        dry_run(&state.db, &PHASE_0, &state.backups, &state.prisma)
            .await
            .map_err(edge::respond)
    })
    .await
}

/// Migrates; without a verified backup of this deployment only an admin
/// may, giving `without_backup`, the reason.
#[server(endpoint = "run_migrate")]
pub async fn run_migrate(#[server(default)] without_backup: String) -> Result<RunRecord, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, migrate_checked};
        let actor = edge::require_actor(crate::model::Role::ReleaseManager, "step.migrate").await?;
        let state = edge::state()?;
        edge::detached(async move {
            migrate_checked(&state.db, &actor, &PHASE_0, &state.backups, &without_backup).await
        })
        .await
    })
    .await
}

#[server(endpoint = "run_verify")]
pub async fn run_verify() -> Result<Verification, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, verify};
        let actor = edge::require_actor(crate::model::Role::ReleaseManager, "step.verify").await?;
        let state = edge::state()?;
        edge::detached(async move {
            verify(&state.db, &actor, &PHASE_0, &state.backups, &state.prisma).await
        })
        .await
    })
    .await
}

#[server(endpoint = "run_revert")]
pub async fn run_revert(confirmation: String) -> Result<RunRecord, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, revert};
        let actor = edge::require_actor(crate::model::Role::Admin, "step.revert").await?;
        let state = edge::state()?;
        edge::detached(async move {
            revert(
                &state.db,
                &actor,
                &PHASE_0,
                confirmation.trim(),
                &state.backups,
            )
            .await
        })
        .await
    })
    .await
}
