//! Checklist ticks, one document per migration and item, each changed by
//! a single atomic upsert so that concurrent ticks never overwrite each
//! other's items (an acknowledgement of failing evidence is one more field
//! of that document, set the same way); and the latest stored
//! verification, the evidence of the indexes item.

use super::error::{rfc3339, stored};
use super::{Collection, Database, DbError};
use crate::model::{Acknowledgement, Tick, Verification, VerifyCheck};
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, DateTime, Document, doc};
use serde::Deserialize;

/// Who ticks an item, with their note and the evidence they saw.
pub struct TickBy<'a> {
    pub by: &'a str,
    pub note: &'a str,
    pub evidence: Option<&'a str>,
}

/// One item's record: its tick (`by` and `evidence` are null once it is
/// unticked) and, when someone acknowledged its failing evidence, that.
/// A record made by an acknowledgement alone has no tick fields.
#[derive(Debug, Deserialize)]
struct ChecklistDocument {
    item: String,
    at: Option<DateTime>,
    by: Option<String>,
    #[serde(default)]
    note: String,
    evidence: Option<String>,
    acknowledged: Option<AcknowledgedDocument>,
}

/// An acknowledgement as stored within its item's record.
#[derive(Debug, Deserialize)]
struct AcknowledgedDocument {
    by: String,
    at: Option<DateTime>,
    note: String,
    evidence: String,
}

impl ChecklistDocument {
    fn read(document: Document) -> Result<Self, DbError> {
        stored(Collection::Checklist, document)
    }

    /// The item and its tick.
    fn into_tick(self) -> (String, Tick) {
        let tick = Tick {
            by: self.by.unwrap_or_default(),
            at: rfc3339(self.at.as_ref()),
            note: self.note,
            evidence: self.evidence,
        };
        (self.item, tick)
    }

    /// The item and its acknowledgement, when it has one.
    fn into_acknowledgement(self) -> Option<(String, Acknowledgement)> {
        let ack = self.acknowledged?;
        let acknowledgement = Acknowledgement {
            by: ack.by,
            at: rfc3339(ack.at.as_ref()),
            note: ack.note,
            evidence: ack.evidence,
        };
        Some((self.item, acknowledgement))
    }
}

/// A verification as `Database::insert_verification` stores it: the
/// model's fields, with its id as `_id` and its time as a date.
#[derive(Debug, Deserialize)]
struct VerificationDocument {
    #[serde(rename = "_id")]
    id: ObjectId,
    at: Option<DateTime>,
    migration: String,
    passed: bool,
    checks: Vec<VerifyCheck>,
}

impl From<VerificationDocument> for Verification {
    fn from(verification: VerificationDocument) -> Self {
        Verification {
            id: verification.id.to_hex(),
            at: rfc3339(verification.at.as_ref()),
            migration: verification.migration,
            passed: verification.passed,
            checks: verification.checks,
        }
    }
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
            let record = ChecklistDocument::read(cursor.deserialize_current()?)?;
            acknowledgements.extend(record.into_acknowledgement());
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
            ticks.push(ChecklistDocument::read(cursor.deserialize_current()?)?.into_tick());
        }
        Ok(ticks)
    }

    /// The newest stored verification of `migration`.
    pub async fn latest_verification(
        &self,
        migration: &str,
    ) -> Result<Option<Verification>, DbError> {
        self.collection(Collection::Verifications)
            .find_one(doc! { "migration": migration })
            .sort(doc! { "at": -1, "_id": -1 })
            .await?
            .map(|found| {
                stored::<VerificationDocument>(Collection::Verifications, found)
                    .map(Verification::from)
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticked_item_reads_as_its_tick_and_an_acknowledgement_as_its_own() {
        let (item, tick) = ChecklistDocument::read(doc! {
            "_id": "m/backup", "migration": "m", "item": "backup",
            "at": DateTime::from_millis(0), "ticked": true, "by": "ada", "note": "seen",
            "evidence": null,
            "acknowledged": {
                "by": "grace", "at": DateTime::from_millis(1_000), "note": "cron",
                "evidence": "2 errors",
            },
        })
        .expect("a record")
        .into_tick();
        assert_eq!((item.as_str(), tick.by.as_str()), ("backup", "ada"));
        assert_eq!(
            (tick.at.as_str(), tick.evidence),
            ("1970-01-01T00:00:00Z", None)
        );
        let acknowledged = ChecklistDocument::read(doc! {
            "_id": "m/logs", "migration": "m", "item": "logs", "ticked": false,
            "acknowledged": {
                "by": "grace", "at": DateTime::from_millis(1_000), "note": "cron",
                "evidence": "2 errors",
            },
        })
        .expect("a record");
        let (item, ack) = acknowledged.into_acknowledgement().expect("acknowledged");
        assert_eq!((item.as_str(), ack.by.as_str()), ("logs", "grace"));
        assert_eq!(ack.at, "1970-01-01T00:00:01Z");
        let unticked = ChecklistDocument::read(doc! {
            "item": "logs", "at": DateTime::from_millis(0), "ticked": false,
            "by": null, "note": "", "evidence": null,
        })
        .expect("a record");
        assert!(unticked.into_acknowledgement().is_none());
    }

    #[test]
    fn a_stored_verification_reads_back_as_it_was_stored() {
        let verification = Verification {
            id: String::new(),
            at: String::new(),
            migration: "m".to_owned(),
            passed: false,
            checks: vec![VerifyCheck {
                name: "indexes".to_owned(),
                passed: false,
                warning: true,
                evidence: "one missing".to_owned(),
                link: None,
            }],
        };
        let mut document = mongodb::bson::to_document(&verification).expect("a document");
        let id = ObjectId::new();
        document.remove("id");
        document.insert("_id", id);
        document.insert("at", DateTime::from_millis(0));
        let read = Verification::from(
            stored::<VerificationDocument>(Collection::Verifications, document)
                .expect("a verification"),
        );
        assert_eq!(read.id, id.to_hex());
        assert_eq!(read.at, "1970-01-01T00:00:00Z");
        assert_eq!(read.checks, verification.checks);
        assert_eq!(
            (read.migration, read.passed),
            (verification.migration, false)
        );
    }

    #[test]
    fn a_record_of_another_shape_is_refused_by_name() {
        for document in [
            doc! { "item": 3, "ticked": true },
            doc! { "item": "logs", "ticked": true, "at": "noon" },
            doc! { "item": "logs", "acknowledged": { "by": "grace", "note": 1, "evidence": "" } },
        ] {
            let refused = ChecklistDocument::read(document);
            assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Checklist)));
        }
        let verification = stored::<VerificationDocument>(
            Collection::Verifications,
            doc! { "_id": ObjectId::new(), "migration": "m", "passed": "yes", "checks": [] },
        );
        assert!(verification.is_err_and(|e| e.is_shape_of(Collection::Verifications)));
    }
}
