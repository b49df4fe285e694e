//! The latest dry run of each migration: its plan, who ran it and when by
//! the server's clock. One document per migration, replaced by the next
//! dry run, so that the Runbook shows the same result to everyone and
//! after a reload or a form posted without JavaScript.

use super::error::{made_already, rfc3339, stored};
use super::{Collection, Database, DbError};
use crate::model::{Plan, PlanRecord};
use mongodb::bson::{DateTime, Document, doc};
use serde::Deserialize;

/// A dry run as it is stored; the plan is read by its own serde types, so
/// a stored record of the wrong shape is refused, never shown in part.
#[derive(Debug, Deserialize)]
struct PlanDocument {
    at: DateTime,
    by: String,
    plan: Plan,
}

impl From<PlanDocument> for PlanRecord {
    fn from(stored: PlanDocument) -> Self {
        Self {
            at: rfc3339(Some(&stored.at)),
            by: stored.by,
            plan: stored.plan,
        }
    }
}

fn from_document(document: Document) -> Result<PlanRecord, DbError> {
    stored::<PlanDocument>(Collection::Plans, document).map(PlanRecord::from)
}

impl Database {
    /// Keeps `plan` as its migration's latest dry run, run by `by`.
    pub async fn record_plan(&self, plan: &Plan, by: &str) -> Result<(), DbError> {
        let stored =
            mongodb::bson::to_document(plan).map_err(DbError::shape_of(Collection::Plans))?;
        // `$literal`: a command or a name starting with `$` stays text.
        let update = vec![doc! { "$set": {
            "at": "$$NOW",
            "by": by,
            "plan": { "$literal": stored },
        } }];
        // Two dry runs kept at the same moment: the other one is as new.
        made_already(
            self.collection(Collection::Plans)
                .update_one(doc! { "_id": &plan.migration }, update)
                .upsert(true)
                .await
                .map_err(DbError::from),
        )
    }

    /// The latest dry run of `migration`, if any was kept.
    pub async fn latest_plan(&self, migration: &str) -> Result<Option<PlanRecord>, DbError> {
        self.collection(Collection::Plans)
            .find_one(doc! { "_id": migration })
            .await?
            .map(from_document)
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_plan_whose_plan_is_not_a_plan_is_refused_by_name() {
        let stored =
            doc! { "at": DateTime::from_millis(0), "by": "release", "plan": { "changes": "all" } };
        let refused = from_document(stored).expect_err("not a plan");
        assert!(refused.to_string().contains("runbook_plans"), "{refused}");
    }

    #[test]
    fn a_kept_plan_reads_back_with_its_time_and_author() {
        let plan = Plan {
            migration: "m".into(),
            description: "d".into(),
            checksum: "c".into(),
            state: crate::model::MigrationState::Pending,
            server_version: "8.0".into(),
            topology: "standalone".into(),
            changes: Vec::new(),
            duplicates: Vec::new(),
            duplicates_counted_at: "1970-01-01T00:00:00Z".into(),
            lock: None,
            recent_backup: None,
            backup_window_hours: 24,
            prisma: None,
            blockers: vec![crate::model::Blocker::NoBackup],
        };
        let stored = doc! {
            "at": DateTime::from_millis(0),
            "by": "release",
            "plan": mongodb::bson::to_document(&plan).expect("encodes"),
        };
        let record = from_document(stored).expect("reads");
        assert_eq!(
            (record.at.as_str(), record.by.as_str(), record.plan),
            ("1970-01-01T00:00:00Z", "release", plan)
        );
    }
}
