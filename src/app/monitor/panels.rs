//! The Monitor page's panels, each a component of its own, so that more
//! panels can be added beside them: a chart group (live or from the
//! history) with its legend, and the migration's progress.

use super::chart::{Chart, Frame, Line};
use super::readout::Cursor;
use super::time::clock;
use crate::model::{MigrationProgress, Point, Threshold, WINDOW_SECS, Window, group_of};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// A chart group: its series' prefix, and how the page names and explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub key: &'static str,
    pub title: &'static str,
    /// Whose numbers these are: "database server", "this runbook's pool".
    pub whose: &'static str,
    pub unit: &'static str,
    pub about: &'static str,
}

/// A panel with its title, whose numbers it shows, and what they mean.
#[component]
pub fn GroupPanel(group: Group, children: Children) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby=format!("panel-{}", group.key)>
            <h2 id=format!(
                "panel-{}",
                group.key,
            )>{group.title} " " <span class="whose">{group.whose}</span></h2>
            <p class="about">{group.about}</p>
            {children()}
        </section>
    }
}

/// One chart group over the live window, with each series' current value
/// (coloured when a threshold is breached), or why its source cannot be read.
#[component]
pub fn ChartPanel(
    window: RwSignal<Window>,
    thresholds: StoredValue<Vec<Threshold>>,
    group: Group,
) -> impl IntoView {
    let cursor = Cursor::new();
    view! {
        <GroupPanel group>
            {move || {
                window
                    .with(|w| {
                        if let Some(reason) = w.unavailable(group.key) {
                            return view! {
                                <p class="notice" role="status">
                                    {reason.to_owned()}
                                </p>
                            }
                                .into_any();
                        }
                        let series = w
                            .group(group.key)
                            .map(|(key, s)| (key.clone(), s.points.iter().copied().collect()))
                            .collect();
                        let to_ms = w.last_at_ms;
                        let interval_ms = i64::try_from(w.interval_secs * 1_000).unwrap_or(2_000);
                        let frame = Frame {
                            from_ms: to_ms - i64::try_from(WINDOW_SECS * 1_000).unwrap_or(0),
                            to_ms,
                            gap_ms: interval_ms * 5 / 2,
                        };
                        let name = format!("{}: the last 15 minutes", group.title);
                        let empty = "No values yet: rates need two samples.";
                        view! { <GroupChart series group frame name thresholds cursor empty /> }
                            .into_any()
                    })
            }}
        </GroupPanel>
    }
}

/// The lines of a group, its chart and its legend.
#[component]
pub fn GroupChart(
    /// The group's series, by key.
    series: BTreeMap<String, Vec<Point>>,
    group: Group,
    frame: Frame,
    name: String,
    thresholds: StoredValue<Vec<Threshold>>,
    cursor: Cursor,
    /// What the panel says when the group has no values.
    empty: &'static str,
) -> impl IntoView {
    if series.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    let legend = series
        .iter()
        .map(|(key, points)| (key.clone(), points.last().map(|p| p.value)))
        .collect();
    let lines = series
        .into_iter()
        .map(|(key, points)| Line {
            label: label(&key),
            key,
            points,
        })
        .collect();
    view! {
        <Chart name=name.clone() lines frame unit=group.unit cursor />
        <Legend name values=legend thresholds unit=group.unit />
    }
    .into_any()
}

/// The series of `group` among `all`.
pub fn of_group(all: &BTreeMap<String, Vec<Point>>, group: &str) -> BTreeMap<String, Vec<Point>> {
    all.iter()
        .filter(|(key, _)| group_of(key) == group)
        .map(|(key, points)| (key.clone(), points.clone()))
        .collect()
}

/// Each line's colour, label and latest value.
#[component]
fn Legend(
    name: String,
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
            let text = value.map_or_else(
                || "–".to_owned(),
                |v| format!("{}{unit}", super::chart::number(v)),
            );
            view! {
                <tr class:breach=breached>
                    <th scope="row">
                        <span class=format!("swatch line-{}", n % 6) aria-hidden="true"></span>
                        {label(&key)}
                    </th>
                    <td data-series=key.clone()>{text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="values" aria-label=format!("{name}: legend and latest values")>
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
                            view! {
                                <p class="notice" role="status">
                                    {reason.clone()}
                                </p>
                            }
                                .into_any()
                        }
                        Some(Ok(progress)) => {
                            view! { <Progress progress=progress.clone() /> }.into_any()
                        }
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
            <code>{migration}</code>
            ": "
            <strong data-testid="monitor-migration-state">{state.as_str()}</strong>
        </p>
        {running_step
            .map(|step| {
                view! { <p>"Applying: " {step}</p> }
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
                window
                    .with(|w| {
                        format!(
                            " · one sample every {} s, charts of the last 15 minutes",
                            w.interval_secs,
                        )
                    })
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
