//! Signing in and out, finding who holds a session, and managing accounts.

use super::admin_powers;
use super::password;
use super::rate_limit::LoginLimiter;
use super::session::SessionToken;
use crate::db::{self, Account, Database};
use crate::model::Action;
use crate::model::{CurrentUser, Role, UserSummary};
use crate::ops::OpsError;
use crate::ops::audit::{self, Actor};
use crate::ops::four_eyes;
use std::time::{Duration, SystemTime};

/// A change an admin makes to an account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    Role(Role),
    Disabled(bool),
    Password(String),
}

impl AccountChange {
    fn action(&self) -> Action {
        match self {
            Self::Role(_) => Action::UserRole,
            Self::Disabled(true) => Action::UserDisable,
            Self::Disabled(false) => Action::UserEnable,
            Self::Password(_) => Action::UserPasswordReset,
        }
    }
}

/// Longest user name, in characters (all of them ASCII).
const MAX_USERNAME: usize = 64;

fn check_username(username: &str) -> Result<(), OpsError> {
    let ok = (1..=MAX_USERNAME).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(OpsError::InvalidInput {
            field: "username",
            message: "use 1 to 64 letters, digits, dots, dashes or underscores".to_owned(),
        })
    }
}

/// Checks the password and opens a session of `lifetime`. Every outcome is
/// audited; a failure never says whether the account exists. The limiter
/// counts the attempt before the password is checked, so parallel guesses
/// get no more checks than sequential ones.
pub async fn login(
    db: &Database,
    limiter: &LoginLimiter,
    username: &str,
    password: &str,
    address: &str,
    lifetime: Duration,
) -> Result<(CurrentUser, SessionToken), OpsError> {
    let username = username.trim();
    // No account has a longer name; the cut bounds what a stranger's
    // attempt can make the limiter and the audit log hold.
    let named = audit::cut(username, MAX_USERNAME);
    let stranger = Actor::Anonymous {
        address: address.to_owned(),
    };
    let attempt = match limiter.attempt(db, named, address).await? {
        Ok(attempt) => attempt,
        Err(retry_after_secs) => {
            let error = OpsError::RateLimited { retry_after_secs };
            audit::record(db, &stranger, Action::Login, named, Err(&error)).await?;
            return Err(error);
        }
    };
    let account = if named.len() == username.len() {
        db.find_account(username).await?
    } else {
        None
    };
    let stored = account.as_ref().map(|a| a.password_hash.clone());
    let matches = password::verify(password.to_owned(), stored).await?;
    let account = account.filter(|a| matches && !a.disabled);
    let Some(account) = account else {
        let error = OpsError::LoginFailed;
        audit::record(db, &stranger, Action::Login, named, Err(&error)).await?;
        return Err(error);
    };
    attempt.succeeded(db).await?;
    let user = CurrentUser {
        username: account.username,
        role: account.role,
    };
    let token = SessionToken::generate();
    db.insert_session(
        &token.hashed(),
        &user.username,
        SystemTime::now() + lifetime,
    )
    .await?;
    audit::record(
        db,
        &Actor::User(user.clone()),
        Action::Login,
        &user.username,
        Ok(()),
    )
    .await?;
    Ok((user, token))
}

/// Ends the session on the server; the cookie alone is then worthless.
pub async fn logout(
    db: &Database,
    token: &SessionToken,
    user: CurrentUser,
) -> Result<(), OpsError> {
    db.delete_session(&token.hashed()).await?;
    let target = user.username.clone();
    audit::record(db, &Actor::User(user), Action::Logout, &target, Ok(())).await
}

/// The signed-in person behind `token`, if the session is live and the
/// account enabled.
pub async fn authenticate(
    db: &Database,
    token: &SessionToken,
) -> Result<Option<CurrentUser>, OpsError> {
    let Some(username) = db.find_session(&token.hashed()).await? else {
        return Ok(None);
    };
    Ok(db
        .find_account(&username)
        .await?
        .filter(|account| !account.disabled)
        .map(|account| CurrentUser {
            username: account.username,
            role: account.role,
        }))
}

pub async fn list_accounts(db: &Database) -> Result<Vec<UserSummary>, OpsError> {
    Ok(db.list_accounts().await?)
}

/// Creates an account; audited as `user.create`. An admin account needs a
/// second admin's approval while four-eyes is on.
pub async fn create_account(
    db: &Database,
    actor: &Actor,
    username: &str,
    role: Role,
    password: &str,
) -> Result<(), OpsError> {
    let username = username.trim();
    audit::audited(db, actor, Action::UserCreate, username, async {
        check_username(username)?;
        password::check_strength(password)?;
        if let Some(guarded) = admin_powers::creating(username, role) {
            four_eyes::authorize(db, actor, guarded.action, username, &guarded.plan).await?;
        }
        let account = Account {
            username: username.to_owned(),
            password_hash: password::hash(password.to_owned()).await?,
            role,
            disabled: false,
            admin_since: None,
        };
        if db.insert_account(&account).await? {
            Ok(())
        } else {
            Err(OpsError::Conflict(format!(
                "the user {username} already exists"
            )))
        }
    })
    .await
}

/// Changes one account. Refuses to leave the install without an enabled
/// admin. Disabling and password resets end the account's sessions. A
/// change that hands out an admin's powers needs a second admin's approval
/// while four-eyes is on (`admin_powers`).
pub async fn change_account(
    db: &Database,
    actor: &Actor,
    username: &str,
    change: AccountChange,
) -> Result<(), OpsError> {
    audit::audited(db, actor, change.action(), username, async {
        let Some(account) = db.find_account(username).await? else {
            return Err(OpsError::NotFound(format!("the user {username}")));
        };
        let loses_admin = account.role == Role::Admin
            && !account.disabled
            && matches!(
                change,
                AccountChange::Role(Role::Viewer | Role::ReleaseManager)
                    | AccountChange::Disabled(true)
            );
        if loses_admin && enabled_admins(db).await? <= 1 {
            return Err(OpsError::Conflict(
                "this is the last enabled admin; make another admin first".to_owned(),
            ));
        }
        if let AccountChange::Password(password) = &change {
            password::check_strength(password)?;
        }
        let guarded = admin_powers::changing(&account, &change);
        if let Some(guarded) = &guarded {
            four_eyes::authorize(db, actor, guarded.action, username, &guarded.plan).await?;
        }
        // Each guarded change (a new admin, or a new password of one that
        // someone else now knows) starts the wait before it may approve.
        let becomes_admin = guarded.is_some();
        let stored = match &change {
            AccountChange::Role(role) => db::AccountField::Role(*role),
            AccountChange::Disabled(disabled) => db::AccountField::Disabled(*disabled),
            AccountChange::Password(password) => {
                db::AccountField::PasswordHash(password::hash(password.clone()).await?)
            }
        };
        db.change_account(username, &stored, becomes_admin).await?;
        if matches!(
            change,
            AccountChange::Disabled(true) | AccountChange::Password(_)
        ) {
            db.delete_sessions_of(username).await?;
        }
        Ok(())
    })
    .await
}

async fn enabled_admins(db: &Database) -> Result<usize, OpsError> {
    Ok(db
        .list_accounts()
        .await?
        .iter()
        .filter(|a| a.role == Role::Admin && !a.disabled)
        .count())
}
