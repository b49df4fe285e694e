//! Answering as soon as a step's run is recorded: a request that starts
//! migrate or revert gets the running record back at once, while the step
//! goes on on a task of its own (a closed browser tab stops nothing), and
//! everyone watching reads its progress from the changelog.
//!
//! The step tells its waiter through a task-local sender, set only by
//! `answer_when_started`; every other caller (the command line, a
//! rehearsal, the tests) runs the same step without one.

use super::run::latest;
use crate::db::Database;
use crate::model::{ChangeResult, RunKind, RunRecord};
use crate::ops::OpsError;
use std::cell::Cell;
use tokio::sync::oneshot;

tokio::task_local! {
    static STARTED: Cell<Option<oneshot::Sender<String>>>;
}

/// Records the start of a run, with every change pending, and tells the
/// waiter, if there is one, its id.
pub(crate) async fn start_run(
    db: &Database,
    migration: &str,
    kind: RunKind,
    checksum: &str,
    started_by: &str,
    changes: &[ChangeResult],
) -> Result<String, OpsError> {
    let run = db
        .start_run(migration, kind, checksum, started_by, changes)
        .await?;
    // Without a waiter (`try_with` fails) there is nobody to tell; a waiter
    // that went away (`send` fails) no longer needs telling.
    if let Ok(Some(waiter)) = STARTED.try_with(Cell::take) {
        let _gone = waiter.send(run.clone());
    }
    Ok(run)
}

/// Runs `step` on a task of its own and answers with its run as soon as
/// the run is recorded, running; a step that ends before recording one
/// (a refusal: the lock is held, the preflight failed) answers how it
/// ended.
pub async fn answer_when_started<F>(
    db: &Database,
    migration: &str,
    step: F,
) -> Result<RunRecord, OpsError>
where
    F: Future<Output = Result<RunRecord, OpsError>> + Send + 'static,
{
    let (waiter, started) = oneshot::channel();
    let mut task = tokio::spawn(STARTED.scope(Cell::new(Some(waiter)), step));
    tokio::select! {
        biased;
        ended = &mut task => ended.map_err(|stopped| OpsError::Internal(stopped.to_string()))?,
        Ok(run) = started => latest(db, migration, &run).await,
    }
}
