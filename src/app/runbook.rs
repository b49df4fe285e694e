//! The Runbook page: the migration's state, its steps in order with a
//! button each for those allowed to run them, each step's result with its
//! evidence, and the history of every run.

mod rehearsal;
mod results;

use super::backups::{BackupJob, JobView, TakeBackup};
use super::feedback::{FormAction, action_error, step_button};
use super::forest_api::{ProbePanel, ProbeWatch};
use super::loaded::Loaded;
use super::session::{Guarded, GuardedResource, RequireRole, granted_role, guarded};
use crate::api::{CancelRun, DryRun, RunMigrate, RunRevert, RunVerify, get_runbook};
use crate::model::{Role, RunKind, RunRecord, RunState, RunbookOverview};
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
    let overview = guarded(Role::Viewer, || (), |_| get_runbook());
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

type Overview = GuardedResource<RunbookOverview>;

#[component]
fn Steps(
    actions: StepActions,
    overview: Overview,
    job: BackupJob,
    rehearsal: RehearsalWatch,
) -> impl IntoView {
    // Decided once: this renders inside `RequireRole`, so the role is known.
    let role = granted_role();
    let may_run = role.is_some_and(|r| r.includes(Role::ReleaseManager));
    let may_revert = role.is_some_and(|r| r.includes(Role::Admin));
    view! {
        <Loaded resource=overview let:current>
            <MigrationNow current cancel=actions.cancel role />
        </Loaded>
        <ol class="steps">
            <BackupStep job may_run />
            <DryRunStep dry_run=actions.dry_run overview may_run />
            <RehearseStep watch=rehearsal may_run />
            <MigrateStep migrate=actions.migrate overview may_run may_revert />
            <VerifyStep verify=actions.verify overview may_run />
            {may_revert.then(|| view! { <RevertStep revert=actions.revert overview /> })}
        </ol>
        <RollbackNote />
        <h2>"History"</h2>
        {part_of(overview, |o| Some(view! { <History runs=o.runs /> }))}
    }
}

/// A part of the overview: nothing until it has loaded, nor when it
/// failed, which `MigrationNow`'s place at the top says once for all.
fn part_of<V: IntoView + 'static>(
    overview: Overview,
    part: impl Fn(RunbookOverview) -> Option<V> + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <Transition fallback=|| ()>
            {move || overview.get().and_then(Result::ok).and_then(Guarded::shown).and_then(&part)}
        </Transition>
    }
}

/// A step's kept result, whoever ran it, under a line saying which and
/// when: it survives a reload and a form posted without JavaScript.
fn kept<V: IntoView + 'static>(
    overview: Overview,
    part: impl Fn(RunbookOverview) -> Option<(String, V)> + Send + Sync + 'static,
) -> impl IntoView {
    part_of(overview, move |o| {
        part(o).map(|(caption, result)| {
            view! {
                <p class="detail">{caption}</p>
                {result}
            }
        })
    })
}

