//! CSV downloads: a header row and one record per row, quoted as needed.

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
        writer.write_record(row).map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}
