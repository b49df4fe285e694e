//! The data of the duplicate benches: tasks of which 1% repeat a `clientId`.

use mongodb::bson::{Bson, Document, doc};
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

/// The bare shell aggregation: the `clientId` strings held more than once.
pub async fn bare_duplicated_values(tasks: &mongodb::Collection<Document>) -> Vec<Bson> {
    let mut groups = tasks
        .aggregate([
            doc! { "$match": { "clientId": { "$type": "string" } } },
            doc! { "$group": { "_id": "$clientId", "n": { "$sum": 1 } } },
            doc! { "$match": { "n": { "$gt": 1 } } },
        ])
        .allow_disk_use(true)
        .await
        .expect("aggregate");
    let mut values = Vec::new();
    while groups.advance().await.expect("advance") {
        if let Some(value) = groups.deserialize_current().expect("group").get("_id") {
            values.push(value.clone());
        }
    }
    values
}
