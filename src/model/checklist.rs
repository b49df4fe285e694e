//! The deployment checklist as the page shows it: each item ticked by a
//! person, or proven by the app with a link to its evidence.

use super::Blocker;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Done,
    /// Its newest evidence fails: a later verification failed, or the
    /// backup it relied on is gone.
    NeedsAttention,
    /// Its evidence fails, and a person acknowledged exactly that failure
    /// with a note; a newer failure reopens it.
    Acknowledged,
}

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::NeedsAttention => "needs attention",
            Self::Acknowledged => "done (acknowledged)",
        }
    }

    /// Done, with or without an acknowledgement.
    pub fn is_done(self) -> bool {
        matches!(self, Self::Done | Self::Acknowledged)
    }
}

/// What the app found that proves (or disproves) an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    pub passed: bool,
    pub summary: String,
    /// Where a person can see it in the app.
    pub href: String,
    /// RFC 3339.
    pub at: String,
}

/// A person's tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tick {
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub note: String,
    /// Where the evidence was that the item was ticked on, if any.
    #[serde(default)]
    pub evidence: Option<String>,
}

/// A person's acknowledgement of failing evidence ("unrelated: cron job
/// timeout").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Acknowledgement {
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub note: String,
    /// The failing evidence it acknowledged (its time and summary).
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    /// Stable key, e.g. `backup`.
    pub key: String,
    pub title: String,
    pub status: ItemStatus,
    pub tick: Option<Tick>,
    /// For items the app can prove: what it found, if anything.
    pub evidence: Option<Evidence>,
    /// True when the app looks for evidence of this item.
    pub provable: bool,
    /// The latest acknowledgement of failing evidence, current or not.
    #[serde(default)]
    pub acknowledgement: Option<Acknowledgement>,
}

/// Whether `migrate` would start now, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Readiness {
    pub ready: bool,
    pub summary: String,
    pub blockers: Vec<Blocker>,
    /// When the duplicates behind `blockers` were counted (RFC 3339): the
    /// count is kept for a while (`RECOUNT_AFTER`).
    pub duplicates_counted_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checklist {
    pub migration: String,
    pub items: Vec<ChecklistItem>,
    pub readiness: Readiness,
}

impl Checklist {
    /// Items done, for "4 of 6".
    pub fn done(&self) -> usize {
        self.items.iter().filter(|i| i.status.is_done()).count()
    }

    /// Items not done yet, for the readiness line.
    pub fn open(&self) -> usize {
        self.items.len() - self.done()
    }
}
