//! Session tokens and the cookie that carries them. The browser holds the
//! token; the database holds only its SHA-256, so a copy of the sessions
//! collection cannot be used to sign in.

use crate::ops::digest::{hex, sha256_hex};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use std::time::Duration;

pub const SESSION_COOKIE: &str = "forest_session";

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

/// The token in a `Cookie:` header, if it has the right shape.
pub fn token_from_cookie_header(header: &str) -> Option<SessionToken> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|value| SessionToken(value.to_owned()))
}

/// A `Set-Cookie:` value: the session for `max_age`, or (with `None`) one
/// that clears it. `secure` when the request came over TLS.
pub fn session_cookie(token: Option<&SessionToken>, max_age: Duration, secure: bool) -> String {
    let (value, age) = match token {
        Some(token) => (token.as_str(), max_age.as_secs()),
        None => ("", 0),
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={age}{secure}")
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
        assert!(session_cookie(Some(&token), Duration::from_secs(60), true).ends_with("; Secure"));
        let header = format!("theme=dark; {SESSION_COOKIE}={}; other=1", token.as_str());
        assert_eq!(token_from_cookie_header(&header), Some(token));
        assert_eq!(token_from_cookie_header("forest_session=../../etc"), None);
        assert!(session_cookie(None, Duration::ZERO, false).contains("Max-Age=0"));
    }
}
