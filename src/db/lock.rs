//! The migration lock: one document, taken atomically with a lease
//! (`findOneAndUpdate` with upsert; a duplicate-key error means another
//! holder won the race), renewed while a step runs, released by its owner.
//! Every time in it is the database server's (`$$NOW`), never an app
//! host's, so two app hosts whose clocks differ agree on when it expires.

use super::error::{codes, rfc3339, stored, unknown};
use super::{Collection, Database, DbError};
use crate::model::LockHolder;
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::ReturnDocument;
use serde::Deserialize;
use std::time::Duration;

const LOCK_ID: &str = "migration-lock";

/// The lock as stored (whether it is held is asked of the server, in the
/// query); its times are the server's.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockDocument {
    #[serde(default = "unknown")]
    owner: String,
    since: Option<DateTime>,
    expires_at: Option<DateTime>,
}

impl From<LockDocument> for LockHolder {
    fn from(lock: LockDocument) -> Self {
        LockHolder {
            owner: lock.owner,
            since: rfc3339(lock.since.as_ref()),
            expires_at: rfc3339(lock.expires_at.as_ref()),
        }
    }
}

fn lock_from(document: Document) -> Result<LockDocument, DbError> {
    stored(Collection::Locks, document)
}

/// The server's clock plus `lease`, as an aggregation expression
/// (`$dateAdd`, MongoDB 5.0 and later).
fn server_now_plus(lease: Duration) -> Document {
    let millis = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
    doc! { "$dateAdd": { "startDate": "$$NOW", "unit": "millisecond", "amount": millis } }
}

/// Matches a lock whose lease ran out by the server's clock.
fn expired() -> Document {
    doc! { "$expr": { "$lt": ["$expiresAt", "$$NOW"] } }
}

impl Database {
    /// Takes the lock for `owner` for `lease`, or says who holds it.
    pub async fn acquire_lock(
        &self,
        owner: &str,
        lease: Duration,
    ) -> Result<Result<(), LockHolder>, DbError> {
        let taken = self
            .collection(Collection::Locks)
            .find_one_and_update(
                doc! { "_id": LOCK_ID, "$or": [{ "locked": false }, expired()] },
                vec![doc! { "$set": {
                    "locked": true,
                    "owner": owner,
                    "since": "$$NOW",
                    "expiresAt": server_now_plus(lease),
                } }],
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(DbError::from)
            .and_then(|lock| lock.map(lock_from).transpose());
        match taken {
            Ok(Some(lock)) if lock.owner == owner => return Ok(Ok(())),
            Err(error) if error.code() != Some(codes::DUPLICATE_KEY) => return Err(error),
            _ => {}
        }
        // No lock, or someone else's, in the answer. A server that found no
        // free lock and then met one released in parallel may have taken it
        // for us and answered no document (secantusd-rs does): the stored
        // holder says.
        let holder = self.holder_or_unknown().await?;
        Ok(if holder.owner == owner {
            Ok(())
        } else {
            Err(holder)
        })
    }

    async fn holder_or_unknown(&self) -> Result<LockHolder, DbError> {
        Ok(self.lock_holder().await?.unwrap_or(LockHolder {
            owner: "another run that has just finished".to_owned(),
            since: String::new(),
            expires_at: String::new(),
        }))
    }

    /// Extends `owner`'s lease; `false` when `owner` no longer holds the lock.
    pub async fn renew_lock(&self, owner: &str, lease: Duration) -> Result<bool, DbError> {
        let result = self
            .collection(Collection::Locks)
            .update_one(
                doc! { "_id": LOCK_ID, "owner": owner, "locked": true },
                vec![doc! { "$set": { "expiresAt": server_now_plus(lease) } }],
            )
            .await?;
        Ok(result.matched_count == 1)
    }

    /// Releases the lock if `owner` holds it; never someone else's.
    pub async fn release_lock(&self, owner: &str) -> Result<(), DbError> {
        self.collection(Collection::Locks)
            .update_one(
                doc! { "_id": LOCK_ID, "owner": owner },
                doc! { "$set": { "locked": false } },
            )
            .await?;
        Ok(())
    }

    /// The live holder of the lock; `None` when it is free or its lease ran out.
    pub async fn lock_holder(&self) -> Result<Option<LockHolder>, DbError> {
        let lock = self
            .collection(Collection::Locks)
            .find_one(doc! {
                "_id": LOCK_ID,
                "locked": true,
                "$expr": { "$gt": ["$expiresAt", "$$NOW"] },
            })
            .await?;
        Ok(lock.map(lock_from).transpose()?.map(LockHolder::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_lock_reads_as_its_holder_and_a_missing_owner_as_a_question_mark() {
        let holder = LockHolder::from(
            lock_from(doc! {
                "_id": LOCK_ID, "locked": true, "owner": "ada@host",
                "since": DateTime::from_millis(0), "expiresAt": DateTime::from_millis(60_000),
            })
            .expect("a lock"),
        );
        assert_eq!(holder.owner, "ada@host");
        assert_eq!(holder.since, "1970-01-01T00:00:00Z");
        assert_eq!(holder.expires_at, "1970-01-01T00:01:00Z");
        let nobody = LockHolder::from(lock_from(doc! { "locked": true }).expect("a lock"));
        assert_eq!((nobody.owner.as_str(), nobody.since.as_str()), ("?", ""));
    }

    #[test]
    fn a_lock_with_a_field_of_another_type_is_refused_by_name() {
        for document in [
            doc! { "owner": 7 },
            doc! { "owner": "ada", "expiresAt": "soon" },
        ] {
            let refused = lock_from(document);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.is_shape_of(Collection::Locks)),
                "{refused:?}"
            );
        }
    }
}
