//! The Runbook page: the migration's state, its steps in order with a
//! button each for those allowed to run them, each step's result with its
//! evidence, and the history of every run.

mod rehearsal;
mod results;

use super::backups::{BackupJob, JobView, TakeBackup};
use super::feedback::action_error;
use super::forest_api::{ProbePanel, ProbeWatch};
use super::live::Live;
use super::session::{RequireRole, granted_role, guarded};
use crate::api::{CancelRun, DryRun, RunMigrate, RunRevert, RunVerify, runbook_overview};
use crate::model::{AppError, Area, MigrationState, Role, RunKind, RunRecord, RunbookOverview};
use leptos::prelude::*;
use rehearsal::{RehearsalWatch, RehearseStep};
use results::{History, PlanView, RunView, VerificationView};

/// The step actions, owned by the page so that their results survive the
/// guarded part of the page being rendered again.
#[derive(Clone, Copy)]
struct StepActions {
    dry_run: ServerAction<DryRun>,
    migrate: ServerAction<RunMigrate>,
    verify: ServerAction<RunVerify>,
    revert: ServerAction<RunRevert>,
    cancel: ServerAction<CancelRun>,
}

#[component]
pub fn RunbookPage() -> impl IntoView {
    let actions = StepActions {
        dry_run: ServerAction::new(),
        migrate: ServerAction::new(),
        verify: ServerAction::new(),
        revert: ServerAction::new(),
        cancel: ServerAction::new(),
    };
    let job = BackupJob::new();
    let rehearsal = RehearsalWatch::load();
    // Read again whenever a run, the lock, a verification or a rehearsal
    // changes, here or in anyone's browser or on the command line: a
    // running step's changes and build progress show as they happen.
    let live = Live::get();
    let overview = guarded(
        Role::Viewer,
        move || {
            (
                live.of(&[Area::Runbook]),
                actions.migrate.version().get(),
                actions.revert.version().get(),
                actions.verify.version().get(),
                actions.cancel.version().get(),
            )
        },
        |_| runbook_overview(),
    );
    // After migrate: does the Forest API still answer? (`curl /api/health`)
    let forest = ProbeWatch::load();
    view! {
        <h1>"Runbook"</h1>
        <RequireRole role=Role::Viewer>
            <Steps actions overview job rehearsal />
            <ProbePanel watch=forest />
        </RequireRole>
    }
}

#[component]
fn Steps(
    actions: StepActions,
    overview: Resource<Result<Option<RunbookOverview>, AppError>>,
    job: BackupJob,
    rehearsal: RehearsalWatch,
) -> impl IntoView {
    let StepActions {
        dry_run,
        migrate,
        verify,
        revert,
        cancel,
    } = actions;
    // Decided once: this renders inside `RequireRole`, so the role is known,
    // and a fixed choice hydrates the same way the server rendered it.
    let role = granted_role();
    let may_run = role.is_some_and(|r| r.includes(Role::ReleaseManager));
    let may_revert = role.is_some_and(|r| r.includes(Role::Admin));
    let loaded = move || overview.get().and_then(Result::ok).flatten();
    // A step's latest run once it ended; while it runs it shows above.
    let latest_ended = move |kind: RunKind| {
        loaded().and_then(|o| {
            o.runs
                .into_iter()
                .find(|run| run.kind == kind)
                .filter(|run| run.state != MigrationState::Running)
        })
    };

    view! {
        <Transition fallback=|| ()>
            {move || {
                overview
                    .get()
                    .map(|result| match result {
                        Ok(None) => ().into_any(),
                        Ok(Some(o)) => view! {
                            <p class="lead">
                                <code>{o.migration.clone()}</code> " on " <code>{o.database.clone()}</code>
                                ": " <strong data-testid="migration-state">{o.state.as_str()}</strong>
                            </p>
                            <p>{o.description.clone()}</p>
                            {o
                                .runs
                                .first()
                                .filter(|run| run.state == MigrationState::Running)
                                .cloned()
                                .map(|run| {
                                    view! {
                                        <section class="live" aria-label="Running now">
                                            <h2>"Running now"</h2>
                                            <StopRun run=run.clone() cancel role />
                                            <RunView run />
                                        </section>
                                    }
                                })}
                        }
                            .into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    })
            }}
        </Transition>
        <ol class="steps">
            <li>
                <h2>"Backup"</h2>
                <p>
                    "Dumps every collection with its indexes and options into the backups folder, in mongodump's layout."
                </p>
                {may_run.then(|| view! { <TakeBackup job /> })}
                <JobView job may_cancel=may_run />
                <p>
                    <a href="/backups">"All backups: verify, delete, import, restore"</a>
                </p>
            </li>
            <li>
                <h2>"Dry run"</h2>
                <p>"Shows what migrate would do and why it would refuse. Changes nothing."</p>
                {may_run
                    .then(|| {
                        view! {
                            <ActionForm action=dry_run attr:class="inline">
                                <button type="submit">"Run dry run"</button>
                            </ActionForm>
                        }
                    })}
                {action_error(dry_run)}
                {move || dry_run.value().get().and_then(Result::ok).map(|plan| view! { <PlanView plan /> })}
            </li>
            <RehearseStep watch=rehearsal may_run />
            <li>
                <h2>"Migrate"</h2>
                <p>
                    "Takes the migration lock, re-checks, and applies each missing change. It needs a verified backup taken in this deployment; an admin may migrate without one, giving the reason."
                </p>
                <SeedSteps />
                {may_run
                    .then(|| {
                        view! {
                            <ActionForm action=migrate attr:class="inline">
                                {may_revert
                                    .then(|| {
                                        view! {
                                            <label>
                                                "Reason to migrate without a backup"
                                                <input type="text" name="without_backup" maxlength="500" />
                                            </label>
                                        }
                                    })}
                                <button type="submit">"Run migrate"</button>
                            </ActionForm>
                        }
                    })}
                {action_error(migrate)}
                <Transition fallback=|| ()>
                    {move || latest_ended(RunKind::Migrate).map(|run| view! { <RunView run /> })}
                </Transition>
            </li>
            <li id="latest-verification">
                <h2>"Verify"</h2>
                <p>"Checks every change, the unique keys and the query plans."</p>
                {may_run
                    .then(|| {
                        view! {
                            <ActionForm action=verify attr:class="inline">
                                <button type="submit">"Run verify"</button>
                            </ActionForm>
                        }
                    })}
                {action_error(verify)}
                // The stored run, so that it survives a reload and the
                // checklist can link to it.
                <Transition fallback=|| ()>
                    {move || {
                        loaded()
                            .and_then(|o| o.latest_verification)
                            .map(|verification| {
                                view! {
                                    <p class="detail">
                                        {format!("Latest verification, run at {}:", verification.at)}
                                    </p>
                                    <VerificationView verification />
                                }
                            })
                    }}
                </Transition>
            </li>
            {may_revert
                .then(|| {
                    view! {
                <li>
                    <h2>"Rollback: revert"</h2>
                    <p>
                        "Drops exactly what the migration's runs created, newest first, and marks them rolled back. Type the database name to confirm."
                    </p>
                    <ActionForm action=revert attr:class="inline">
                        <label>
                            "Database name" <input type="text" name="confirmation" required />
                        </label>
                        <button type="submit">"Revert the migration"</button>
                    </ActionForm>
                    {action_error(revert)}
                    <Transition fallback=|| ()>
                        {move || latest_ended(RunKind::Revert).map(|run| view! { <RunView run /> })}
                    </Transition>
                </li>
                    }
                })}
        </ol>
        <RollbackNote />
        <h2>"History"</h2>
        <Transition fallback=|| ()>
            {move || {
                loaded().map(|o| view! { <History runs=o.runs /> })
            }}
        </Transition>
    }
}

