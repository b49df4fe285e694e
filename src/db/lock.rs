//! The migration lock: one document, taken atomically with a lease
//! (`findOneAndUpdate` with upsert; a duplicate-key error means another
//! holder won the race), renewed while a step runs, released by its owner.
//! Every time in it is the database server's (`$$NOW`), never an app
//! host's, so two app hosts whose clocks differ agree on when it expires.

use super::error::{codes, rfc3339};
use super::{Collection, Database, DbError};
use crate::model::LockHolder;
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use std::time::Duration;

const LOCK_ID: &str = "migration-lock";

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
            .map_err(DbError::from);
        match taken {
            Ok(Some(lock)) if lock.get_str("owner") == Ok(owner) => return Ok(Ok(())),
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
        Ok(lock.map(|lock| LockHolder {
            owner: lock.get_str("owner").unwrap_or("?").to_owned(),
            since: rfc3339(lock.get_datetime("since").ok()),
            expires_at: rfc3339(lock.get_datetime("expiresAt").ok()),
        }))
    }
}
