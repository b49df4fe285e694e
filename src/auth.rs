//! Accounts, password hashing, sessions and roles: who someone is and
//! whether they may do a thing. Every change and every refusal is audited.

mod accounts;
mod admin_powers;
mod demo;
mod password;
mod rate_limit;
mod session;

pub use accounts::{
    AccountChange, authenticate, change_account, create_account, list_accounts, login, logout,
};
pub use demo::{DemoAccount, create_demo_accounts};
pub use rate_limit::LoginLimiter;
pub use session::{
    SECURE_SESSION_COOKIE, SESSION_COOKIE, SessionToken, session_cookie, token_from_cookie_header,
};
