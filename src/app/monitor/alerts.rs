//! The alerts the thresholds raise over the window, and the thresholds
//! themselves, which an admin sets and clears here.

use super::chart::number;
use super::time::clock;
use crate::api::{ClearThreshold, SetThreshold};
use crate::app::feedback::action_error;
use crate::app::grid;
use crate::model::{Threshold, Window, breaches};
use leptos::prelude::*;

#[component]
pub fn AlertsPanel(
    window: RwSignal<Window>,
    thresholds: StoredValue<Vec<Threshold>>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="panel-alerts">
            <h2 id="panel-alerts">"Alerts"</h2>
            {move || {
                let alerts = window.with(|w| thresholds.with_value(|t| breaches(w, t)));
                if alerts.is_empty() {
                    return view! {
                        <p class="muted">"No threshold crossed in the last 15 minutes."</p>
                    }
                        .into_any();
                }
                let items = alerts
                    .into_iter()
                    .map(|alert| {
                        let when = if alert.active {
                            format!("since {}, still in breach", clock(alert.first_at_ms))
                        } else {
                            format!(
                                "{} to {}, back within bounds",
                                clock(alert.first_at_ms),
                                clock(alert.last_at_ms),
                            )
                        };
                        view! {
                            <li class:breach=alert.active>
                                <strong>{alert.threshold.describe()}</strong>
                                ": "
                                {number(alert.value)}
                                ", "
                                {when}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <ul aria-label="Alerts" class="alerts">
                        {items}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub fn ThresholdsPanel(
    thresholds: StoredValue<Vec<Threshold>>,
    series_keys: Vec<String>,
    set: ServerAction<SetThreshold>,
    clear: ServerAction<ClearThreshold>,
    may_edit: bool,
) -> impl IntoView {
    let none_set = thresholds.with_value(Vec::is_empty);
    let rows = thresholds
        .get_value()
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{t.series.clone()}</td>
                    <td>{t.bound.as_str()}</td>
                    <td>{number(t.limit)}</td>
                    {may_edit
                        .then(|| {
                            view! {
                                <td>
                                    <ActionForm action=clear attr:class="inline">
                                        <input type="hidden" name="series" value=t.series.clone() />
                                        <button
                                            type="submit"
                                            aria-label=format!("Clear the threshold on {}", t.series)
                                        >
                                            "Clear"
                                        </button>
                                    </ActionForm>
                                </td>
                            }
                        })}
                </tr>
            }
        })
        .collect_view();
    let options = series_keys
        .into_iter()
        .map(|key| view! { <option value=key></option> })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="panel-thresholds">
            <h2 id="panel-thresholds">"Thresholds"</h2>
            <table aria-label="Thresholds">
                {grid::head(&["Series", "Alert when", "Limit"])} <tbody>{rows}</tbody>
            </table>
            {none_set.then(|| view! { <p class="muted">"No thresholds set."</p> })}
            {may_edit
                .then(|| {
                    view! {
                        <ActionForm action=set attr:class="threshold-form">
                            <label>
                                "Series"
                                <input
                                    type="text"
                                    name="series"
                                    list="series-keys"
                                    required
                                    placeholder="ops/insert"
                                />
                            </label>
                            <datalist id="series-keys">{options}</datalist>
                            <label>
                                "Alert when the value is" <select name="bound">
                                    <option value="above">"above"</option>
                                    <option value="below">"below"</option>
                                </select>
                            </label>
                            <label>
                                "Limit" <input type="number" name="limit" step="any" required />
                            </label>
                            <button type="submit">"Set threshold"</button>
                        </ActionForm>
                        {action_error(set)}
                        {action_error(clear)}
                    }
                })}
        </section>
    }
}
