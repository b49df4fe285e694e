//! The Runbook's steps: the overview for everyone, the dry run, migrate and
//! verify for release managers, revert for admins. Migrate and revert
//! answer as soon as their run is recorded; the page follows the run.

use crate::model::{AppError, Plan, RunRecord, RunbookOverview, Verification};
use leptos::prelude::*;

#[server(name = GetRunbook, endpoint = "runbook_overview")]
pub async fn runbook_overview() -> Result<RunbookOverview, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, state};
        edge::require(
            crate::model::Role::Viewer,
            crate::model::Action::RunbookRead,
        )
        .await?;
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
        edge::require(
            crate::model::Role::ReleaseManager,
            crate::model::Action::StepPlan,
        )
        .await?;
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
        use crate::ops::migration::{PHASE_0, answer_when_started, migrate_checked};
        let actor = edge::require_actor(
            crate::model::Role::ReleaseManager,
            crate::model::Action::StepMigrate,
        )
        .await?;
        let state = edge::state()?;
        let db = state.db.clone();
        answer_when_started(&db, PHASE_0.name, async move {
            migrate_checked(&state.db, &actor, &PHASE_0, &state.backups, &without_backup).await
        })
        .await
        .map_err(edge::respond)
    })
    .await
}

#[server(endpoint = "run_verify")]
pub async fn run_verify() -> Result<Verification, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, verify};
        let actor = edge::require_actor(
            crate::model::Role::ReleaseManager,
            crate::model::Action::StepVerify,
        )
        .await?;
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
        use crate::ops::migration::{PHASE_0, answer_when_started, revert};
        let actor =
            edge::require_actor(crate::model::Role::Admin, crate::model::Action::StepRevert)
                .await?;
        let state = edge::state()?;
        let db = state.db.clone();
        answer_when_started(&db, PHASE_0.name, async move {
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
        .map_err(edge::respond)
    })
    .await
}

/// Stops a running run before its next change: a release manager's for
/// migrate and cleanups, an admin's for revert and restore.
#[server(endpoint = "cancel_run")]
pub async fn cancel_run(run: String) -> Result<bool, AppError> {
    super::edge::scoped(async move {
        use super::edge;
        use crate::ops::migration::{PHASE_0, cancel};
        let actor = edge::require_actor(
            crate::model::Role::ReleaseManager,
            crate::model::Action::StepCancel,
        )
        .await?;
        cancel(&edge::state()?.db, &actor, &PHASE_0, run.trim())
            .await
            .map_err(edge::respond)
    })
    .await
}
