//! Checklist ticks, one document per migration and item, each changed by
//! a single atomic upsert so that concurrent ticks never overwrite each
//! other's items (an acknowledgement of failing evidence is one more field
//! of that document, set the same way); and the latest stored
//! verification, the evidence of the indexes item.

use super::error::rfc3339;
use super::{Collection, Database, DbError};
use crate::model::{Acknowledgement, Tick, Verification};
use mongodb::bson::{Bson, DateTime, doc};

/// Who ticks an item, with their note and the evidence they saw.
pub struct TickBy<'a> {
    pub by: &'a str,
    pub note: &'a str,
    pub evidence: Option<&'a str>,
}

impl Database {
    /// Ticks `item`, or unticks it (`None`).
    pub async fn set_tick(
        &self,
        migration: &str,
        item: &str,
        tick: Option<TickBy<'_>>,
    ) -> Result<(), DbError> {
        let state = match tick {
            Some(tick) => doc! {
                "ticked": true, "by": tick.by, "note": tick.note,
                "evidence": tick.evidence.map_or(Bson::Null, |e| Bson::String(e.to_owned())),
            },
            None => doc! { "ticked": false, "by": Bson::Null, "note": "", "evidence": Bson::Null },
        };
        let mut set = doc! { "migration": migration, "item": item, "at": DateTime::now() };
        set.extend(state);
        self.collection(Collection::Checklist)
            .update_one(
                doc! { "_id": format!("{migration}/{item}") },
                doc! { "$set": set },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    /// Records `by`'s acknowledgement of `item`'s failing `evidence`.
    pub async fn acknowledge(
        &self,
        migration: &str,
        item: &str,
        by: &str,
        note: &str,
        evidence: &str,
    ) -> Result<(), DbError> {
        self.collection(Collection::Checklist)
            .update_one(
                doc! { "_id": format!("{migration}/{item}") },
                doc! {
                    "$set": {
                        "migration": migration,
                        "item": item,
                        "acknowledged": { "by": by, "at": DateTime::now(), "note": note, "evidence": evidence },
                    },
                    "$setOnInsert": { "ticked": false },
                },
            )
            .upsert(true)
            .await?;
        Ok(())
    }

    /// The latest acknowledgement of each item of `migration` that has one.
    pub async fn acknowledgements(
        &self,
        migration: &str,
    ) -> Result<Vec<(String, Acknowledgement)>, DbError> {
        let mut cursor = self
            .collection(Collection::Checklist)
            .find(doc! { "migration": migration, "acknowledged": { "$type": "object" } })
            .await?;
        let mut acknowledgements = Vec::new();
        while cursor.advance().await? {
            let document = cursor.deserialize_current()?;
            let Ok(ack) = document.get_document("acknowledged") else {
                continue;
            };
            let text = |field: &str| ack.get_str(field).unwrap_or_default().to_owned();
            acknowledgements.push((
                document.get_str("item").unwrap_or_default().to_owned(),
                Acknowledgement {
                    by: text("by"),
                    at: rfc3339(ack.get_datetime("at").ok()),
                    note: text("note"),
                    evidence: text("evidence"),
                },
            ));
        }
        Ok(acknowledgements)
    }

    /// The ticked items of `migration`, by item key.
    pub async fn ticks(&self, migration: &str) -> Result<Vec<(String, Tick)>, DbError> {
        let mut cursor = self
            .collection(Collection::Checklist)
            .find(doc! { "migration": migration, "ticked": true })
            .await?;
        let mut ticks = Vec::new();
        while cursor.advance().await? {
            let document = cursor.deserialize_current()?;
            let text = |field: &str| document.get_str(field).unwrap_or_default().to_owned();
            ticks.push((
                text("item"),
                Tick {
                    by: text("by"),
                    at: rfc3339(document.get_datetime("at").ok()),
                    note: text("note"),
                    evidence: document.get_str("evidence").ok().map(str::to_owned),
                },
            ));
        }
        Ok(ticks)
    }

    /// The newest stored verification of `migration`.
    pub async fn latest_verification(
        &self,
        migration: &str,
    ) -> Result<Option<Verification>, DbError> {
        let Some(mut document) = self
            .collection(Collection::Verifications)
            .find_one(doc! { "migration": migration })
            .sort(doc! { "at": -1, "_id": -1 })
            .await?
        else {
            return Ok(None);
        };
        let id = document
            .get_object_id("_id")
            .map(|id| id.to_hex())
            .unwrap_or_default();
        let at = rfc3339(document.get_datetime("at").ok());
        document.remove("_id");
        document.remove("at");
        let verification: Verification = mongodb::bson::from_document(document)
            .map_err(DbError::shape_of(Collection::Verifications))?;
        Ok(Some(Verification {
            id,
            at,
            ..verification
        }))
    }
}
