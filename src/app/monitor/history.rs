//! The Monitor's longer ranges, read from the kept minutes: the chart
//! groups over the range, or, around the migration, each series' numbers
//! before and after side by side. Rendered whole on the server, so it reads
//! the same without JavaScript.

use super::GROUPS;
use super::chart::{Frame, number};
use super::panels::{Group, GroupChart, GroupPanel, label, of_group};
use super::readout::Cursor;
use super::time::day_and_time;
use crate::model::{Compared, Comparison, HistoryRange, MonitorHistory, Span, Summary, group_of};
use leptos::prelude::*;

/// How a chart's name says its range.
fn span_words(range: HistoryRange) -> &'static str {
    match range {
        HistoryRange::Live => "the last 15 minutes",
        HistoryRange::Deployment => "since the deployment started",
        HistoryRange::Day => "the last 24 hours",
        HistoryRange::Compare => "before and after the migration",
    }
}

fn span_text(span: Span) -> String {
    format!(
        "{} to {}",
        day_and_time(span.from_ms),
        day_and_time(span.to_ms)
    )
}

#[component]
pub fn HistoryView(history: MonitorHistory) -> impl IntoView {
    let MonitorHistory {
        range,
        span,
        step_secs,
        series,
        comparison,
        note,
        keep_days,
    } = history;
    let step = if step_secs <= 60 {
        "one point a minute".to_owned()
    } else {
        format!("one point every {} minutes", step_secs / 60)
    };
    let about = match &comparison {
        Some(_) => format!("From the minutes kept in the database ({keep_days} days)."),
        None if span.from_ms == span.to_ms => String::new(),
        None => format!(
            "{}: {step}, from the minutes kept in the database ({keep_days} days).",
            span_text(span)
        ),
    };
    let body = match comparison {
        Some(comparison) => view! { <Compare comparison /> }.into_any(),
        None if span.from_ms == span.to_ms => ().into_any(),
        None => {
            let frame = Frame {
                from_ms: span.from_ms,
                to_ms: span.to_ms,
                gap_ms: i64::try_from(step_secs * 1_000).unwrap_or(60_000) * 3 / 2,
            };
            let panels = GROUPS
                .into_iter()
                .map(|group| {
                    let series = of_group(&series, group.key);
                    let name = format!("{}: {}", group.title, span_words(range));
                    let cursor = Cursor::new();
                    let thresholds = StoredValue::new(Vec::new());
                    let empty = "No minutes kept for this range.";
                    view! {
                        <GroupPanel group>
                            <GroupChart series group frame name thresholds cursor empty />
                        </GroupPanel>
                    }
                })
                .collect_view();
            view! { <div class="panels">{panels}</div> }.into_any()
        }
    };
    view! {
        <p class="last-sample" data-testid="history-span">
            {about}
        </p>
        {note
            .map(|note| {
                view! {
                    <p class="notice" role="status">
                        {note}
                    </p>
                }
            })}
        {body}
    }
}

/// Each group's series, the hour before the migration against the hour
/// after it.
#[component]
fn Compare(comparison: Comparison) -> impl IntoView {
    let after_words = if comparison.finished {
        "the hour after it ended"
    } else {
        "since it started (it has not finished)"
    };
    let headline = format!(
        "The hour before the latest migrate run started ({}) against {after_words} ({}).",
        span_text(comparison.before),
        span_text(comparison.after)
    );
    let panels = GROUPS
        .into_iter()
        .map(|group| {
            let rows: Vec<Compared> = comparison
                .rows
                .iter()
                .filter(|row| group_of(&row.series) == group.key)
                .cloned()
                .collect();
            view! {
                <GroupPanel group>
                    <CompareTable group rows />
                </GroupPanel>
            }
        })
        .collect_view();
    view! {
        <p>{headline}</p>
        <div class="panels">{panels}</div>
    }
}

#[component]
fn CompareTable(group: Group, rows: Vec<Compared>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"No minutes kept on either side."</p> }.into_any();
    }
    let unit = group.unit;
    let cell = move |side: Option<Summary>, pick: fn(Summary) -> f64| {
        side.map_or_else(|| "–".to_owned(), |s| format!("{}{unit}", number(pick(s))))
    };
    let body = rows
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{label(&row.series)}</th>
                    <td data-side="before">{cell(row.before, |s| s.value)}</td>
                    <td>{cell(row.before, |s| s.peak)}</td>
                    <td data-side="after">{cell(row.after, |s| s.value)}</td>
                    <td>{cell(row.after, |s| s.peak)}</td>
                    <td>{change(row.before, row.after)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table
            class="values compare"
            aria-label=format!("{}: before and after the migration", group.title)
        >
            <thead>
                <tr>
                    <th scope="col">"Series"</th>
                    <th scope="col">"Before"</th>
                    <th scope="col">"Peak"</th>
                    <th scope="col">"After"</th>
                    <th scope="col">"Peak"</th>
                    <th scope="col">"Change"</th>
                </tr>
            </thead>
            <tbody>{body}</tbody>
        </table>
    }
    .into_any()
}

/// The change of the value, as a share of the value before.
fn change(before: Option<Summary>, after: Option<Summary>) -> String {
    match (before, after) {
        (Some(b), Some(a)) if b.value != 0.0 => {
            format!("{:+.0}%", (a.value - b.value) / b.value.abs() * 100.0)
        }
        (Some(b), Some(a)) if a.value == b.value => "same".to_owned(),
        _ => "–".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(value: f64) -> Option<Summary> {
        Some(Summary { value, peak: value })
    }

    #[test]
    fn a_change_is_a_share_of_the_value_before() {
        assert_eq!(change(summary(4.0), summary(5.0)), "+25%");
        assert_eq!(change(summary(4.0), summary(1.0)), "-75%");
        assert_eq!(change(summary(0.0), summary(0.0)), "same");
        assert_eq!(change(summary(0.0), summary(3.0)), "–");
        assert_eq!(change(None, summary(3.0)), "–");
    }
}
