//! Cleaning the duplicates of the new unique keys: the plan (which document
//! of each duplicated value is kept, and what happens to the others), and
//! what applying or undoing it did.

use serde::{Deserialize, Serialize};

/// Which document of a duplicated value keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepRule {
    /// The earliest `createdAt`, then the smallest `_id`.
    #[default]
    Oldest,
    /// The latest `updatedAt`, then the largest `_id`.
    Newest,
}

impl KeepRule {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "oldest",
            Self::Newest => "newest",
        }
    }

    /// `oldest` or `newest`; `None` for anything else.
    pub fn parse(word: &str) -> Option<Self> {
        [Self::Oldest, Self::Newest]
            .into_iter()
            .find(|rule| rule.as_str() == word)
    }
}

/// What happens to a document that does not keep its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DedupeAction {
    /// `$unset` the key, so that the client syncs it again as a new record.
    Unset,
    /// Delete it: it is the kept document again, apart from its `_id`.
    Delete,
}

impl DedupeAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unset => "unset",
            Self::Delete => "delete",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::Unset, Self::Delete]
            .into_iter()
            .find(|action| action.as_str() == word)
    }
}

/// One document the plan changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DedupeChange {
    /// `tasks.clientId`.
    pub key: String,
    pub value: String,
    /// The document's `_id`, as hex or text.
    pub id: String,
    /// The `_id` of the document that keeps the value.
    pub kept_id: String,
    pub action: DedupeAction,
}

/// The plan for one unique key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCleanup {
    pub key: String,
    /// False when the collection does not exist yet.
    pub exists: bool,
    /// Duplicated string values.
    pub values: u64,
    pub to_unset: u64,
    pub to_delete: u64,
    /// Extra copies identical to their kept document apart from `_id`,
    /// found whether or not they are to be deleted.
    pub identical: u64,
}

/// What cleaning the duplicates would change; changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DedupePlan {
    pub keep: KeepRule,
    pub drop_identical: bool,
    pub keys: Vec<KeyCleanup>,
    /// Documents that would change, over every key.
    pub total: u64,
    /// Position of `changes[0]` among all of them.
    pub offset: u64,
    /// The requested page of the documents that would change.
    pub changes: Vec<DedupeChange>,
}

impl DedupePlan {
    /// Extra identical copies found, over every key.
    pub fn identical(&self) -> u64 {
        self.keys.iter().map(|k| k.identical).sum()
    }
}

/// What applying the plan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DedupeOutcome {
    /// The changelog run, which the undo names.
    pub run: String,
    /// Where the prior state of every touched document was exported.
    pub export: String,
    pub unset: u64,
    pub deleted: u64,
    /// Groups that changed while the cleanup ran and were planned again.
    pub replanned: u64,
    pub rounds: u32,
    /// Keys still holding duplicated values when the last round ended
    /// (the Forest app kept writing them).
    pub remaining: Vec<String>,
}

/// What undoing a cleanup did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UndoOutcome {
    /// The cleanup run that was undone.
    pub run: String,
    pub restored: u64,
    /// Exported documents already as they were before the cleanup.
    pub unchanged: u64,
    /// `_id`s changed by someone else since the cleanup: left as they are.
    pub left_alone: Vec<String>,
}
