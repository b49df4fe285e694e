//! The app's accounts and sessions. Passwords arrive hashed and sessions
//! arrive as the hash of their token: neither secret is ever stored.

use super::error::{codes, rfc3339, stored};
use super::{Collection, Database, DbError};
use crate::model::{Role, UserSummary};
use mongodb::IndexModel;
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::IndexOptions;
use serde::Deserialize;
use std::collections::HashSet;
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

/// The field an account change (`auth::AccountChange`) writes: a new
/// password arrives here already hashed.
#[derive(Debug, Clone)]
pub enum AccountField {
    Role(Role),
    Disabled(bool),
    PasswordHash(String),
}

/// An account as stored, `_id` its username. Its role is parsed in one
/// place, `Account::try_from`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountDocument {
    #[serde(rename = "_id")]
    username: String,
    password_hash: String,
    role: String,
    #[serde(default)]
    disabled: bool,
    admin_since: Option<DateTime>,
    created_at: Option<DateTime>,
}

impl TryFrom<AccountDocument> for Account {
    type Error = DbError;

    fn try_from(account: AccountDocument) -> Result<Self, DbError> {
        let role = Role::parse(&account.role).ok_or_else(|| {
            DbError::shape(
                Collection::Accounts,
                format!("unknown role {:?}", account.role),
            )
        })?;
        Ok(Account {
            username: account.username,
            password_hash: account.password_hash,
            role,
            disabled: account.disabled,
            admin_since: account.admin_since.map(DateTime::to_system_time),
        })
    }
}

fn account_from(document: Document) -> Result<Account, DbError> {
    Account::try_from(stored::<AccountDocument>(Collection::Accounts, document)?)
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
            let stored: AccountDocument =
                stored(Collection::Accounts, cursor.deserialize_current()?)?;
            let created_at = rfc3339(stored.created_at.as_ref());
            let account = Account::try_from(stored)?;
            accounts.push(UserSummary {
                username: account.username,
                role: account.role,
                disabled: account.disabled,
                created_at,
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
        change: &AccountField,
        becomes_admin: bool,
    ) -> Result<bool, DbError> {
        let mut set = match change {
            AccountField::Role(role) => doc! { "role": role.as_str() },
            AccountField::Disabled(disabled) => doc! { "disabled": disabled },
            AccountField::PasswordHash(hash) => doc! { "passwordHash": hash },
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

    /// Which of `usernames` name an account that exists and is not
    /// disabled, in one read.
    pub(super) async fn enabled_accounts(
        &self,
        usernames: &[&String],
    ) -> Result<HashSet<String>, DbError> {
        let mut cursor = self
            .collection(Collection::Accounts)
            .find(doc! { "_id": { "$in": usernames } })
            .await?;
        let mut enabled = HashSet::new();
        while cursor.advance().await? {
            let account = account_from(cursor.deserialize_current()?)?;
            if !account.disabled {
                enabled.insert(account.username);
            }
        }
        Ok(enabled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_account_reads_with_its_role_parsed_and_old_accounts_without_admin_since() {
        let admin = account_from(doc! {
            "_id": "ada", "passwordHash": "$argon2id$x", "role": "admin", "disabled": false,
            "createdAt": DateTime::from_millis(0), "adminSince": DateTime::from_millis(1_000),
        })
        .expect("an account");
        assert_eq!((admin.username.as_str(), admin.role), ("ada", Role::Admin));
        assert_eq!(
            admin.admin_since,
            Some(DateTime::from_millis(1_000).to_system_time())
        );
        let old = account_from(doc! { "_id": "bob", "passwordHash": "h", "role": "viewer" })
            .expect("an account");
        assert_eq!((old.disabled, old.admin_since), (false, None));
    }

    #[test]
    fn an_account_of_another_shape_is_refused_by_name() {
        for document in [
            doc! { "_id": "ada", "passwordHash": "h", "role": "emperor" },
            doc! { "_id": "ada", "role": "admin" },
            doc! { "_id": "ada", "passwordHash": "h", "role": "admin", "disabled": "no" },
            doc! { "_id": "ada", "passwordHash": "h", "role": "admin", "adminSince": 5 },
        ] {
            let refused = account_from(document);
            assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Accounts)));
        }
    }
}
