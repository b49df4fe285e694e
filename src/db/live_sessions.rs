//! Which of many sessions are still good, in two reads whatever their
//! number: the check behind every live stream (`server::live_sessions`).

use super::{Collection, Database, DbError};
use futures_util::TryStreamExt;
use mongodb::bson::{DateTime, doc};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

/// What the check reads of a session.
#[derive(Debug, Deserialize)]
struct SessionDocument {
    #[serde(rename = "_id")]
    token_hash: String,
    username: String,
}

/// What the check reads of an account: only that it is there.
#[derive(Debug, Deserialize)]
struct AccountDocument {
    #[serde(rename = "_id")]
    username: String,
}

impl Database {
    /// The hashes among `token_hashes` whose session has not expired and
    /// whose account exists and is not disabled, as `find_session` and
    /// `find_account` would each say.
    pub async fn sessions_alive(
        &self,
        token_hashes: &[String],
    ) -> Result<HashSet<String>, DbError> {
        let sessions: Vec<SessionDocument> = self
            .collection(Collection::Sessions)
            .clone_with_type::<SessionDocument>()
            .find(doc! { "_id": { "$in": token_hashes }, "expiresAt": { "$gt": DateTime::now() } })
            .projection(doc! { "username": 1 })
            .await?
            .try_collect()
            .await?;
        let mut holders: HashMap<String, Vec<String>> = HashMap::new();
        for session in sessions {
            holders
                .entry(session.username)
                .or_default()
                .push(session.token_hash);
        }
        let usernames: Vec<&String> = holders.keys().collect();
        let enabled: Vec<AccountDocument> = self
            .collection(Collection::Accounts)
            .clone_with_type::<AccountDocument>()
            .find(doc! { "_id": { "$in": usernames }, "disabled": { "$ne": true } })
            .projection(doc! { "_id": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(enabled
            .into_iter()
            .filter_map(|account| holders.remove(&account.username))
            .flatten()
            .collect())
    }
}
