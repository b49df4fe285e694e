//! Phase 0's changes issued directly, one command each, as a person would
//! type them in the shell: the bare operation the benches hold migrate and
//! revert against.

use forest_runbook::db::Database;
use forest_runbook::ops::migration::{Change, PHASE_0};

/// `createCollection` and `createIndexes` of every change, in order.
pub async fn apply_directly(db: &Database) {
    for change in PHASE_0.changes {
        match change {
            Change::CreateCollection { collection } => {
                db.create_collection(*collection).await.expect("create")
            }
            Change::CreateIndex(spec) => db.create_index(spec).await.expect("index"),
        }
    }
}

/// `dropIndexes` and `drop` of every change, newest first.
pub async fn undo_directly(db: &Database) {
    for change in PHASE_0.changes.iter().rev() {
        match change {
            Change::CreateCollection { collection } => {
                db.drop_collection(*collection).await.expect("drop")
            }
            Change::CreateIndex(spec) => db
                .drop_index(spec.collection, spec.name)
                .await
                .expect("drop index"),
        }
    }
}
