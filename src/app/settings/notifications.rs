//! The notifications panel, for admins: the webhooks (scheme and host
//! only), the notices dropped, the newest deliveries, and a test button.

use crate::api::SendTestNotification;
use crate::app::feedback::action_error;
use crate::app::grid;
use crate::app::loaded::Loaded;
use crate::app::session::GuardedResource;
use crate::model::{NotificationDelivery, NotificationsOverview};
use leptos::prelude::*;

const COLUMNS: &[&str] = &[
    "Ended",
    "Webhook",
    "Event",
    "Message",
    "Result",
    "Attempts",
    "Status",
    "Last error",
];

#[component]
pub fn NotificationsPanel(
    test: ServerAction<SendTestNotification>,
    overview: GuardedResource<NotificationsOverview>,
) -> impl IntoView {
    view! {
        <section aria-labelledby="notify-heading">
            <h2 id="notify-heading">"Notifications"</h2>
            <p>
                "Webhooks set in " <code>"[notify] webhooks"</code>
                " are told when a step starts, ends or fails, when a four-eyes request is filed, when a monitor threshold is breached and when a Forest API probe fails."
            </p>
            <ActionForm action=test attr:class="inline">
                <button type="submit">"Send a test notification"</button>
            </ActionForm>
            {action_error(test)}
            <Loaded resource=overview let:overview>
                <Deliveries overview />
            </Loaded>
        </section>
    }
}

#[component]
fn Deliveries(overview: NotificationsOverview) -> impl IntoView {
    let hooks = if overview.webhooks.is_empty() {
        "No webhook is configured.".to_owned()
    } else {
        format!("Webhooks: {}.", overview.webhooks.join(", "))
    };
    let dropped = (overview.dropped > 0).then(|| {
        view! {
            <p class="error" role="alert">
                {format!(
                    "{} notices were dropped since the app started: a webhook's queue was full.",
                    overview.dropped,
                )}
            </p>
        }
    });
    let empty = overview.deliveries.is_empty();
    view! {
        <p data-testid="notify-webhooks">{hooks}</p>
        {dropped}
        <table class="grid" aria-label="Notification deliveries">
            {grid::head(COLUMNS)}
            <tbody>
                {grid::empty_row(empty, COLUMNS, "No delivery yet.")}
                {overview.deliveries.into_iter().map(row).collect_view()}
            </tbody>
        </table>
    }
}

fn row(delivery: NotificationDelivery) -> impl IntoView {
    let mark = if delivery.delivered { "pass" } else { "fail" };
    let result = if delivery.delivered {
        "delivered"
    } else {
        "not delivered"
    };
    let dropped = (delivery.dropped_before > 0)
        .then(|| format!(" ({} dropped before)", delivery.dropped_before));
    view! {
        <tr class=format!("check-{mark}")>
            <td>{delivery.at}</td>
            <td>
                <code>{format!("{} {}", delivery.format, delivery.webhook)}</code>
            </td>
            <td>{delivery.kind.as_str()}</td>
            <td>{delivery.message}</td>
            <td>{result} {dropped}</td>
            <td>{delivery.attempts}</td>
            <td>{delivery.status.map(|s| s.to_string()).unwrap_or_default()}</td>
            <td>{delivery.last_error.unwrap_or_default()}</td>
        </tr>
    }
}
