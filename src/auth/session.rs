//! Session tokens and the cookie that carries them. The browser holds the
//! token; the database holds only its SHA-256, so a copy of the sessions
//! collection cannot be used to sign in.

use crate::ops::digest::{hex, sha256_hex};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use std::time::Duration;

/// The cookie's name over plain HTTP.
pub const SESSION_COOKIE: &str = "forest_session";
/// Its name over HTTPS: browsers accept a `__Host-` cookie only when it is
/// `Secure`, has `Path=/` and no `Domain`, so another host (a sibling
/// subdomain) can neither set nor overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-forest_session";

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// A session token as the browser holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    /// 256 random bits from the operating system.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(hex(&bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up.
    pub fn hashed(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }
}

/// The token in a `Cookie:` header, if it has the right shape. Over HTTPS
/// (`secure`) only the `__Host-` cookie counts.
pub fn token_from_cookie_header(header: &str, secure: bool) -> Option<SessionToken> {
    let wanted = cookie_name(secure);
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|value| SessionToken(value.to_owned()))
}

/// A `Set-Cookie:` value: the session for `max_age`, or (with `None`) one
/// that clears it. `secure` when people reach the app over HTTPS (a
/// setting, never a request header a client could send).
pub fn session_cookie(token: Option<&SessionToken>, max_age: Duration, secure: bool) -> String {
    let (value, age) = match token {
        Some(token) => (token.as_str(), max_age.as_secs()),
        None => ("", 0),
    };
    let name = cookie_name(secure);
    let flag = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{flag}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let a = SessionToken::generate();
        let b = SessionToken::generate();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_ne!(a.hashed(), a.as_str());
        assert_eq!(a.hashed(), a.clone().hashed());
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_read_back() {
        let token = SessionToken::generate();
        let cookie = session_cookie(Some(&token), Duration::from_secs(60), false);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(!cookie.contains("Secure"));
        let secure = session_cookie(Some(&token), Duration::from_secs(60), true);
        assert!(secure.starts_with("__Host-forest_session=") && secure.ends_with("; Secure"));
        assert!(secure.contains("Path=/") && !secure.contains("Domain"));
        let header = format!("theme=dark; {SESSION_COOKIE}={}; other=1", token.as_str());
        assert_eq!(
            token_from_cookie_header(&header, false),
            Some(token.clone())
        );
        // Over HTTPS a plain cookie (which any sibling host can set) is ignored.
        assert_eq!(token_from_cookie_header(&header, true), None);
        let header = format!("{SECURE_SESSION_COOKIE}={}", token.as_str());
        assert_eq!(token_from_cookie_header(&header, true), Some(token));
        assert_eq!(
            token_from_cookie_header("forest_session=../../etc", false),
            None
        );
        assert!(session_cookie(None, Duration::ZERO, false).contains("Max-Age=0"));
    }
}
