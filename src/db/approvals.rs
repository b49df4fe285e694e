//! Four-eyes approvals and the settings document. Every state change of an
//! approval is one atomic `findOneAndUpdate`, so that two requests racing
//! for the same approval cannot both win.

use super::error::rfc3339;
use super::{Collection, Database, DbError};
use crate::model::{AppSettings, Approval};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{DateTime, Document, doc};
use mongodb::options::ReturnDocument;
use std::time::{Duration, SystemTime};

const SETTINGS_ID: &str = "app";

fn approval_from(document: &Document) -> Result<Approval, DbError> {
    let text = |key: &str| {
        document
            .get_str(key)
            .map(str::to_owned)
            .map_err(DbError::shape_of(Collection::Approvals))
    };
    Ok(Approval {
        id: document
            .get_object_id("_id")
            .map_err(DbError::shape_of(Collection::Approvals))?
            .to_hex(),
        action: text("action")?,
        target: text("target")?,
        plan: text("plan")?,
        requested_by: text("requestedBy")?,
        requested_at: rfc3339(document.get_datetime("requestedAt").ok()),
        expires_at: rfc3339(document.get_datetime("expiresAt").ok()),
        approved_by: document.get_str("approvedBy").ok().map(str::to_owned),
        used: document.get_datetime("usedAt").is_ok(),
    })
}

fn object_id(id: &str) -> Option<ObjectId> {
    ObjectId::parse_str(id).ok()
}

impl Database {
    pub async fn app_settings(&self) -> Result<AppSettings, DbError> {
        let stored = self
            .collection(Collection::Settings)
            .find_one(doc! { "_id": SETTINGS_ID })
            .await?;
        Ok(AppSettings {
            four_eyes: stored
                .and_then(|s| s.get_bool("fourEyes").ok())
                .unwrap_or(false),
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
        approval_from(&document)
    }

    pub async fn find_approval(&self, id: &str) -> Result<Option<Approval>, DbError> {
        let Some(id) = object_id(id) else {
            return Ok(None);
        };
        self.collection(Collection::Approvals)
            .find_one(doc! { "_id": id })
            .await?
            .as_ref()
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
            approvals.push(approval_from(&cursor.deserialize_current()?)?);
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
            .as_ref()
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
            .as_ref()
            .map(approval_from)
            .transpose()
    }
}
