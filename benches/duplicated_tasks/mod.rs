//! The data of the duplicate benches: tasks of which 1% repeat a `clientId`.

use mongodb::bson::{Document, doc};
use std::time::{Duration, Instant};

/// Writes `count` tasks of which every hundredth repeats the `clientId` of
/// the one before it (1% duplicated), in batches; answers how long it took.
pub async fn load_duplicated_tasks(
    tasks: &mongodb::Collection<Document>,
    count: usize,
) -> Duration {
    const BATCH: usize = 10_000;
    let started = Instant::now();
    for start in (0..count).step_by(BATCH) {
        let batch = (start..(start + BATCH).min(count)).map(|i| {
            let id = if i % 100 == 1 { i - 1 } else { i };
            doc! { "title": format!("task {i}"), "status": "TODO", "clientId": format!("client-{id:08}") }
        });
        tasks
            .insert_many(batch)
            .ordered(false)
            .await
            .expect("insert");
    }
    started.elapsed()
}
