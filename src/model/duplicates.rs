//! Duplicate reports: the groups of a new unique key's duplicated string
//! values, and the documents that cannot collide under its partial index.

use super::Blocker;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How many `_id`s a group lists at most (capped inside the aggregation).
pub const IDS_PER_GROUP: usize = 20;

/// How long a count of the duplicates is reused: the pages many people
/// read count again in the background once theirs is older; migrate's
/// preflight counts again first (and whenever the count found duplicates,
/// which may have been cleaned by hand), and its unique index builds are
/// the last check either way (a build that meets a duplicate fails and
/// leaves no index).
pub const RECOUNT_AFTER: Duration = Duration::from_secs(60);

/// One string value held by more than one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateGroup {
    pub value: String,
    pub count: u64,
    /// At most `IDS_PER_GROUP` of the documents' `_id`s, as hex or text.
    pub ids: Vec<String>,
}

/// Which part of the groups a report lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPage {
    pub offset: u64,
    pub limit: u64,
}

impl ReportPage {
    /// Everything, for CSV exports.
    pub const ALL: Self = Self {
        offset: 0,
        limit: u64::MAX,
    };
}

/// The duplicates of one unique key, `collection.field`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DuplicateReport {
    pub collection: String,
    pub field: String,
    /// False when the collection does not exist yet (all counts are zero).
    pub exists: bool,
    /// Distinct string values held by more than one document.
    pub duplicated_values: u64,
    /// Documents holding one of those values.
    pub duplicated_documents: u64,
    /// The requested page of groups, most repeated first.
    pub groups: Vec<DuplicateGroup>,
    /// Position of `groups[0]` among all groups.
    pub offset: u64,
    pub nulls: u64,
    pub non_strings: u64,
    pub missing: u64,
    /// The aggregation stopped at its time bound: counts are lower bounds.
    pub time_limited: bool,
    pub max_time_ms: u64,
}

impl DuplicateReport {
    /// `tasks.clientId`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.collection, self.field)
    }

    /// Why migrate may not build this key's unique index yet, if it may
    /// not: duplicated values, or a count cut short by its bound.
    pub fn blocker(&self) -> Option<Blocker> {
        if self.time_limited {
            Some(Blocker::CountUnfinished {
                key: self.key(),
                max_time_ms: self.max_time_ms,
            })
        } else {
            (self.duplicated_values > 0).then(|| Blocker::Duplicated {
                key: self.key(),
                values: self.duplicated_values,
                first: self.values().into_iter().map(str::to_owned).collect(),
            })
        }
    }

    /// One line: the key, its duplicated values, and the others counted apart.
    pub fn summary(&self) -> String {
        if !self.exists {
            return format!("{}: the collection does not exist yet", self.key());
        }
        let listed = if self.groups.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.values().join(", "))
        };
        let bound = if self.time_limited {
            format!(
                " [stopped at the {} ms bound: counts are incomplete]",
                self.max_time_ms
            )
        } else {
            String::new()
        };
        format!(
            "{}: {} duplicated values{listed}; {} null, {} non-string, {} missing{bound}",
            self.key(),
            self.duplicated_values,
            self.nulls,
            self.non_strings,
            self.missing
        )
    }

    /// Values of this page's groups, for one-line summaries.
    pub fn values(&self) -> Vec<&str> {
        self.groups.iter().map(|g| g.value.as_str()).collect()
    }
}

/// Why `null`, non-string and missing values never collide, in one sentence.
pub const WHY_NOT_COUNTED: &str = "The unique index applies only to documents whose value is a \
     string (partialFilterExpression {$type: \"string\"}), so documents holding null, another \
     type, or no value at all never collide with each other.";
