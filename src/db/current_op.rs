//! Operations in progress as the server reports them (`$currentOp` on the
//! `admin` database): the progress of an index build.

use super::numbers::as_f64;
use super::{Database, DbError, IndexSpec};
use mongodb::bson::{Document, doc};

/// "Index Build: scanning collection: 450000 of 1000000 (45%)".
fn describe(op: &Document) -> String {
    let message = op.get_str("msg").unwrap_or("building");
    let progress = op.get_document("progress").ok();
    let done = progress.and_then(|p| as_f64(p.get("done")));
    let total = progress.and_then(|p| as_f64(p.get("total")));
    match (done, total) {
        (Some(done), Some(total)) if total > 0.0 => format!(
            "{message}: {done:.0} of {total:.0} ({:.0}%)",
            100.0 * done / total
        ),
        _ => format!(
            "{message} for {} s",
            as_f64(op.get("secs_running")).unwrap_or(0.0)
        ),
    }
}

impl Database {
    /// What the server reports of the build of `spec`, or `None` when it
    /// lists no such operation (it finished, or the server does not list
    /// index builds).
    pub async fn index_build_progress(&self, spec: &IndexSpec) -> Result<Option<String>, DbError> {
        let mut ops = self
            .client()
            .database("admin")
            .aggregate([
                doc! { "$currentOp": { "allUsers": true, "idleConnections": false } },
                doc! { "$match": {
                    "command.createIndexes": spec.collection.name(),
                    "command.indexes.name": spec.name,
                } },
            ])
            .await?;
        if ops.advance().await? {
            return Ok(Some(describe(&ops.deserialize_current()?)));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_reads_as_its_message_and_share_done() {
        let op = doc! {
            "msg": "Index Build: scanning collection",
            "progress": { "done": 450_000_i64, "total": 1_000_000_i32 },
        };
        assert_eq!(
            describe(&op),
            "Index Build: scanning collection: 450000 of 1000000 (45%)"
        );
        let op = doc! { "secs_running": 3_i64 };
        assert_eq!(describe(&op), "building for 3 s");
    }
}