/// Asks the running run to stop before its next change, for whoever may
/// start it; says who asked once someone did.
#[component]
fn StopRun(run: RunRecord, cancel: ServerAction<CancelRun>, role: Option<Role>) -> impl IntoView {
    let may_stop = role.is_some_and(|r| r.includes(run.kind.stopped_by()));
    match run.cancel_requested_by {
        Some(by) => view! {
            <p role="status">
                {format!("{by} asked it to stop: it stops before its next change.")}
            </p>
        }
        .into_any(),
        None => may_stop
            .then(|| {
                view! {
                    <ActionForm action=cancel attr:class="inline">
                        <input type="hidden" name="run" value=run.id />
                        <button type="submit">"Stop before the next change"</button>
                        <span class="detail">" An index build under way finishes first."</span>
                    </ActionForm>
                    {action_error(cancel)}
                }
            })
            .into_any(),
    }
}

/// The seed's steps 2 and 3 are Prisma commands; what each means here.
#[component]
fn SeedSteps() -> impl IntoView {
    view! {
        <div class="detail" aria-label="The seed's steps 2 and 3">
            <p>
                "Seed step 2, " <code>"pnpm db:generate"</code>
                ", regenerates the Prisma client: run it in the Forest repository after the schema edit that the "
                <a href="/prisma">"Prisma page"</a> " prints."
            </p>
            <p>
                "Seed step 3, " <code>"pnpm db:migrate"</code> ": " <code>"prisma migrate"</code>
                " is not available on MongoDB, so this app applies the migration and records it (this step). Run "
                <code>"prisma db push"</code>
                " only once the Prisma page says the schema agrees, or it drops the migration's indexes."
            </p>
        </div>
    }
}

/// Rollback option 1 of the seed, and the troubleshooting case that Prisma causes.
#[component]
fn RollbackNote() -> impl IntoView {
    view! {
        <section class="detail" aria-label="Rollback and troubleshooting">
            <p>
                "Rollback option 1 of the seed, " <code>"prisma migrate resolve --rolled-back"</code>
                ", does not apply: Prisma Migrate keeps no history on MongoDB. Revert, here, is its equivalent: it drops what the migration created and records the rollback in the run history."
            </p>
            <p>
                "\u{201c}Collection not found\u{201d} from the Forest server after the migration: its Prisma client predates the schema edit; run "
                <code>"pnpm db:generate"</code> " and restart the server."
            </p>
        </section>
    }
}
