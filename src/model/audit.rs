//! Entries of the audit log as the Audit page shows them.

use serde::{Deserialize, Serialize};

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    /// Refused before anything ran: not signed in, wrong role, rate-limited.
    Denied,
    /// Ran and failed.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::Ok, Self::Denied, Self::Failed]
            .into_iter()
            .find(|o| o.as_str() == word)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339.
    pub at: String,
    /// A username, `anonymous`, or `cli:<os user>`.
    pub actor: String,
    /// What was attempted, e.g. `login`, `user.create`, `step.migrate`.
    pub action: String,
    /// What it was done to, e.g. a username; empty when nothing.
    pub target: String,
    pub outcome: Outcome,
    /// A short code for denials and failures (`UNAUTHENTICATED`, `E11000`, ...).
    pub error_code: Option<String>,
    pub detail: Option<String>,
    /// Where an anonymous request came from (an address, or an IPv6 /64).
    pub address: Option<String>,
    /// How many times it happened: 1, or the refusals of one address folded
    /// into one row per hour, action and outcome.
    pub count: u64,
}

/// Which entries the Audit page asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
}
