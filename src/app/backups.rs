//! The Backups page: the live job, every backup with its counts and
//! whether it verified, and the actions each role may take on them
//! (verify; delete, import and restore for admins).

mod job;

use super::feedback::action_error;
use super::loaded::Loaded;
use super::session::{Guarded, GuardedResource, RequireRole, granted_role, guarded};
use crate::api::{DeleteBackup, ImportBackup, VerifyBackup, list_backups};
use crate::app::grid;
use crate::model::{BackupState, Manifest, Role};
pub use job::{BackupJob, JobView, TakeBackup};
use leptos::prelude::*;

#[derive(Clone, Copy)]
struct BackupActions {
    job: BackupJob,
    verify: ServerAction<VerifyBackup>,
    delete: ServerAction<DeleteBackup>,
    import: ServerAction<ImportBackup>,
}

type Listing = GuardedResource<Vec<Manifest>>;

#[component]
pub fn BackupsPage() -> impl IntoView {
    let actions = BackupActions {
        job: BackupJob::new(),
        verify: ServerAction::new(),
        delete: ServerAction::new(),
        import: ServerAction::new(),
    };
    let backups = guarded(Role::Viewer, || (), |_| list_backups());
    view! {
        <h1>"Backups"</h1>
        <RequireRole role=Role::Viewer>
            <Backups actions backups />
        </RequireRole>
    }
}

#[component]
fn Backups(actions: BackupActions, backups: Listing) -> impl IntoView {
    let role = granted_role();
    let may_run = role.is_some_and(|r| r.includes(Role::ReleaseManager));
    let is_admin = role.is_some_and(|r| r.includes(Role::Admin));
    let BackupActions {
        job,
        verify,
        delete,
        import,
    } = actions;
    view! {
        <p>
            "Each backup is a folder in mongodump's layout (" <code>"<db>/<collection>.bson"</code>
            " and " <code>".metadata.json"</code>
            ") with a manifest of counts and SHA-256 checksums. The app's own records (runbook_*) are left out."
        </p>
        {may_run.then(|| view! { <TakeBackup job /> })}
        <JobView job may_cancel=may_run />
        {action_error(verify)}
        {action_error(delete)}
        <Loaded resource=backups let:list>
            <BackupTable list may_run is_admin verify delete />
        </Loaded>
        {is_admin
            .then(|| {
                view! {
                    <Restore job backups />
                    <Import import />
                }
            })}
    }
}

#[component]
fn BackupTable(
    list: Vec<Manifest>,
    may_run: bool,
    is_admin: bool,
    verify: ServerAction<VerifyBackup>,
    delete: ServerAction<DeleteBackup>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p>"No backups yet."</p> }.into_any();
    }
    view! {
        <table class="grid" aria-label="Backups">
            {grid::head(
                &[
                    "Backup",
                    "State",
                    "Documents",
                    "Bytes",
                    "Verified",
                    "Migration then",
                    "Made by",
                    "Actions",
                ],
            )}
            <tbody>
                {list
                    .into_iter()
                    .map(|m| {
                        let complete = m.state == BackupState::Complete;
                        let migration = m
                            .migrations
                            .iter()
                            .map(|at| format!("{}: {}", at.migration, at.state))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let name = m.name.clone();
                        let name_for_delete = m.name.clone();
                        // The checklist's evidence links land on this row.
                        view! {
                            <tr id=format!("backup-{}", m.name)>
                                <td>
                                    <code>{m.name.clone()}</code>
                                    {m
                                        .imported_from
                                        .clone()
                                        .map(|from| format!(" (imported from {from})"))}
                                    <Converted lines=m.converted.clone() />
                                </td>
                                <td>
                                    {m.state.as_str()} {m.error.clone().map(|e| format!(": {e}"))}
                                </td>
                                <td>{m.documents()}</td>
                                <td>{m.bytes()}</td>
                                <td>
                                    {m
                                        .verified_at
                                        .clone()
                                        .unwrap_or_else(|| "not verified".to_owned())}
                                </td>
                                <td>
                                    {if migration.is_empty() {
                                        "unknown".to_owned()
                                    } else {
                                        migration
                                    }}
                                </td>
                                <td>{m.made_by.clone()}</td>
                                <td>
                                    {(may_run && complete)
                                        .then(|| {
                                            view! {
                                                <ActionForm action=verify attr:class="inline">
                                                    <input type="hidden" name="name" value=name.clone() />
                                                    <button type="submit" aria-label=format!("Verify {name}")>
                                                        "Verify"
                                                    </button>
                                                </ActionForm>
                                            }
                                        })}
                                    {is_admin
                                        .then(|| {
                                            view! {
                                                <ActionForm action=delete attr:class="inline">
                                                    <input
                                                        type="hidden"
                                                        name="name"
                                                        value=name_for_delete.clone()
                                                    />
                                                    <button
                                                        type="submit"
                                                        aria-label=format!("Delete {name_for_delete}")
                                                    >
                                                        "Delete"
                                                    </button>
                                                </ActionForm>
                                            }
                                        })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Restore (admins): pick a complete backup and type the database name.
#[component]
fn Restore(job: BackupJob, backups: Listing) -> impl IntoView {
    view! {
        <h2>"Restore (rollback option 2)"</h2>
        <p>
            "Verifies the backup and tries its options and indexes on the server. Then, under the migration lock, it first saves every live collection into a new backup (restore that one to undo the restore), drops the collections made after the backup (such as devices), and drops and recreates each of the backup's collections with their options, documents and indexes. The app's own records (runbook_*) are never touched; a backup holding them is refused. The changelog records the migration as rolled back by restore. Four-eyes applies when on."
        </p>
        <p>
            "Options in the backup that can delete or hide data (a TTL index, a capped size, a view, a hidden index) or that differ from the live collections are listed when you first try; tick the box below to apply them."
        </p>
        <ActionForm action=job.restore attr:class="inline">
            <label>
                "Backup to restore" <select name="name" required>
                    <Transition fallback=|| ()>
                        {move || {
                            backups
                                .get()
                                .and_then(Result::ok)
                                .and_then(Guarded::shown)
                                .unwrap_or_default()
                                .into_iter()
                                .filter(|m| m.state == BackupState::Complete)
                                .map(|m| {
                                    view! { <option value=m.name.clone()>{m.name.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </Transition>
                </select>
            </label>
            <label>"Database name" <input type="text" name="confirmation" required /></label>
            <label>
                <input type="checkbox" name="accept_options" value="true" />
                " I accept the backup's options listed when I tried"
            </label>
            <button type="submit">"Restore the backup"</button>
        </ActionForm>
        {action_error(job.restore)}
    }
}

/// What an import converted in legacy metadata, as mongorestore
/// --convertLegacyIndexes does, from the backup's manifest: folded, under
/// the backup's name.
#[component]
fn Converted(lines: Vec<String>) -> impl IntoView {
    (!lines.is_empty()).then(|| {
        view! {
            <details>
                <summary>{format!("Converted from legacy metadata ({})", lines.len())}</summary>
                <ul aria-label="Converted">
                    {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            </details>
        }
    })
}

/// Import (admins): a folder on the server written by `mongodump --out`.
#[component]
fn Import(import: ServerAction<ImportBackup>) -> impl IntoView {
    view! {
        <h2>"Import a mongodump folder"</h2>
        <ActionForm action=import attr:class="inline">
            <label>
                "Folder written by mongodump (on the server)"
                <input type="text" name="path" required />
            </label>
            <button type="submit">"Import"</button>
        </ActionForm>
        {action_error(import)}
    }
}
