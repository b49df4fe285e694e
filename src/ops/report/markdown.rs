//! The report as Markdown, for a ticket or a chat: the numbers, then one
//! table row per event with a link to its evidence. Every recorded text is
//! escaped, so a note cannot break the table or smuggle in HTML.

use crate::model::{DeploymentReport, duration};
use std::fmt::Write;

/// `report` as Markdown; `base` is put before each link's path.
pub fn to_markdown(report: &DeploymentReport, base: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Deployment report: {} on {}\n",
        cell(&report.migration),
        cell(&report.database)
    );
    let since = report.since.as_deref().map_or_else(
        || "from the first records".to_owned(),
        |since| format!("since {since} (the end of the rollback before it)"),
    );
    let _ = writeln!(out, "Made {} · {since}\n", report.generated_at);
    let _ = writeln!(out, "{}\n", report.tally.sentence());
    out.push_str("## The plan\n\n");
    for change in &report.plan {
        let took = match &change.finished_at {
            Some(_) => format!(" ({})", duration(change.duration_ms)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "- {}: {}{took}",
            cell(&change.description),
            change.outcome.as_str()
        );
    }
    out.push_str("\n## What happened\n\n");
    out.push_str("| Time (UTC) | Who | What | Outcome | Took | Detail | Evidence |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for event in &report.events {
        let took = event.duration_ms.map(duration).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {took} | {} | [{}]({base}{}) |",
            cell(&event.at),
            cell(&event.actor),
            cell(&event.what),
            event.outcome.as_str(),
            cell(event.detail.as_deref().unwrap_or_default()),
            cell(&event.link),
            event.link.replace(['(', ')', ' '], ""),
        );
    }
    if report.events.is_empty() {
        out.push_str("| | | Nothing recorded yet. | | | | |\n");
    }
    if report.left_out > 0 {
        let _ = writeln!(
            out,
            "\n{} later events are not listed: the report holds the first {}.",
            report.left_out,
            report.events.len()
        );
    }
    out
}

/// `text` safe inside a table cell: one line, no column breaks, no HTML,
/// no link or code of its own. Underscores stay: names are full of them,
/// and inside a word they emphasise nothing.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '|' | '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_note_stays_in_its_cell() {
        let note = "a | b\n<script>alert(1)</script> [x](javascript:y) **bold**";
        let escaped = cell(note);
        assert!(!escaped.contains('\n'));
        assert_eq!(escaped.matches('|').count(), escaped.matches("\\|").count());
        assert!(!escaped.contains("<script>"));
        assert!(escaped.contains("\\[x\\]"));
    }
}
