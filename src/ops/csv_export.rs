//! CSV downloads: a header row and one record per row, quoted as needed.
//! Every cell a spreadsheet would read as a formula is neutralised here,
//! the one writer every export goes through.

use super::OpsError;

/// The rows as CSV text, `header` first.
pub fn to_csv<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> Result<String, OpsError> {
    let failed = |e: &dyn std::fmt::Display| OpsError::Internal(format!("CSV export failed: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(|e| failed(&e))?;
    for row in rows {
        let cells = row.each_ref().map(|cell| inert(cell));
        writer
            .write_record(cells.iter().map(|cell| cell.as_bytes()))
            .map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

/// OWASP's CSV-injection rule: a cell that starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return would be run as a formula by a spreadsheet
/// (a user name `=HYPERLINK(...)` in the audit log, say), so it is
/// prefixed with `'`, which makes the spreadsheet show it as text.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_made_text() {
        let csv = to_csv(
            ["a", "b"],
            [
                [
                    "=HYPERLINK(\"http://evil\",\"x\")".to_owned(),
                    "+1".to_owned(),
                ],
                ["-2".to_owned(), "@SUM(A1)".to_owned()],
                ["\tx".to_owned(), "\rcmd".to_owned()],
                ["ada".to_owned(), "a=b".to_owned()],
            ],
        )
        .expect("csv");
        let mut lines = csv.lines();
        assert_eq!(lines.next(), Some("a,b"));
        assert_eq!(
            lines.next(),
            Some("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",'+1")
        );
        assert_eq!(lines.next(), Some("'-2,'@SUM(A1)"));
        assert!(
            csv.contains("'\tx") && csv.contains("\"'\rcmd\""),
            "{csv:?}"
        );
        assert!(csv.ends_with("ada,a=b\n"), "{csv:?}");
    }
}
