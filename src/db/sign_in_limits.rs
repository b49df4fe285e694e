//! The sign-in limiter's counts, one document per key (an account and
//! address pair, or an address), shared by every instance of the app. A
//! check and its count are one `findOneAndUpdate` with an update pipeline,
//! so parallel attempts, on one instance or many, are counted one after
//! another by the server; every time in it is the server's (`$$NOW`).
//! A new key's document is made first, with nothing counted, and then
//! counted like any other (an upsert that counts is not exact when two
//! attempts make the same key at once, see `check_and_count`).
//! A key's document expires (TTL on `expiresAt`) once its failures are
//! forgotten, and past `Backoff::max_keys` no new key is made: attempts
//! under new keys wait, so a flood of addresses cannot grow the collection
//! without bound nor switch the limiter off.

use super::error::made_already;
use super::numbers::as_count;
use super::{Collection, Database, DbError};
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use std::time::Duration;

/// How one kind of key is slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts let through before waits start.
    pub free: u32,
    /// The first wait; each further one doubles, up to `max_wait`.
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Quiet time after which a key's failures are forgotten (its document
    /// expires then).
    pub forget_after: Duration,
}

/// What the limiter answered for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Let through and counted.
    Counted,
    /// Refused; the attempt may start after this long.
    Wait(Duration),
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// `$last` plus `amount` milliseconds (an expression). Date arithmetic
/// goes through `$dateAdd` and `$dateDiff` (MongoDB 5.0), which every
/// server the app supports evaluates, rather than `$add` on a date.
fn after_last(amount: impl Into<mongodb::bson::Bson>) -> Document {
    doc! { "$dateAdd": { "startDate": "$last", "unit": "millisecond", "amount": amount.into() } }
}

/// The update pipeline: forgets stale failures, lets the attempt through
/// when the key is under its free attempts or its wait is over (and then
/// counts it), and leaves the outcome in `admitted` and `retryMs`.
fn counting_pipeline(backoff: Backoff) -> Vec<Document> {
    let free = i64::from(backoff.free);
    let forget = millis(backoff.forget_after);
    let wait = doc! { "$min": [
        millis(backoff.max_wait),
        { "$multiply": [
            millis(backoff.first_wait),
            { "$pow": [2_i64, { "$min": [{ "$subtract": ["$count", free] }, 31_i64] }] },
        ] },
    ] };
    vec![
        doc! { "$set": { "count": { "$cond": [
            { "$or": [
                { "$eq": [{ "$type": "$last" }, "missing"] },
                { "$gte": ["$$NOW", after_last(forget)] },
            ] },
            0_i64,
            "$count",
        ] } } },
        doc! { "$set": { "until": { "$cond": [
            { "$lt": ["$count", free] },
            "$$NOW",
            after_last(wait),
        ] } } },
        doc! { "$set": { "admitted": { "$gte": ["$$NOW", "$until"] } } },
        doc! { "$set": {
            "count": { "$cond": ["$admitted", { "$add": ["$count", 1_i64] }, "$count"] },
            "last": { "$cond": ["$admitted", "$$NOW", "$last"] },
            "retryMs": { "$cond": [
                "$admitted",
                0_i64,
                { "$dateDiff": { "startDate": "$$NOW", "endDate": "$until", "unit": "millisecond" } },
            ] },
        } },
        doc! { "$set": { "expiresAt": after_last(forget) } },
        doc! { "$unset": "until" },
    ]
}

impl Database {
    /// Checks `key` against `backoff` and counts the attempt when it may
    /// start, in one step. `may_grow` false: a key with no document yet
    /// waits `backoff.first_wait` instead of being made.
    pub async fn admit_sign_in(
        &self,
        key: &str,
        backoff: Backoff,
        may_grow: bool,
    ) -> Result<Admission, DbError> {
        let mut answer = self.check_and_count(key, backoff).await?;
        if answer.is_none() && may_grow {
            self.make_sign_in_key(key, backoff).await?;
            answer = self.check_and_count(key, backoff).await?;
        }
        let Some(answer) = answer else {
            return Ok(Admission::Wait(backoff.first_wait));
        };
        if answer.get_bool("admitted").unwrap_or(false) {
            return Ok(Admission::Counted);
        }
        let wait = Duration::from_millis(as_count(answer.get("retryMs")));
        Ok(Admission::Wait(wait.max(Duration::from_millis(1))))
    }

    /// The check and the count on `key`'s document, `None` when it has
    /// none. Never an upsert: a server that finds no document, then meets
    /// one a parallel attempt made, may apply the update to it and answer
    /// no document (secantusd-rs does), which would count an attempt that
    /// nobody was told was let through.
    async fn check_and_count(
        &self,
        key: &str,
        backoff: Backoff,
    ) -> Result<Option<Document>, DbError> {
        Ok(self
            .collection(Collection::SignInLimits)
            .find_one_and_update(doc! { "_id": key }, counting_pipeline(backoff))
            .return_document(ReturnDocument::After)
            .await?)
    }

    /// Makes `key`'s document with nothing counted, unless it exists: an
    /// update that only fills what is missing, so that making it twice, or
    /// over a parallel attempt's count, changes nothing.
    async fn make_sign_in_key(&self, key: &str, backoff: Backoff) -> Result<(), DbError> {
        let forget = millis(backoff.forget_after);
        let fill_missing = vec![doc! { "$set": {
            "count": { "$ifNull": ["$count", 0_i64] },
            "expiresAt": { "$ifNull": [
                "$expiresAt",
                { "$dateAdd": { "startDate": "$$NOW", "unit": "millisecond", "amount": forget } },
            ] },
        } }];
        made_already(
            self.collection(Collection::SignInLimits)
                .update_one(doc! { "_id": key }, fill_missing)
                .upsert(true)
                .await
                .map_err(DbError::from),
        )
    }

    /// Takes one attempt back from `key` (one that turned out right, or was
    /// refused under another key after this one counted it).
    pub async fn forgive_sign_in(&self, key: &str) -> Result<(), DbError> {
        self.collection(Collection::SignInLimits)
            .update_one(
                doc! { "_id": key },
                vec![doc! { "$set": { "count": { "$max": [0_i64, { "$subtract": ["$count", 1_i64] }] } } }],
            )
            .await?;
        Ok(())
    }

    /// Forgets every failure of `key`.
    pub async fn clear_sign_in(&self, key: &str) -> Result<(), DbError> {
        self.collection(Collection::SignInLimits)
            .delete_one(doc! { "_id": key })
            .await?;
        Ok(())
    }

    /// Whether fewer than `max_keys` keys are kept (an estimate from the
    /// collection's metadata, one cheap round trip).
    pub async fn sign_in_limits_have_room(&self, max_keys: u64) -> Result<bool, DbError> {
        let kept = self
            .collection(Collection::SignInLimits)
            .estimated_document_count()
            .await?;
        Ok(kept < max_keys)
    }
}
