//! The Checklist page: whether the migration is ready to run, progress, and
//! the six deployment items, each with who ticked it and when, or the
//! evidence the app found. Release managers and admins tick and untick,
//! and acknowledge failing evidence with a note; viewers read.

use super::feedback::action_error;
use super::forest_api::{ProbePanel, ProbeWatch};
use super::loaded::Loaded;
use super::session::{GuardedResource, RequireRole, granted_role, guarded};
use crate::api::{AcknowledgeItem, SetChecklistItem, get_checklist};
use crate::model::{Checklist, ChecklistItem, ItemStatus, RECOUNT_AFTER, Role};
use leptos::prelude::*;

#[component]
pub fn ChecklistPage() -> impl IntoView {
    let set_item = ServerAction::<SetChecklistItem>::new();
    let acknowledge = ServerAction::<AcknowledgeItem>::new();
    // The Forest API's probe: a passing one since the migration started
    // proves "Verify API endpoints work".
    let forest = ProbeWatch::load();
    let checklist = guarded(Role::Viewer, || (), |_| get_checklist());
    view! {
        <h1>"Checklist"</h1>
        <RequireRole role=Role::Viewer>
            <Items checklist set_item acknowledge />
            <ProbePanel watch=forest />
        </RequireRole>
    }
}

#[component]
fn Items(
    checklist: GuardedResource<Checklist>,
    set_item: ServerAction<SetChecklistItem>,
    acknowledge: ServerAction<AcknowledgeItem>,
) -> impl IntoView {
    let may_tick = granted_role().is_some_and(|r| r.includes(Role::ReleaseManager));
    view! {
        {action_error(set_item)}
        {action_error(acknowledge)}
        <Loaded resource=checklist fallback=|| view! { <p>"Loading the checklist…"</p> } let:list>
            <ChecklistView list may_tick set_item acknowledge />
        </Loaded>
    }
}

/// Whether the migration is ready to run, how many items are done, and
/// each item.
#[component]
fn ChecklistView(
    list: Checklist,
    may_tick: bool,
    set_item: ServerAction<SetChecklistItem>,
    acknowledge: ServerAction<AcknowledgeItem>,
) -> impl IntoView {
    let done = list.done();
    let total = list.items.len();
    let readiness = list.readiness;
    view! {
        <section class=if readiness.ready { "ready ok" } else { "ready" } aria-label="Readiness">
            <p role="status" data-testid="readiness">
                {readiness.summary}
            </p>
            <ul>
                {readiness
                    .blockers
                    .iter()
                    .map(|b| view! { <li>{b.to_string()}</li> })
                    .collect_view()}
            </ul>
            <p class="detail" data-testid="duplicates-counted">
                {format!(
                    "Duplicates as counted at {} (counted again in the background once {} s old).",
                    readiness.duplicates_counted_at,
                    RECOUNT_AFTER.as_secs(),
                )}
            </p>
        </section>
        <p data-testid="checklist-progress">
            <progress max=total.to_string() value=done.to_string()></progress>
            {format!(" {done} of {total} done")}
        </p>
        <ol class="checklist">
            {list
                .items
                .into_iter()
                .map(|item| view! { <Item item may_tick set_item acknowledge /> })
                .collect_view()}
        </ol>
    }
}

#[component]
fn Item(
    item: ChecklistItem,
    may_tick: bool,
    set_item: ServerAction<SetChecklistItem>,
    acknowledge: ServerAction<AcknowledgeItem>,
) -> impl IntoView {
    let class = match item.status {
        ItemStatus::Open => "item-open",
        ItemStatus::Done | ItemStatus::Acknowledged => "item-done",
        ItemStatus::NeedsAttention => "item-attention",
    };
    let attention = item.status == ItemStatus::NeedsAttention;
    let (ack_key, ack_label) = (item.key.clone(), format!("Acknowledge {}", item.title));
    let acknowledged = item.status == ItemStatus::Acknowledged;
    let ticked = item.tick.is_some();
    let title = item.title.clone();
    let label = item.title.clone();
    view! {
        <li class=class aria-label=label>
            <h2>{item.title}</h2>
            <p class="status" data-testid=format!("status-{}", item.key)>
                {item.status.label()}
            </p>
            {item
                .tick
                .map(|tick| {
                    view! {
                        <p class="tick">
                            {format!("Ticked by {} at {}", tick.by, tick.at)}
                            {(!tick.note.is_empty()).then(|| format!(": {}", tick.note))}
                        </p>
                    }
                })}
            {item
                .evidence
                .map(|evidence| {
                    view! {
                        <p class=if evidence.passed {
                            "evidence ok"
                        } else {
                            "evidence"
                        }>
                            "Evidence: " <a href=evidence.href>{evidence.summary}</a>
                            {(!evidence.at.is_empty()).then(|| format!(" ({})", evidence.at))}
                        </p>
                    }
                })}
            {item
                .acknowledgement
                .map(|ack| {
                    let said = if acknowledged {
                        format!("Acknowledged by {} at {}: {}", ack.by, ack.at, ack.note)
                    } else {
                        format!(
                            "A newer failure reopened it (acknowledged earlier by {} at {}: {})",
                            ack.by,
                            ack.at,
                            ack.note,
                        )
                    };
                    view! { <p class="tick">{said}</p> }
                })}
            {(may_tick && attention)
                .then(|| {
                    view! {
                        <ActionForm action=acknowledge attr:class="inline">
                            <input type="hidden" name="item" value=ack_key />
                            <label>
                                "Why it is acceptable"
                                <input type="text" name="note" maxlength="500" required />
                            </label>
                            <button type="submit" aria-label=ack_label>
                                "Acknowledge"
                            </button>
                        </ActionForm>
                    }
                })}
            {(item.provable && !ticked)
                .then(|| {
                    view! {
                        <p class="detail">"The app ticks this by itself once it has proof."</p>
                    }
                })}
            {may_tick
                .then(|| {
                    view! {
                        <ActionForm action=set_item attr:class="inline">
                            <input type="hidden" name="item" value=item.key.clone() />
                            <input type="hidden" name="done" value=(!ticked).to_string() />
                            {(!ticked)
                                .then(|| {
                                    view! {
                                        <label>
                                            "Note" <input type="text" name="note" maxlength="500" />
                                        </label>
                                    }
                                })}
                            <button
                                type="submit"
                                aria-label=format!(
                                    "{} {title}",
                                    if ticked { "Untick" } else { "Tick" },
                                )
                            >
                                {if ticked { "Untick" } else { "Tick" }}
                            </button>
                        </ActionForm>
                    }
                })}
        </li>
    }
}
