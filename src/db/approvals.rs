//! Four-eyes approvals and the settings document. Every state change of an
//! approval is one atomic `findOneAndUpdate`, so that two requests racing
//! for the same approval cannot both win.

use super::error::{rfc3339, stored};
use super::{Collection, Database, DbError};
use crate::model::{AppSettings, Approval};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::ReturnDocument;
use serde::Deserialize;
use std::time::{Duration, SystemTime};

const SETTINGS_ID: &str = "app";

/// The settings document; a setting never stored reads as off.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsDocument {
    #[serde(default)]
    four_eyes: bool,
}

/// An approval as stored. It has been used once `usedAt` is set.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApprovalDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    action: String,
    target: String,
    plan: String,
    requested_by: String,
    requested_at: Option<DateTime>,
    expires_at: Option<DateTime>,
    approved_by: Option<String>,
    used_at: Option<DateTime>,
}

impl From<ApprovalDocument> for Approval {
    fn from(approval: ApprovalDocument) -> Self {
        Approval {
            id: approval.id.to_hex(),
            action: approval.action,
            target: approval.target,
            plan: approval.plan,
            requested_by: approval.requested_by,
            requested_at: rfc3339(approval.requested_at.as_ref()),
            expires_at: rfc3339(approval.expires_at.as_ref()),
            approved_by: approval.approved_by,
            used: approval.used_at.is_some(),
        }
    }
}

fn approval_from(document: Document) -> Result<Approval, DbError> {
    stored::<ApprovalDocument>(Collection::Approvals, document).map(Approval::from)
}

fn object_id(id: &str) -> Option<ObjectId> {
    ObjectId::parse_str(id).ok()
}

impl Database {
    pub async fn app_settings(&self) -> Result<AppSettings, DbError> {
        let settings = self
            .collection(Collection::Settings)
            .find_one(doc! { "_id": SETTINGS_ID })
            .await?
            .map(|settings| stored::<SettingsDocument>(Collection::Settings, settings))
            .transpose()?;
        Ok(AppSettings {
            four_eyes: settings.is_some_and(|settings| settings.four_eyes),
        })
    }

    pub async fn set_four_eyes(&self, enabled: bool) -> Result<(), DbError> {
        self.collection(Collection::Settings)
            .update_one(
                doc! { "_id": SETTINGS_ID },
                doc! { "$set": { "fourEyes": enabled, "updatedAt": DateTime::now() } },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    pub async fn insert_approval(
        &self,
        action: &str,
        target: &str,
        plan: &str,
        requested_by: &str,
        lifetime: Duration,
    ) -> Result<Approval, DbError> {
        let now = SystemTime::now();
        let document = doc! {
            "_id": ObjectId::new(),
            "action": action,
            "target": target,
            "plan": plan,
            "requestedBy": requested_by,
            "requestedAt": DateTime::from_system_time(now),
            "expiresAt": DateTime::from_system_time(now + lifetime),
        };
        self.collection(Collection::Approvals)
            .insert_one(&document)
            .await?;
        approval_from(document)
    }

    pub async fn find_approval(&self, id: &str) -> Result<Option<Approval>, DbError> {
        let Some(id) = object_id(id) else {
            return Ok(None);
        };
        self.collection(Collection::Approvals)
            .find_one(doc! { "_id": id })
            .await?
            .map(approval_from)
            .transpose()
    }

    /// Approvals not yet used nor expired, newest first.
    pub async fn open_approvals(&self) -> Result<Vec<Approval>, DbError> {
        let mut cursor = self
            .collection(Collection::Approvals)
            .find(doc! { "usedAt": null, "expiresAt": { "$gt": DateTime::now() } })
            .sort(doc! { "requestedAt": -1 })
            .await?;
        let mut approvals = Vec::new();
        while cursor.advance().await? {
            approvals.push(approval_from(cursor.deserialize_current()?)?);
        }
        Ok(approvals)
    }

    /// Marks a live, unapproved request as approved by `approver`, who must
    /// not be the requester. `None` when no such request exists.
    pub async fn approve(&self, id: &str, approver: &str) -> Result<Option<Approval>, DbError> {
        let Some(id) = object_id(id) else {
            return Ok(None);
        };
        self.collection(Collection::Approvals)
            .find_one_and_update(
                doc! {
                    "_id": id,
                    "requestedBy": { "$ne": approver },
                    "approvedBy": null,
                    "usedAt": null,
                    "expiresAt": { "$gt": DateTime::now() },
                },
                doc! { "$set": { "approvedBy": approver, "approvedAt": DateTime::now() } },
            )
            .return_document(ReturnDocument::After)
            .await?
            .map(approval_from)
            .transpose()
    }

    /// Uses up one approved, live approval of `action` on `target` that
    /// `requested_by` asked for. At most one caller ever gets a given approval.
    pub async fn consume_approval(
        &self,
        action: &str,
        target: &str,
        requested_by: &str,
    ) -> Result<Option<Approval>, DbError> {
        self.collection(Collection::Approvals)
            .find_one_and_update(
                doc! {
                    "action": action,
                    "target": target,
                    "requestedBy": requested_by,
                    "approvedBy": { "$type": "string" },
                    "usedAt": null,
                    "expiresAt": { "$gt": DateTime::now() },
                },
                doc! { "$set": { "usedAt": DateTime::now() } },
            )
            .sort(doc! { "approvedAt": 1 })
            .return_document(ReturnDocument::After)
            .await?
            .map(approval_from)
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(extra: Document) -> Document {
        let mut document = doc! {
            "_id": ObjectId::new(), "action": "rollback.revert", "target": "m1",
            "plan": "revert m1", "requestedBy": "ada",
            "requestedAt": DateTime::from_millis(0), "expiresAt": DateTime::from_millis(1_000),
        };
        document.extend(extra);
        document
    }

    #[test]
    fn a_stored_approval_reads_with_its_times_and_whether_it_was_used() {
        let open = approval_from(approval(doc! { "approvedBy": null, "usedAt": null }))
            .expect("an approval");
        assert_eq!(open.requested_at, "1970-01-01T00:00:00Z");
        assert_eq!(open.expires_at, "1970-01-01T00:00:01Z");
        assert_eq!((open.approved_by, open.used), (None, false));
        let used = approval_from(approval(doc! {
            "approvedBy": "grace", "approvedAt": DateTime::from_millis(9),
            "usedAt": DateTime::from_millis(10),
        }))
        .expect("an approval");
        assert_eq!(
            (used.approved_by.as_deref(), used.used),
            (Some("grace"), true)
        );
    }

    #[test]
    fn an_approval_or_settings_of_another_shape_is_refused_by_name() {
        for document in [
            approval(doc! { "_id": "not an id" }),
            approval(doc! { "usedAt": "yesterday" }),
            approval(doc! { "approvedBy": 1 }),
        ] {
            let refused = approval_from(document);
            assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Approvals)));
        }
        let settings = stored::<SettingsDocument>(Collection::Settings, doc! { "fourEyes": "on" });
        assert!(settings.is_err_and(|e| e.is_shape_of(Collection::Settings)));
        let unset = stored::<SettingsDocument>(Collection::Settings, doc! { "_id": SETTINGS_ID });
        assert!(!unset.expect("settings").four_eyes);
    }
}
