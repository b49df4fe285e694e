//! User management, for admins: create accounts, change roles, disable,
//! reset passwords. The server checks the role again on every action.

use super::feedback::action_error;
use super::loaded::Loaded;
use super::session::{GuardedResource, RequireRole, guarded};
use crate::api::{CreateUser, ResetUserPassword, SetUserDisabled, SetUserRole, list_users};
use crate::app::grid;
use crate::model::{Role, UserSummary};
use leptos::prelude::*;

#[component]
pub fn UsersPage() -> impl IntoView {
    let actions = UserActions {
        create: ServerAction::new(),
        set_role: ServerAction::new(),
        set_disabled: ServerAction::new(),
        reset: ServerAction::new(),
    };
    let users = guarded(Role::Admin, || (), |_| list_users());
    view! {
        <h1>"Users"</h1>
        <RequireRole role=Role::Admin>
            <UserManagement actions users />
        </RequireRole>
    }
}

/// The page's actions, owned by the page (see `guarded`).
#[derive(Clone, Copy)]
struct UserActions {
    create: ServerAction<CreateUser>,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
}

#[component]
fn UserManagement(actions: UserActions, users: GuardedResource<Vec<UserSummary>>) -> impl IntoView {
    let UserActions {
        create,
        set_role,
        set_disabled,
        reset,
    } = actions;
    view! {
        {action_error(create)}
        {action_error(set_role)}
        {action_error(set_disabled)}
        {action_error(reset)}
        <table class="grid">
            {grid::head(&["User", "Role", "State", "Password"])} <tbody>
                <Loaded resource=users columns=4 let:list>
                    {list
                        .into_iter()
                        .map(|user| view! { <UserRow user set_role set_disabled reset /> })
                        .collect_view()}
                </Loaded>
            </tbody>
        </table>
        <h2>"Add a user"</h2>
        <ActionForm action=create attr:class="form" attr:aria-label="Add a user">
            <label>"User name" <input type="text" name="username" required /></label>
            <label>"Role" <RoleSelect selected=Role::Viewer /></label>
            <label>
                "Password (12 characters or more)"
                <input type="password" name="password" autocomplete="new-password" required />
            </label>
            <button type="submit">"Add user"</button>
        </ActionForm>
    }
}

#[component]
fn RoleSelect(selected: Role) -> impl IntoView {
    view! {
        <select name="role">
            {Role::ALL
                .into_iter()
                .map(|role| {
                    view! {
                        <option value=role.as_str() selected=role == selected>
                            {role.label()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

#[component]
fn UserRow(
    user: UserSummary,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
) -> impl IntoView {
    let (role_name, toggle_name, reset_name) = (
        user.username.clone(),
        user.username.clone(),
        user.username.clone(),
    );
    let (toggle_label, toggle_to) = if user.disabled {
        ("Enable", "false")
    } else {
        ("Disable", "true")
    };
    view! {
        <tr>
            <th scope="row">{user.username.clone()}</th>
            <td>
                <ActionForm action=set_role attr:class="inline">
                    <input type="hidden" name="username" value=role_name.clone() />
                    <RoleSelect selected=user.role />
                    <button type="submit">"Change role"</button>
                </ActionForm>
            </td>
            <td>
                {if user.disabled { "Disabled" } else { "Active" }}
                <ActionForm action=set_disabled attr:class="inline">
                    <input type="hidden" name="username" value=toggle_name.clone() />
                    <input type="hidden" name="disabled" value=toggle_to />
                    <button type="submit">{toggle_label}</button>
                </ActionForm>
            </td>
            <td>
                <ActionForm action=reset attr:class="inline">
                    <input type="hidden" name="username" value=reset_name.clone() />
                    <input
                        type="password"
                        name="password"
                        autocomplete="new-password"
                        aria-label=format!("New password for {}", user.username)
                        required
                    />
                    <button type="submit">"Reset password"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
