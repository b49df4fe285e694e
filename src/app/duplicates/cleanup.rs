//! The Duplicates page's cleanup, for release managers: choose the rule
//! (a plain GET form, so the plan works without JavaScript), read every
//! document the plan changes with the `_id` its group keeps (paged; CSV),
//! apply it or undo the last one behind the typed database name, and the
//! latest cleanup runs from the changelog.

use crate::api::{ApplyDedupe, PLAN_PAGE, UndoDedupe};
use crate::app::feedback::{FormAction, action_error};
use crate::app::grid;
use crate::app::loaded::Loaded;
use crate::app::session::{Guarded, GuardedResource};
use crate::model::{DedupePlan, KeepRule, RunRecord};
use leptos::prelude::*;

/// The plan's choices as the address holds them.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub keep: KeepRule,
    pub drop_identical: bool,
    pub offset: u64,
}

impl Choice {
    fn query(&self, offset: u64) -> String {
        format!(
            "keep={}{}&plan_offset={offset}",
            self.keep.as_str(),
            if self.drop_identical {
                "&drop_identical=true"
            } else {
                ""
            }
        )
    }
}

const COLUMNS: &[&str] = &["Key", "Value", "_id", "Action", "Kept _id"];

#[component]
pub fn Cleanup(
    choice: Choice,
    plan: GuardedResource<DedupePlan>,
    runs: GuardedResource<Vec<RunRecord>>,
    apply: ServerAction<ApplyDedupe>,
    undo: ServerAction<UndoDedupe>,
) -> impl IntoView {
    let oldest = choice.keep == KeepRule::Oldest;
    let keep = choice.keep.as_str();
    let drop_identical = choice.drop_identical;
    view! {
        <section aria-labelledby="cleanup" id="cleanup-section">
            <h2 id="cleanup">"Clean up"</h2>
            <p>
                "For each duplicated value one document keeps it; the others lose the key ($unset) and sync again as new records. No document is deleted unless you ask for identical copies to be."
            </p>
            <form method="get" action="/duplicates" class="inline">
                <label>
                    "Keep" <select name="keep">
                        <option value="oldest" selected=oldest>
                            "the oldest (createdAt)"
                        </option>
                        <option value="newest" selected=!oldest>
                            "the newest (updatedAt)"
                        </option>
                    </select>
                </label>
                <label>
                    <input
                        type="checkbox"
                        name="drop_identical"
                        value="true"
                        checked=drop_identical
                    />
                    " delete copies identical apart from _id"
                </label>
                <button type="submit">"Plan the cleanup"</button>
            </form>
            <Loaded resource=plan fallback=|| view! { <p>"Planning…"</p> } let:plan>
                <PlanView plan choice=choice.clone() />
            </Loaded>
            {confirmed(
                apply,
                "Database name to apply",
                "Apply the cleanup",
                view! {
                    <input type="hidden" name="keep" value=keep />
                    {drop_identical
                        .then(|| {
                            view! { <input type="hidden" name="drop_identical" value="true" /> }
                        })}
                },
            )}
            {confirmed(undo, "Database name to undo", "Undo the last cleanup", ())}
            <Transition fallback=|| ()>
                {move || {
                    runs.get()
                        .and_then(Result::ok)
                        .and_then(Guarded::shown)
                        .map(|runs| view! { <CleanupRuns runs /> })
                }}
            </Transition>
        </section>
    }
}

/// A form behind the typed database name, with its error. What it did is
/// the newest row of the latest cleanups.
fn confirmed<A: FormAction>(
    action: ServerAction<A>,
    label: &'static str,
    button: &'static str,
    hidden: impl IntoView + 'static,
) -> impl IntoView {
    let fields = view! {
        {hidden}
        <label>{label} <input type="text" name="confirmation" required /></label>
    };
    view! {
        {A::form(action, fields.into_any(), button)}
        {action_error(action)}
    }
}

#[component]
fn PlanView(plan: DedupePlan, choice: Choice) -> impl IntoView {
    let shown = plan.changes.len() as u64;
    let first = plan.offset + u64::from(shown > 0);
    let page = |offset: u64| format!("/duplicates?{}#cleanup", choice.query(offset));
    let previous = (plan.offset > 0).then(|| page(plan.offset.saturating_sub(PLAN_PAGE)));
    let next = (plan.offset + shown < plan.total).then(|| page(plan.offset + shown));
    let csv = format!("/dedupe.csv?{}", choice.query(0));
    let identical = plan.identical();
    view! {
        <p data-testid="cleanup-summary">
            {format!(
                "The plan changes {} documents, keeping the {} of each value. ",
                plan.total,
                plan.keep.as_str(),
            )}
            {format!(
                "{identical} extra copies are identical to their kept document apart from _id",
            )}
            {if plan.drop_identical {
                "; they are deleted. "
            } else {
                "; they lose the key like the others. "
            }} <a href=csv download="">
                "Download the plan as CSV"
            </a>
        </p>
        <table class="grid" aria-label="Cleanup by key">
            {grid::head(&["Key", "Duplicated values", "Unset", "Delete", "Identical copies"])}
            <tbody>
                {plan
                    .keys
                    .iter()
                    .map(|key| {
                        view! {
                            <tr>
                                <td>{key.key.clone()}</td>
                                <td>{key.values}</td>
                                <td>{key.to_unset}</td>
                                <td>{key.to_delete}</td>
                                <td>{key.identical}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <table class="grid" aria-label="Documents the cleanup changes">
            {grid::head(COLUMNS)}
            <tbody>
                {grid::empty_row(plan.changes.is_empty(), COLUMNS, "Nothing to clean.")}
                {plan
                    .changes
                    .into_iter()
                    .map(|change| {
                        view! {
                            <tr>
                                <td>{change.key}</td>
                                <td>
                                    <code>{change.value}</code>
                                </td>
                                <td class="ids">{change.id}</td>
                                <td>{change.action.as_str()}</td>
                                <td class="ids">{change.kept_id}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages of the cleanup plan">
            {format!("{first}–{} of {}", plan.offset + shown, plan.total)}
            {previous.map(|href| view! { <a href=href>"Previous"</a> })}
            {next.map(|href| view! { <a href=href>"Next"</a> })}
        </nav>
    }
}

/// The latest cleanups and undos, as the changelog holds them, with what
/// each did per key: what a person sees after applying or undoing.
#[component]
fn CleanupRuns(runs: Vec<RunRecord>) -> impl IntoView {
    let runs: Vec<RunRecord> = runs
        .into_iter()
        .filter(|run| run.kind.is_dedupe())
        .take(5)
        .collect();
    (!runs.is_empty()).then(|| {
        view! {
            <table class="grid" aria-label="Latest cleanups">
                {grid::head(&["Run", "Kind", "By", "Started", "State", "Result"])}
                <tbody>
                    {runs
                        .into_iter()
                        .map(|run| {
                            let result = run
                                .changes
                                .iter()
                                .map(|c| {
                                    c.error
                                        .clone()
                                        .or_else(|| c.progress.clone())
                                        .unwrap_or_else(|| c.description.clone())
                                })
                                .collect::<Vec<_>>()
                                .join("; ");
                            view! {
                                <tr>
                                    <td class="ids">{run.id}</td>
                                    <td>{run.kind.as_str()}</td>
                                    <td>{run.started_by}</td>
                                    <td>{run.started_at}</td>
                                    <td>{run.state.as_str()}</td>
                                    <td>{result}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
    })
}
