//! The Settings page, for admins: the four-eyes switch and the requests
//! waiting for a second admin, each with exactly what it will run, and the
//! webhook notifications' recent deliveries.

mod notifications;

use super::feedback::action_error;
use super::loaded::Loaded;
use super::session::{GuardedResource, RequireRole, guarded};
use crate::api::{
    ApproveRequest, SendTestNotification, SetFourEyes, get_notifications, get_settings,
    list_approvals,
};
use crate::model::{AppSettings, Approval, Role};
use leptos::prelude::*;
use notifications::NotificationsPanel;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let toggle = ServerAction::<SetFourEyes>::new();
    let approve = ServerAction::<ApproveRequest>::new();
    let settings = guarded(Role::Admin, || (), |_| get_settings());
    // A refused switch files a request, so it refreshes the list too.
    let approvals = guarded(Role::Admin, || (), |_| list_approvals());
    let test = ServerAction::<SendTestNotification>::new();
    let notifications = guarded(Role::Admin, || (), |_| get_notifications());
    view! {
        <h1>"Settings"</h1>
        <RequireRole role=Role::Admin>
            <FourEyes toggle approve settings approvals />
            <NotificationsPanel test overview=notifications />
        </RequireRole>
    }
}

#[component]
fn FourEyes(
    toggle: ServerAction<SetFourEyes>,
    approve: ServerAction<ApproveRequest>,
    settings: GuardedResource<AppSettings>,
    approvals: GuardedResource<Vec<Approval>>,
) -> impl IntoView {
    view! {
        <h2>"Four-eyes"</h2>
        <p>
            "When on, a rollback, a restore, deleting a backup, switching four-eyes off, and making, promoting, re-enabling or setting the password of an admin, asked for by one admin, run only after a different admin approves it here. An admin may approve once their admin powers are a day old. An approval is used by one run and expires after 30 minutes."
        </p>
        <Loaded resource=settings let:current>
            <FourEyesSwitch current toggle />
        </Loaded>
        <h2>"Waiting for approval"</h2>
        {action_error(toggle)}
        {action_error(approve)}
        <Loaded resource=approvals let:list>
            {if list.is_empty() {
                view! { <p>"Nothing is waiting."</p> }.into_any()
            } else {
                list.into_iter()
                    .map(|approval| view! { <ApprovalCard approval approve /> })
                    .collect_view()
                    .into_any()
            }}
        </Loaded>
    }
}

/// Whether four-eyes is on, and the button that switches it.
#[component]
fn FourEyesSwitch(current: AppSettings, toggle: ServerAction<SetFourEyes>) -> impl IntoView {
    let (state, label, next) = if current.four_eyes {
        ("on", "Turn four-eyes off", "false")
    } else {
        ("off", "Turn four-eyes on", "true")
    };
    view! {
        <p>"Four-eyes is " <strong>{state}</strong> "."</p>
        <ActionForm action=toggle attr:class="inline">
            <input type="hidden" name="enabled" value=next />
            <button type="submit">{label}</button>
        </ActionForm>
    }
}

#[component]
fn ApprovalCard(approval: Approval, approve: ServerAction<ApproveRequest>) -> impl IntoView {
    let status = match &approval.approved_by {
        Some(by) => format!(
            "approved by {by}; waiting for {} to run it",
            approval.requested_by
        ),
        None => format!("expires {}", approval.expires_at),
    };
    let waiting = approval.approved_by.is_none();
    let id = approval.id.clone();
    view! {
        <article class="approval" aria-label=format!("{} of {}", approval.action, approval.target)>
            <h3>{approval.action.clone()} " · " {approval.target.clone()}</h3>
            <p>
                "Asked by " {approval.requested_by.clone()} " at " {approval.requested_at.clone()}
                " · " {status}
            </p>
            <pre>{approval.plan.clone()}</pre>
            {waiting
                .then(|| {
                    view! {
                        <ActionForm action=approve attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <button type="submit">"Approve"</button>
                        </ActionForm>
                    }
                })}
        </article>
    }
}
