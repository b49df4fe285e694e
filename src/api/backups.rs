//! Backups and restore: the list and the live progress for everyone; take,
//! cancel and verify for release managers; delete, import and restore for
//! admins. Long work runs in the background; the page polls its progress.

use crate::model::{AppError, JobProgress, Manifest};
use leptos::prelude::*;

#[server(endpoint = "list_backups")]
pub async fn list_backups() -> Result<Vec<Manifest>, AppError> {
    use super::edge;
    edge::require(crate::model::Role::Viewer, crate::model::Action::BackupList).await?;
    let listed = edge::state()?.backups.list();
    listed.map_err(|e| edge::respond(e.into()))
}

#[server(endpoint = "backup_progress")]
pub async fn backup_progress() -> Result<Option<JobProgress>, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::BackupProgress,
    )
    .await?;
    let progress = edge::state()?.jobs.snapshot().await;
    progress.map_err(edge::respond)
}

/// Starts a backup; answers its name at once. `gzip` is a checkbox: absent when unticked.
#[server(endpoint = "start_backup")]
pub async fn start_backup(gzip: Option<bool>) -> Result<String, AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::BackupCreate,
    )
    .await?;
    let state = edge::state()?;
    let gzip = gzip.unwrap_or(false);
    crate::ops::backup::start_backup(state.db, state.backups, state.jobs, actor, gzip)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "cancel_backup")]
pub async fn cancel_backup() -> Result<bool, AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::BackupCancel,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::backup::cancel_backup(&state.db, &state.jobs, &actor)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "verify_backup")]
pub async fn verify_backup(name: String) -> Result<Manifest, AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::ReleaseManager,
        crate::model::Action::BackupVerify,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::backup::verify_backup(&state.db, &state.backups, &actor, &name)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "delete_backup")]
pub async fn delete_backup(name: String) -> Result<(), AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::Admin,
        crate::model::Action::BackupDelete,
    )
    .await?;
    let state = edge::state()?;
    crate::ops::backup::delete(&state.db, &state.backups, &actor, &name)
        .await
        .map_err(edge::respond)
}

/// Registers a folder written by `mongodump --out` on the server's disk.
#[server(endpoint = "import_backup")]
pub async fn import_backup(path: String) -> Result<Manifest, AppError> {
    use super::edge;
    let actor = edge::require_actor(
        crate::model::Role::Admin,
        crate::model::Action::BackupImport,
    )
    .await?;
    let state = edge::state()?;
    let source = std::path::Path::new(path.trim());
    crate::ops::backup::import(&state.db, &state.backups, &actor, source)
        .await
        .map_err(edge::respond)
}

/// Starts restoring backup `name`; `confirmation` is the database's name;
/// `accept_options` a checkbox (absent when unticked) accepting the options
/// the refusal listed.
#[server(endpoint = "start_restore")]
pub async fn start_restore(
    name: String,
    confirmation: String,
    accept_options: Option<bool>,
) -> Result<(), AppError> {
    use super::edge;
    let actor =
        edge::require_actor(crate::model::Role::Admin, crate::model::Action::StepRestore).await?;
    let state = edge::state()?;
    let confirmation = crate::ops::backup::Confirmation {
        database: confirmation.trim(),
        accept_options: accept_options.unwrap_or(false),
    };
    crate::ops::backup::start_restore(
        state.db,
        state.backups,
        state.jobs,
        actor,
        name,
        confirmation,
    )
    .await
    .map_err(edge::respond)
}
