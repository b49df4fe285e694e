//! The app's accounts and sessions. Passwords arrive hashed and sessions
//! arrive as the hash of their token: neither secret is ever stored.

use super::error::{codes, rfc3339};
use super::{Collection, Database, DbError};
use crate::model::{Role, UserSummary};
use mongodb::IndexModel;
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::IndexOptions;
use std::time::{Duration, SystemTime};

/// An account as stored.
#[derive(Debug, Clone)]
pub struct Account {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    /// When the account last gained an admin's powers (created as an admin,
    /// promoted, re-enabled, or given a new password as an admin); `None`
    /// for others and for accounts stored before this was recorded.
    pub admin_since: Option<SystemTime>,
}

/// A change to one account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    Role(Role),
    Disabled(bool),
    PasswordHash(String),
}

fn account_from(document: &Document) -> Result<Account, DbError> {
    let role = document
        .get_str("role")
        .map_err(DbError::shape_of(Collection::Accounts))?;
    Ok(Account {
        username: document
            .get_str("_id")
            .map_err(DbError::shape_of(Collection::Accounts))?
            .to_owned(),
        password_hash: document
            .get_str("passwordHash")
            .map_err(DbError::shape_of(Collection::Accounts))?
            .to_owned(),
        role: Role::parse(role).ok_or_else(|| {
            DbError::shape(Collection::Accounts, format!("unknown role {role:?}"))
        })?,
        disabled: document.get_bool("disabled").unwrap_or(false),
        admin_since: document
            .get_datetime("adminSince")
            .ok()
            .map(|at| at.to_system_time()),
    })
}

impl Database {
    /// Creates the indexes the accounts, sessions and audit need; idempotent.
    pub async fn prepare_app_collections(&self) -> Result<(), DbError> {
        let ttl = IndexOptions::builder()
            .name("expiresAt_ttl".to_owned())
            .expire_after(Duration::ZERO)
            .build();
        // Keeps a folded row of anonymous refusals one row under races.
        let one_row_per_fold = IndexOptions::builder()
            .name("foldKey_unique".to_owned())
            .unique(true)
            .partial_filter_expression(doc! { "foldKey": { "$type": "string" } })
            .build();
        let indexes = [
            (
                Collection::Sessions,
                doc! { "expiresAt": 1 },
                Some(ttl.clone()),
            ),
            (Collection::Audit, doc! { "at": -1 }, None),
            (
                Collection::Audit,
                doc! { "foldKey": 1 },
                Some(one_row_per_fold),
            ),
            (Collection::ApiProbes, doc! { "recordedAt": -1 }, None),
            (
                Collection::SignInLimits,
                doc! { "expiresAt": 1 },
                Some(ttl.clone()),
            ),
            (Collection::Jobs, doc! { "expiresAt": 1 }, Some(ttl)),
            (Collection::Jobs, doc! { "startedAt": -1 }, None),
        ];
        for (collection, keys, options) in indexes {
            let index = IndexModel::builder().keys(keys).options(options).build();
            self.collection(collection).create_index(index).await?;
        }
        Ok(())
    }

    /// Adds an account; `Ok(false)` when the name is taken.
    pub async fn insert_account(&self, account: &Account) -> Result<bool, DbError> {
        let now = DateTime::now();
        let mut document = doc! {
            "_id": &account.username,
            "passwordHash": &account.password_hash,
            "role": account.role.as_str(),
            "disabled": account.disabled,
            "createdAt": now,
            "updatedAt": now,
        };
        if account.role == Role::Admin {
            document.insert("adminSince", now);
        }
        let inserted = self
            .collection(Collection::Accounts)
            .insert_one(document)
            .await;
        match inserted.map_err(DbError::from) {
            Ok(_) => Ok(true),
            Err(error) if error.code() == Some(codes::DUPLICATE_KEY) => Ok(false),
            Err(error) => Err(error),
        }
    }

    pub async fn find_account(&self, username: &str) -> Result<Option<Account>, DbError> {
        self.collection(Collection::Accounts)
            .find_one(doc! { "_id": username })
            .await?
            .as_ref()
            .map(account_from)
            .transpose()
    }

    pub async fn count_accounts(&self) -> Result<u64, DbError> {
        Ok(self
            .collection(Collection::Accounts)
            .count_documents(doc! {})
            .await?)
    }

    pub async fn list_accounts(&self) -> Result<Vec<UserSummary>, DbError> {
        let mut cursor = self
            .collection(Collection::Accounts)
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await?;
        let mut accounts = Vec::new();
        while cursor.advance().await? {
            let document = cursor.deserialize_current()?;
            let account = account_from(&document)?;
            accounts.push(UserSummary {
                username: account.username,
                role: account.role,
                disabled: account.disabled,
                created_at: rfc3339(document.get_datetime("createdAt").ok()),
            });
        }
        Ok(accounts)
    }

    /// Applies one change atomically; `Ok(false)` when there is no such
    /// account. `becomes_admin` records that the account gains an admin's
    /// powers now (a promotion or re-enabling), which approvals check.
    pub async fn change_account(
        &self,
        username: &str,
        change: &AccountChange,
        becomes_admin: bool,
    ) -> Result<bool, DbError> {
        let mut set = match change {
            AccountChange::Role(role) => doc! { "role": role.as_str() },
            AccountChange::Disabled(disabled) => doc! { "disabled": disabled },
            AccountChange::PasswordHash(hash) => doc! { "passwordHash": hash },
        };
        let now = DateTime::now();
        set.insert("updatedAt", now);
        if becomes_admin {
            set.insert("adminSince", now);
        }
        let result = self
            .collection(Collection::Accounts)
            .update_one(doc! { "_id": username }, doc! { "$set": set })
            .await?;
        Ok(result.matched_count == 1)
    }

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
            .map(|s| {
                s.get_str("username")
                    .map(str::to_owned)
                    .map_err(DbError::shape_of(Collection::Accounts))
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
}
