//! Who is signed in and what they may do.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person may do. Each role includes everything of the roles below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Stakeholders: read every page, run nothing.
    Viewer,
    /// Runs backup, dry run, migrate and verify; ticks the checklist.
    ReleaseManager,
    /// Also rolls back, restores, manages users and settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Self::Viewer, Self::ReleaseManager, Self::Admin];

    /// The word stored and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::ReleaseManager => "release_manager",
            Self::Admin => "admin",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Viewer => "Viewer",
            Self::ReleaseManager => "Release manager",
            Self::Admin => "Admin",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        let word = word.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|role| role.as_str() == word)
    }

    /// True when this role may do what `required` may do.
    pub fn includes(self, required: Role) -> bool {
        self >= required
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The person behind a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub username: String,
    pub role: Role,
}

/// One account as the user-management page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub username: String,
    pub role: Role,
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_ones_below_them_only() {
        assert!(Role::Admin.includes(Role::ReleaseManager));
        assert!(Role::ReleaseManager.includes(Role::Viewer));
        assert!(!Role::Viewer.includes(Role::ReleaseManager));
        assert!(!Role::ReleaseManager.includes(Role::Admin));
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("Release-Manager"), Some(Role::ReleaseManager));
        assert_eq!(Role::parse("root"), None);
    }
}
