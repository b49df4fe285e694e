//! The Audit page: every action, newest first, filterable by actor and
//! action, downloadable as CSV. The filter is in the address, so it works
//! without JavaScript and can be shared as a link.

use super::loaded::Loaded;
use super::session::{RequireRole, guarded};
use crate::api::list_audit;
use crate::app::grid;
use crate::model::{Action, AuditEntry, AuditFilter, Role};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let query = query.get();
        let field = |key: &str| query.get(key).filter(|value| !value.is_empty());
        AuditFilter {
            actor: field("actor"),
            action: field("action"),
        }
    };
    let entries = guarded(Role::Viewer, filter, list_audit);
    let csv_href = move || {
        let filter = filter();
        format!(
            "/audit.csv?actor={}&action={}",
            encode(filter.actor.as_deref().unwrap_or("")),
            encode(filter.action.as_deref().unwrap_or(""))
        )
    };
    view! {
        <h1>"Audit"</h1>
        <RequireRole role=Role::Viewer>
            <form
                method="get"
                action="/audit"
                class="form inline"
                aria-label="Filter the audit log"
            >
                <label>
                    "Actor"
                    <input
                        type="text"
                        name="actor"
                        prop:value=move || filter().actor.unwrap_or_default()
                    />
                </label>
                <label>
                    "Action"
                    <input
                        type="text"
                        name="action"
                        list="audit-actions"
                        prop:value=move || filter().action.unwrap_or_default()
                    />
                </label>
                // Every action's name, offered as the person types.
                <datalist id="audit-actions">
                    {Action::ALL
                        .iter()
                        .map(|action| view! { <option value=action.as_str()></option> })
                        .collect_view()}
                </datalist>
                <button type="submit">"Filter"</button>
                <a href=csv_href download="audit.csv">
                    "Download CSV"
                </a>
            </form>
            <table class="grid">
                {grid::head(&["Time", "Actor", "Action", "Target", "Outcome", "Code", "Times"])}
                <tbody>
                    <Loaded resource=entries columns=7 let:list>
                        {list.into_iter().map(row).collect_view()}
                    </Loaded>
                </tbody>
            </table>
        </RequireRole>
    }
}

fn row(entry: AuditEntry) -> impl IntoView {
    view! {
        <tr class=format!("outcome-{}", entry.outcome.as_str())>
            <td>{entry.at}</td>
            <td>
                {match entry.address {
                    Some(address) => format!("{} from {address}", entry.actor),
                    None => entry.actor,
                }}
            </td>
            <td>{entry.action}</td>
            <td>{entry.target}</td>
            <td>{entry.outcome.as_str()}</td>
            <td title=entry.detail.unwrap_or_default()>{entry.error_code.unwrap_or_default()}</td>
            <td>{entry.count}</td>
        </tr>
    }
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
