//! Password hashing with Argon2id (the `argon2` crate's defaults, OWASP's
//! recommended parameters). Hashing runs on a blocking thread.

use crate::ops::OpsError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Shortest password accepted for an account.
pub const MIN_LENGTH: usize = 12;

pub fn check_strength(password: &str) -> Result<(), OpsError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(OpsError::InvalidInput {
            field: "password",
            message: format!("must be at least {MIN_LENGTH} characters"),
        });
    }
    Ok(())
}

pub async fn hash(password: String) -> Result<String, OpsError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| OpsError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| OpsError::Internal(format!("password hashing task failed: {e}")))?
}

/// True when `password` matches `stored`. With no stored hash (an unknown
/// user) it still does the work of one verification, so that the answer
/// takes as long as for a real account.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, OpsError> {
    tokio::task::spawn_blocking(move || {
        let argon = Argon2::default();
        let Some(stored) = stored else {
            let salt = SaltString::generate(&mut OsRng);
            let _ = argon.hash_password(password.as_bytes(), &salt);
            return false;
        };
        PasswordHash::new(&stored)
            .map(|parsed| argon.verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .map_err(|e| OpsError::Internal(format!("password check task failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery".to_owned())
            .await
            .expect("hash");
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(
            verify("correct horse battery".into(), Some(stored.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery".into(), Some(stored))
                .await
                .expect("verify")
        );
        assert!(!verify("anything".into(), None).await.expect("verify"));
        assert!(
            !verify("anything".into(), Some("not a hash".into()))
                .await
                .expect("verify")
        );
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("twelve chars").is_ok());
    }
}
