//! Sign-in sessions, one document per session, `_id` the hash of its
//! token (the token itself is never stored), removed by a TTL index once
//! expired; and the check of many sessions at once behind the live streams.

use super::error::stored;
use super::{Collection, Database, DbError};
use mongodb::bson::{DateTime, doc};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

/// A session as stored.
#[derive(Debug, Deserialize)]
struct SessionDocument {
    #[serde(rename = "_id")]
    token_hash: String,
    username: String,
}

impl Database {
    pub async fn insert_session(
        &self,
        token_hash: &str,
        username: &str,
        expires_at: SystemTime,
    ) -> Result<(), DbError> {
        self.collection(Collection::Sessions)
            .insert_one(doc! {
                "_id": token_hash,
                "username": username,
                "createdAt": DateTime::now(),
                "expiresAt": DateTime::from_system_time(expires_at),
            })
            .await?;
        Ok(())
    }

    /// The username of a session that has not expired. The TTL index removes
    /// expired sessions only eventually, so expiry is checked here too.
    pub async fn find_session(&self, token_hash: &str) -> Result<Option<String>, DbError> {
        let session = self
            .collection(Collection::Sessions)
            .find_one(doc! { "_id": token_hash, "expiresAt": { "$gt": DateTime::now() } })
            .await?;
        session
            .map(|session| {
                stored::<SessionDocument>(Collection::Sessions, session).map(|s| s.username)
            })
            .transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), DbError> {
        self.collection(Collection::Sessions)
            .delete_one(doc! { "_id": token_hash })
            .await?;
        Ok(())
    }

    /// Ends every session of `username` (after a password reset or disabling).
    pub async fn delete_sessions_of(&self, username: &str) -> Result<u64, DbError> {
        Ok(self
            .collection(Collection::Sessions)
            .delete_many(doc! { "username": username })
            .await?
            .deleted_count)
    }

    /// The hashes among `token_hashes` whose session has not expired and
    /// whose account exists and is not disabled, as `find_session` and
    /// `find_account` would each say; two reads, whatever their number.
    pub async fn sessions_alive(
        &self,
        token_hashes: &[String],
    ) -> Result<HashSet<String>, DbError> {
        let mut cursor = self
            .collection(Collection::Sessions)
            .find(doc! { "_id": { "$in": token_hashes }, "expiresAt": { "$gt": DateTime::now() } })
            .await?;
        let mut holders: HashMap<String, Vec<String>> = HashMap::new();
        while cursor.advance().await? {
            let session: SessionDocument =
                stored(Collection::Sessions, cursor.deserialize_current()?)?;
            holders
                .entry(session.username)
                .or_default()
                .push(session.token_hash);
        }
        let usernames: Vec<&String> = holders.keys().collect();
        let enabled = self.enabled_accounts(&usernames).await?;
        Ok(holders
            .into_iter()
            .filter(|(username, _)| enabled.contains(username))
            .flat_map(|(_, hashes)| hashes)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_of_another_shape_is_refused_by_name() {
        for document in [doc! { "_id": "t" }, doc! { "_id": 7, "username": "ada" }] {
            let session = stored::<SessionDocument>(Collection::Sessions, document);
            assert!(session.is_err_and(|e| e.is_shape_of(Collection::Sessions)));
        }
    }
}
