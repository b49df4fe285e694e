//! The backup or restore in progress, shared by the Runbook and Backups
//! pages: the actions that start one, its progress, and the bar. The
//! progress is marked to follow the job area: the page is read again each
//! time it moves (`live.rs`).

use crate::api::{CancelBackup, StartBackup, StartRestore, backup_progress};
use crate::app::feedback::action_error;
use crate::app::grid;
use crate::app::loaded::Loaded;
use crate::app::session::{GuardedResource, guarded};
use crate::model::{JobKind, JobProgress, JobState, Role};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct BackupJob {
    pub start: ServerAction<StartBackup>,
    pub cancel: ServerAction<CancelBackup>,
    pub restore: ServerAction<StartRestore>,
    /// The newest job, if any has run.
    pub progress: GuardedResource<Option<JobProgress>>,
}

impl BackupJob {
    /// Call at page level, outside `RequireRole` (see `guarded`).
    pub fn new() -> Self {
        let start = ServerAction::<StartBackup>::new();
        let cancel = ServerAction::<CancelBackup>::new();
        let restore = ServerAction::<StartRestore>::new();
        let progress = guarded(Role::Viewer, || (), |()| backup_progress());
        Self {
            start,
            cancel,
            restore,
            progress,
        }
    }
}

/// The "Take a backup" form.
#[component]
pub fn TakeBackup(job: BackupJob) -> impl IntoView {
    view! {
        <ActionForm action=job.start attr:class="inline">
            <label>
                <input type="checkbox" name="gzip" value="true" />
                " gzip the files"
            </label>
            <button type="submit">"Take a backup"</button>
        </ActionForm>
        {action_error(job.start)}
        {action_error(job.cancel)}
    }
}

/// The latest job with its progress bar, per-collection counts and, for
/// a running backup, a cancel button.
#[component]
pub fn JobView(job: BackupJob, may_cancel: bool) -> impl IntoView {
    view! {
        <div data-follows-job="">
            <Loaded resource=job.progress let:latest>
                {match latest {
                    None => {
                        view! {
                            <p class="detail">
                                "No backup or restore has run since the server started."
                            </p>
                        }
                            .into_any()
                    }
                    Some(progress) => {
                        let cancel = (may_cancel && progress.kind == JobKind::Backup
                            && progress.state == JobState::Running)
                            .then(|| {
                                view! {
                                    <ActionForm action=job.cancel attr:class="inline">
                                        <button type="submit">"Cancel the backup"</button>
                                    </ActionForm>
                                }
                            });
                        view! {
                            <Progress progress />
                            {cancel}
                        }
                            .into_any()
                    }
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn Progress(progress: JobProgress) -> impl IntoView {
    let title = match progress.kind {
        JobKind::Backup => "Backup",
        JobKind::Restore => "Restore",
    };
    let percent = progress.percent();
    // A backup's totals are estimates (from the backup before it); a
    // restore's are its manifest's.
    let of = match progress.kind {
        JobKind::Backup => "of about",
        JobKind::Restore => "of",
    };
    view! {
        <p>
            {title} " of " <code>{progress.backup.clone()}</code> ": "
            <strong data-testid="job-state">{progress.state.as_str()}</strong>
            {progress.message.clone().map(|m| format!(" · {m}"))}
        </p>
        {progress
            .pre_image_backup
            .clone()
            .map(|saved| {
                view! {
                    <p role="status">
                        "What the restore replaced was saved first as backup "
                        <a href=format!("/backups#backup-{saved}")>{saved.clone()}</a>
                        ": restore it to undo this restore."
                    </p>
                }
            })}
        <progress max="100" value=percent.to_string() aria-label=format!("{title} progress")>
            {format!("{percent}%")}
        </progress>
        <table class="grid" aria-label=format!("{title} by collection")>
            {grid::head(&["Collection", "Documents", "Bytes", "State"])}
            <tbody>
                {progress
                    .collections
                    .into_iter()
                    .map(|c| {
                        let documents = if c.total > 0 && !c.done {
                            format!("{} {of} {}", c.documents, c.total)
                        } else {
                            c.documents.to_string()
                        };
                        view! {
                            <tr>
                                <td>{c.name}</td>
                                <td>{documents}</td>
                                <td>{c.bytes}</td>
                                <td>{if c.done { "done" } else { "…" }}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
