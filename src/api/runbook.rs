//! The Runbook's steps: the overview for everyone, the dry run, migrate and
//! verify for release managers, revert for admins. Migrate and revert
//! answer as soon as their run is recorded; the page follows the run.

use crate::model::{AppError, Plan, RunRecord, RunbookOverview, Verification};
use leptos::prelude::*;

#[server(endpoint = "get_runbook")]
pub async fn get_runbook() -> Result<RunbookOverview, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::RunbookRead,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::migration::overview(&state.db, state.migration)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "dry_run")]
pub async fn dry_run() -> Result<Plan, AppError> {
    use super::edge;
    use crate::ops::migration::dry_run;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::StepPlan,
    )
    .await?;
    let state = edge::state()?;
    dry_run(
        &state.db,
        &actor,
        state.migration,
        (&state.backups, &state.prisma),
    )
    .await
    .map_err(edge::respond)
}

/// Migrates; without a verified backup of this deployment only an admin
/// may, giving `without_backup`, the reason.
#[server(endpoint = "run_migrate")]
pub async fn run_migrate(#[server(default)] without_backup: String) -> Result<RunRecord, AppError> {
    use super::edge;
    use crate::ops::migration::{answer_when_started, migrate_checked};
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::StepMigrate,
    )
    .await?;
    let state = edge::state()?;
    let db = state.db.clone();
    answer_when_started(&db, state.migration.name, async move {
        migrate_checked(
            &state.db,
            &actor,
            state.migration,
            &state.backups,
            &without_backup,
        )
        .await
    })
    .await
    .map_err(edge::respond)
}

#[server(endpoint = "run_verify")]
pub async fn run_verify() -> Result<Verification, AppError> {
    use super::edge;
    use crate::ops::migration::verify;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::StepVerify,
    )
    .await?;
    let state = edge::state()?;
    verify(
        &state.db,
        &actor,
        state.migration,
        &state.backups,
        &state.prisma,
    )
    .await
    .map_err(edge::respond)
}

#[server(endpoint = "run_revert")]
pub async fn run_revert(confirmation: String) -> Result<RunRecord, AppError> {
    use super::edge;
    use crate::ops::migration::{answer_when_started, revert};
    let actor =
        edge::require_actor(crate::model::Role::Admin, crate::model::Action::StepRevert).await?;
    let state = edge::state()?;
    let db = state.db.clone();
    answer_when_started(&db, state.migration.name, async move {
        revert(
            &state.db,
            &actor,
            state.migration,
            confirmation.trim(),
            &state.backups,
        )
        .await
    })
    .await
    .map_err(edge::respond)
}

/// Stops a running run before its next change: a release manager's for
/// migrate and cleanups, an admin's for revert and restore.
#[server(endpoint = "cancel_run")]
pub async fn cancel_run(run: String) -> Result<bool, AppError> {
    use super::edge;
    use crate::ops::migration::cancel;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::StepCancel,
    )
    .await?;
    cancel(
        &edge::state()?.db,
        &actor,
        edge::state()?.migration,
        run.trim(),
    )
    .await
    .map_err(edge::respond)
}
