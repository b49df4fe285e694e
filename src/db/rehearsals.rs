//! Rehearsal records: one document per rehearsal, written as each step
//! starts and ends, so that everyone watching sees it move and a restart
//! leaves a record. One runs at a time: the running one holds a marker
//! document (`_id: rehearsal`) in the locks collection, inserted at its
//! start (a second insert fails on `_id`) and deleted at its end. The
//! marker carries the heartbeat; one quiet for too long, by the server's
//! clock, is removed and its rehearsal marked interrupted.
//!
//! Not a unique index on a field of the record that changes at the end:
//! secantusd-rs keeps an updated document's old index entry, so such a
//! place would never come free.

use super::error::{codes, stored};
use super::{Collection, Database, DbError};
use crate::model::{Rehearsal, RehearsalState};
use mongodb::bson::{DateTime, Document, doc};
use serde::Deserialize;
use std::time::Duration;

/// The `_id` of the marker of the running rehearsal.
const MARKER: &str = "rehearsal";

/// What starting a rehearsal found.
#[derive(Debug)]
pub enum Started {
    Started,
    /// Another one runs; here it is.
    Busy(Box<Rehearsal>),
}

/// The marker of the running rehearsal, in the locks collection: which
/// rehearsal holds the one running place (its heartbeat is compared by
/// the server, never read here).
#[derive(Debug, Deserialize)]
struct MarkerDocument {
    #[serde(default)]
    rehearsal: String,
}

/// The rehearsal a stored marker names (empty when it names none).
fn marked(marker: Document) -> Result<String, DbError> {
    stored::<MarkerDocument>(Collection::Locks, marker).map(|marker| marker.rehearsal)
}

fn to_document(rehearsal: &Rehearsal) -> Result<Document, DbError> {
    mongodb::bson::to_document(rehearsal).map_err(DbError::shape_of(Collection::Rehearsals))
}

/// A rehearsal is stored as the model writes it, so it reads as the model.
fn from_document(document: Document) -> Result<Rehearsal, DbError> {
    stored(Collection::Rehearsals, document)
}

/// The marker, when its heartbeat is older than `quiet` by the server's clock.
fn quiet_for(quiet: Duration) -> Document {
    let seconds = i64::try_from(quiet.as_secs()).unwrap_or(i64::MAX);
    doc! {
        "_id": MARKER,
        "$expr": { "$lt": [
            "$heartbeatAt",
            { "$dateAdd": { "startDate": "$$NOW", "unit": "second", "amount": -seconds } },
        ] },
    }
}

impl Database {
    /// Records `rehearsal` as running, unless another one runs.
    pub async fn start_rehearsal(&self, rehearsal: &Rehearsal) -> Result<Started, DbError> {
        let locks = self.collection(Collection::Locks);
        let marker = doc! {
            "_id": MARKER,
            "rehearsal": &rehearsal.id,
            "heartbeatAt": DateTime::now(),
        };
        if let Err(error) = locks.insert_one(marker).await.map_err(DbError::from) {
            if error.code() != Some(codes::DUPLICATE_KEY) {
                return Err(error);
            }
            let holder = locks.find_one(doc! { "_id": MARKER }).await?;
            let id = holder.map(marked).transpose()?.unwrap_or_default();
            return match self.rehearsal(&id).await? {
                Some(running) => Ok(Started::Busy(Box::new(running))),
                None => Err(error),
            };
        }
        // The server's clock from here on.
        self.rehearsal_heartbeat(&rehearsal.id).await?;
        let mut document = to_document(rehearsal)?;
        document.insert("_id", &rehearsal.id);
        self.collection(Collection::Rehearsals)
            .insert_one(document)
            .await?;
        Ok(Started::Started)
    }

    async fn rehearsal(&self, id: &str) -> Result<Option<Rehearsal>, DbError> {
        self.collection(Collection::Rehearsals)
            .find_one(doc! { "_id": id })
            .await?
            .map(from_document)
            .transpose()
    }

    /// Says the rehearsal `id` is still alive, by the server's clock.
    pub async fn rehearsal_heartbeat(&self, id: &str) -> Result<(), DbError> {
        self.collection(Collection::Locks)
            .update_one(
                doc! { "_id": MARKER, "rehearsal": id },
                doc! { "$currentDate": { "heartbeatAt": true } },
            )
            .await?;
        Ok(())
    }

    /// Writes the rehearsal's steps and state; once it has ended it gives
    /// up the one running place.
    pub async fn save_rehearsal(&self, rehearsal: &Rehearsal) -> Result<(), DbError> {
        self.collection(Collection::Rehearsals)
            .update_one(
                doc! { "_id": &rehearsal.id },
                doc! { "$set": to_document(rehearsal)? },
            )
            .await?;
        if rehearsal.state != RehearsalState::Running {
            self.collection(Collection::Locks)
                .delete_one(doc! { "_id": MARKER, "rehearsal": &rehearsal.id })
                .await?;
        }
        Ok(())
    }

    /// Ends the place of a running rehearsal whose heartbeat is older than
    /// `quiet`, marks it interrupted and answers it (its scratch database
    /// may remain).
    pub async fn interrupt_quiet_rehearsals(
        &self,
        quiet: Duration,
    ) -> Result<Option<Rehearsal>, DbError> {
        let Some(marker) = self
            .collection(Collection::Locks)
            .find_one_and_delete(quiet_for(quiet))
            .await?
        else {
            return Ok(None);
        };
        let id = marked(marker)?;
        let interrupted = self
            .collection(Collection::Rehearsals)
            .find_one_and_update(
                doc! { "_id": id, "state": RehearsalState::Running.as_str() },
                doc! { "$set": {
                    "state": RehearsalState::Interrupted.as_str(),
                    "message": "the app stopped while it ran",
                } },
            )
            .return_document(mongodb::options::ReturnDocument::After)
            .await?;
        interrupted.map(from_document).transpose()
    }

    /// The newest rehearsals of `migration`, newest first, at most `limit`.
    pub async fn rehearsals(&self, migration: &str, limit: i64) -> Result<Vec<Rehearsal>, DbError> {
        let mut cursor = self
            .collection(Collection::Rehearsals)
            .find(doc! { "migration": migration })
            .sort(doc! { "startedAt": -1, "_id": -1 })
            .limit(limit)
            .await?;
        let mut found = Vec::new();
        while cursor.advance().await? {
            found.push(from_document(cursor.deserialize_current()?)?);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_marker_names_its_rehearsal_and_one_of_another_shape_is_refused_by_name() {
        let marker = doc! { "_id": MARKER, "rehearsal": "r1", "heartbeatAt": DateTime::now() };
        assert_eq!(marked(marker).expect("a marker"), "r1");
        assert_eq!(marked(doc! { "_id": MARKER }).expect("a marker"), "");
        let refused = marked(doc! { "_id": MARKER, "rehearsal": 1 });
        assert!(refused.is_err_and(|e| e.is_shape_of(Collection::Locks)));
        let rehearsal = from_document(doc! { "_id": "r1", "migration": 5 });
        assert!(rehearsal.is_err_and(|e| e.is_shape_of(Collection::Rehearsals)));
    }
}
