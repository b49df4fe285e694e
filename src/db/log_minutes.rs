//! The Forest server's error lines per minute, stored so that the errors
//! since the migration started survive a restart of the app (its log
//! watcher counts only lines written after it started). One document per
//! minute, raised with `$max`, so that two writers never lower a count.

use super::numbers::as_count;
use super::{Collection, Database, DbError};
use mongodb::bson::doc;

impl Database {
    /// Keeps, for each (minute since the epoch, errors), the larger count.
    pub async fn keep_error_minutes(&self, minutes: &[(i64, u64)]) -> Result<(), DbError> {
        for (minute, errors) in minutes {
            let errors = i64::try_from(*errors).unwrap_or(i64::MAX);
            self.collection(Collection::LogMinutes)
                .update_one(
                    doc! { "_id": minute },
                    doc! { "$max": { "errors": errors } },
                )
                .upsert(true)
                .await?;
        }
        Ok(())
    }

    /// Errors stored for `from_minute` and every minute after it.
    pub async fn stored_errors_since(&self, from_minute: i64) -> Result<u64, DbError> {
        let mut cursor = self
            .collection(Collection::LogMinutes)
            .find(doc! { "_id": { "$gte": from_minute } })
            .await?;
        let mut errors = 0;
        while cursor.advance().await? {
            errors += as_count(cursor.deserialize_current()?.get("errors"));
        }
        Ok(errors)
    }
}
