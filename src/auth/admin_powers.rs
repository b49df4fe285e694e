//! Which account changes hand someone an admin's powers, and so need a
//! second admin's approval while four-eyes is on: creating an admin,
//! promoting someone to admin, re-enabling a disabled admin, and setting an
//! admin's password (whoever sets it can sign in as that admin). Without
//! this, one admin could make a second admin and approve their own
//! requests with it. Pure: the gate itself is `ops::four_eyes::authorize`.

use super::accounts::AccountChange;
use crate::db::Account;
use crate::model::Action;
use crate::model::Role;

/// A change that needs four-eyes: its action and exactly what will run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded {
    pub action: Action,
    pub plan: String,
}

/// Creating `username` with `role`.
pub fn creating(username: &str, role: Role) -> Option<Guarded> {
    (role == Role::Admin).then(|| Guarded {
        action: Action::UserCreateAdmin,
        plan: format!("create the account {username} with the Admin role"),
    })
}

/// Applying `change` to `account`.
pub fn changing(account: &Account, change: &AccountChange) -> Option<Guarded> {
    let name = &account.username;
    let disabled = if account.disabled { ", disabled" } else { "" };
    match change {
        AccountChange::Role(Role::Admin) if account.role != Role::Admin => Some(Guarded {
            action: Action::UserPromote,
            plan: format!(
                "give {name} (now {}{disabled}) the Admin role",
                account.role.label()
            ),
        }),
        AccountChange::Disabled(false) if account.role == Role::Admin && account.disabled => {
            Some(Guarded {
                action: Action::UserEnableAdmin,
                plan: format!("re-enable the disabled admin {name}"),
            })
        }
        AccountChange::Password(_) if account.role == Role::Admin => Some(Guarded {
            action: Action::UserPasswordResetAdmin,
            plan: format!(
                "set a new password for the admin {name}{} and end their sessions",
                if account.disabled { " (disabled)" } else { "" }
            ),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role, disabled: bool) -> Account {
        Account {
            username: "bob".into(),
            password_hash: String::new(),
            role,
            disabled,
            admin_since: None,
        }
    }

    #[test]
    fn only_changes_that_hand_out_admin_powers_are_guarded() {
        assert_eq!(
            creating("bob", Role::Admin).map(|g| g.plan),
            Some("create the account bob with the Admin role".to_owned())
        );
        assert_eq!(creating("bob", Role::ReleaseManager), None);
        let promote = changing(
            &account(Role::Viewer, true),
            &AccountChange::Role(Role::Admin),
        );
        assert_eq!(
            promote.map(|g| (g.action, g.plan)),
            Some((
                Action::UserPromote,
                "give bob (now Viewer, disabled) the Admin role".to_owned()
            ))
        );
        let admin = account(Role::Admin, false);
        assert_eq!(changing(&admin, &AccountChange::Role(Role::Admin)), None);
        assert_eq!(changing(&admin, &AccountChange::Role(Role::Viewer)), None);
        assert_eq!(changing(&admin, &AccountChange::Disabled(true)), None);
        assert_eq!(changing(&admin, &AccountChange::Disabled(false)), None);
        let disabled = account(Role::Admin, true);
        assert_eq!(
            changing(&disabled, &AccountChange::Disabled(false)).map(|g| g.action),
            Some(Action::UserEnableAdmin)
        );
        assert_eq!(
            changing(&admin, &AccountChange::Password("x".into())).map(|g| g.action),
            Some(Action::UserPasswordResetAdmin)
        );
        let viewer = account(Role::Viewer, false);
        assert_eq!(
            changing(&viewer, &AccountChange::Password("x".into())),
            None
        );
    }
}
