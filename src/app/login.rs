//! The sign-in page.

use super::feedback::action_error;
use super::session::Session;
use leptos::prelude::*;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = Session::get();
    view! {
        <h1>"Sign in"</h1>
        <ActionForm action=session.login attr:class="form">
            <label>
                "User name" <input type="text" name="username" autocomplete="username" required />
            </label>
            <label>
                "Password"
                <input type="password" name="password" autocomplete="current-password" required />
            </label>
            <button type="submit">"Sign in"</button>
        </ActionForm>
        {action_error(session.login)}
    }
}