/// The migration's state, what it does, and the run under way with its stop.
#[component]
fn MigrationNow(
    current: RunbookOverview,
    cancel: ServerAction<CancelRun>,
    role: Option<Role>,
) -> impl IntoView {
    let running = current
        .runs
        .first()
        .filter(|run| run.state == RunState::Running)
        .cloned();
    view! {
        <p class="lead">
            <code>{current.migration}</code>
            " on "
            <code>{current.database}</code>
            ": "
            <strong data-testid="migration-state">{current.state.as_str()}</strong>
        </p>
        <p>{current.description}</p>
        {running
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
}

/// A step's latest run once it ended; while it runs it shows at the top.
fn latest_ended(overview: Overview, kind: RunKind) -> impl IntoView {
    part_of(overview, move |o| {
        o.runs
            .into_iter()
            .find(|run| run.kind == kind)
            .filter(|run| run.state != RunState::Running)
            .map(|run| view! { <RunView run /> })
    })
}

#[component]
fn BackupStep(job: BackupJob, may_run: bool) -> impl IntoView {
    view! {
        <Step
            title="Backup"
            does="Dumps every collection with its indexes and options into the backups folder, in mongodump's layout."
        >
            {may_run.then(|| view! { <TakeBackup job /> })}
            <JobView job may_cancel=may_run />
            <p>
                <a href="/backups">"All backups: verify, delete, import, restore"</a>
            </p>
        </Step>
    }
}

#[component]
fn DryRunStep(dry_run: ServerAction<DryRun>, overview: Overview, may_run: bool) -> impl IntoView {
    view! {
        <Step
            title="Dry run"
            does="Shows what migrate would do and why it would refuse. Changes no Forest data; the plan is kept for everyone to read here."
        >
            {step_button(dry_run, "Run dry run", may_run)}
            {kept(
                overview,
                |o| {
                    o.latest_plan
                        .map(|kept| {
                            (
                                format!("Latest dry run, by {} at {}:", kept.by, kept.at),
                                view! { <PlanView plan=kept.plan /> },
                            )
                        })
                },
            )}
        </Step>
    }
}

#[component]
fn MigrateStep(
    migrate: ServerAction<RunMigrate>,
    overview: Overview,
    may_run: bool,
    may_revert: bool,
) -> impl IntoView {
    view! {
        <Step
            title="Migrate"
            does="Takes the migration lock, re-checks, and applies each missing change. It needs a verified backup taken in this deployment; an admin may migrate without one, giving the reason."
        >
            <SeedSteps />
            {may_run
                .then(|| {
                    let reason = may_revert
                        .then(|| {
                            view! {
                                <label>
                                    "Reason to migrate without a backup"
                                    <input type="text" name="without_backup" maxlength="500" />
                                </label>
                            }
                        });
                    RunMigrate::form(migrate, reason.into_any(), "Run migrate")
                })}
            {action_error(migrate)}
            {latest_ended(overview, RunKind::Migrate)}
        </Step>
    }
}

#[component]
fn VerifyStep(verify: ServerAction<RunVerify>, overview: Overview, may_run: bool) -> impl IntoView {
    view! {
        <Step
            title="Verify"
            id="latest-verification"
            does="Checks every change, the unique keys and the query plans."
        >
            {step_button(verify, "Run verify", may_run)}
            // Also where the checklist's evidence links land.
            {kept(
                overview,
                |o| {
                    o.latest_verification
                        .map(|verification| {
                            (
                                format!("Latest verification, run at {}:", verification.at),
                                view! { <VerificationView verification /> },
                            )
                        })
                },
            )}
        </Step>
    }
}

#[component]
fn RevertStep(revert: ServerAction<RunRevert>, overview: Overview) -> impl IntoView {
    view! {
        <Step
            title="Rollback: revert"
            does="Drops exactly what the migration's runs created, newest first, and marks them rolled back. Type the database name to confirm."
        >
            {RunRevert::form(
                revert,
                view! {
                    <label>
                        "Database name" <input type="text" name="confirmation" required />
                    </label>
                }
                    .into_any(),
                "Revert the migration",
            )}
            {action_error(revert)}
            {latest_ended(overview, RunKind::Revert)}
        </Step>
    }
}

/// One step of the runbook: what it is called, what it does, and then its
/// button and its latest result.
#[component]
fn Step(
    title: &'static str,
    does: &'static str,
    /// Where the checklist's evidence links land.
    #[prop(optional)]
    id: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <li id=id>
            <h2>{title}</h2>
            <p>{does}</p>
            {children()}
        </li>
    }
}

/// Asks the running run to stop before its next change, for whoever may
/// start it; says who asked once someone did.
#[component]
fn StopRun(run: RunRecord, cancel: ServerAction<CancelRun>, role: Option<Role>) -> impl IntoView {
    let may_stop = role.is_some_and(|r| r.includes(run.kind.stopped_by()));
    match run.cancel_requested_by {
        Some(by) => view! { <p role="status">{format!("{by} asked it to stop: it stops before its next change.")}</p> }
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
                "Rollback option 1 of the seed, "
                <code>"prisma migrate resolve --rolled-back"</code>
                ", does not apply: Prisma Migrate keeps no history on MongoDB. Revert, here, is its equivalent: it drops what the migration created and records the rollback in the run history."
            </p>
            <p>
                "\u{201c}Collection not found\u{201d} from the Forest server after the migration: its Prisma client predates the schema edit; run "
                <code>"pnpm db:generate"</code> " and restart the server."
            </p>
        </section>
    }
}
