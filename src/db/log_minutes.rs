//! The Forest server's error lines per minute, stored so that the errors
//! since the migration started survive a restart of the app (its log
//! watcher counts only lines written after it started). One document per
//! minute, raised with `$max`, so that two writers never lower a count.

use super::error::stored;
use super::numbers::count;
use super::{Collection, Database, DbError};
use mongodb::bson::doc;
use serde::Deserialize;

/// One minute's record, `_id` the minute since the epoch. Its count reads
/// as `as_count` reads any number: a negative or non-numeric one as zero.
#[derive(Debug, Deserialize)]
struct MinuteDocument {
    #[serde(default, deserialize_with = "count")]
    errors: u64,
}

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
            let minute: MinuteDocument =
                stored(Collection::LogMinutes, cursor.deserialize_current()?)?;
            errors += minute.errors;
        }
        Ok(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{Bson, Document};

    fn errors(document: Document) -> u64 {
        stored::<MinuteDocument>(Collection::LogMinutes, document)
            .expect("a minute")
            .errors
    }

    #[test]
    fn a_minute_reads_its_count_as_any_number_reads() {
        assert_eq!(
            errors(doc! { "_id": 1_i64, "errors": 1_i64 << 40 }),
            1 << 40
        );
        assert_eq!(errors(doc! { "_id": 1_i64, "errors": 3 }), 3);
        assert_eq!(errors(doc! { "_id": 1_i64, "errors": 2.9 }), 2);
        assert_eq!(errors(doc! { "_id": 1_i64, "errors": -4_i64 }), 0);
        assert_eq!(errors(doc! { "_id": 1_i64, "errors": "many" }), 0);
        assert_eq!(errors(doc! { "_id": 1_i64, "errors": Bson::Null }), 0);
        assert_eq!(errors(doc! { "_id": 1_i64 }), 0);
    }
}
