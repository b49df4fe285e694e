//! The Monitor page's panels, each a component of its own reading the
//! shared window, so that more panels can be added beside them.

use super::chart::{Chart, Line, clock, number};
use crate::model::{MigrationProgress, Threshold, WINDOW_SECS, Window};
use leptos::prelude::*;

/// One chart group: the series of `group` charted over the window, with
/// each one's current value, coloured when a threshold is breached; or why
/// its source cannot be read.
#[component]
pub fn ChartPanel(
    window: RwSignal<Window>,
    thresholds: StoredValue<Vec<Threshold>>,
    group: &'static str,
    title: &'static str,
    unit: &'static str,
    /// What the values mean, in a sentence.
    about: &'static str,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=format!("panel-{group}")>
            <h2 id=format!("panel-{group}")>{title}</h2>
            <p class="about">{about}</p>
            {move || {
                window
                    .with(|w| {
                        if let Some(reason) = w.unavailable(group) {
                            return view! { <p class="notice" role="status">{reason.to_owned()}</p> }
                                .into_any();
                        }
                        let lines: Vec<Line> = w
                            .group(group)
                            .map(|(key, series)| Line {
                                label: label(key),
                                points: series.points.iter().copied().collect(),
                            })
                            .collect();
                        if lines.is_empty() {
                            return view! { <p class="muted">"No values yet: rates need two samples."</p> }
                                .into_any();
                        }
                        let to_ms = w.last_at_ms;
                        let from_ms = to_ms - i64::try_from(WINDOW_SECS * 1_000).unwrap_or(0);
                        let values = w
                            .group(group)
                            .map(|(key, series)| (key.clone(), series.latest()))
                            .collect::<Vec<_>>();
                        view! {
                            <Chart title=title.to_owned() lines from_ms to_ms />
                            <CurrentValues values thresholds unit />
                        }
                            .into_any()
                    })
            }}
        </section>
    }
}

#[component]
fn CurrentValues(
    values: Vec<(String, Option<f64>)>,
    thresholds: StoredValue<Vec<Threshold>>,
    unit: &'static str,
) -> impl IntoView {
    let rows = values
        .into_iter()
        .enumerate()
        .map(|(n, (key, value))| {
            let breached = value.is_some_and(|v| {
                thresholds.with_value(|all| all.iter().any(|t| t.series == key && t.breached_by(v)))
            });
            let text = value.map_or_else(|| "–".to_owned(), |v| format!("{}{unit}", number(v)));
            view! {
                <tr class:breach=breached>
                    <th scope="row">
                        <span class=format!("swatch line-{}", n % 6)></span>
                        {label(&key)}
                    </th>
                    <td data-series=key.clone()>{text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="values">
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The migration's state and any running step with its progress.
#[component]
pub fn MigrationPanel(window: RwSignal<Window>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="panel-migration">
            <h2 id="panel-migration">"Migration"</h2>
            {move || {
                window
                    .with(|w| match &w.migration {
                        None => view! { <p class="muted">"Not sampled yet."</p> }.into_any(),
                        Some(Err(reason)) => {
                            view! { <p class="notice" role="status">{reason.clone()}</p> }.into_any()
                        }
                        Some(Ok(progress)) => view! { <Progress progress=progress.clone() /> }.into_any(),
                    })
            }}
        </section>
    }
}

#[component]
fn Progress(progress: MigrationProgress) -> impl IntoView {
    let MigrationProgress {
        migration,
        state,
        running_step,
        done,
        total,
    } = progress;
    view! {
        <p>
            <code>{migration}</code> ": " <strong data-testid="monitor-migration-state">{state.as_str()}</strong>
        </p>
        {running_step
            .map(|step| {
                view! {
                    <p>
                        "Applying: " {step}
                    </p>
                }
            })}
        {(total > 0)
            .then(|| {
                view! {
                    <label>
                        "Latest run: " {done} " of " {total} " changes done "
                        <progress max=total.to_string() value=done.to_string()></progress>
                    </label>
                }
            })}
    }
}

/// When the newest sample was taken and its number.
#[component]
pub fn LastSample(window: RwSignal<Window>, live: RwSignal<bool>) -> impl IntoView {
    view! {
        <p class="last-sample" data-live=move || live.get().to_string()>
            "Last sample: "
            <span data-testid="last-sample">
                {move || {
                    window
                        .with(|w| {
                            if w.last_seq == 0 {
                                "none yet".to_owned()
                            } else {
                                format!("{} (#{})", clock(w.last_at_ms), w.last_seq)
                            }
                        })
                }}
            </span>
            {move || {
                window.with(|w| format!(" · one sample every {} s, charts of the last 15 minutes", w.interval_secs))
            }}
        </p>
    }
}

/// A series key as a label: `pool/127.0.0.1:27017/in_use` → `127.0.0.1:27017 in use`.
pub fn label(key: &str) -> String {
    key.split_once('/')
        .map_or(key, |(_, rest)| rest)
        .replace(['/', '_'], " ")
}
