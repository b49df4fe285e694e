//! An area's mark: the cheap reads that say whether what its pages show
//! has changed, hashed. Per area, the newest document of each collection
//! behind it, or the fields of it that the area shows (a handful of small
//! collections are read whole) and, where documents come and go, the
//! collection's size. Equal marks mean that nothing these reads see has
//! changed; the reads use `_id` or a sort on one field and touch at most a
//! few documents, whatever the data's size.

use super::{Collection, Database, DbError};
use crate::model::Area;
use mongodb::bson::{Bson, Document, RawDocumentBuf, doc};
use std::hash::{DefaultHasher, Hash, Hasher};

/// At most this many documents of a collection that is read whole.
const WHOLE_AT_MOST: i64 = 100;

/// One read behind an area's mark.
struct Source {
    collection: Collection,
    /// The field whose newest document is read; `None` reads the whole
    /// collection (ones that hold a handful of documents).
    newest_by: Option<&'static str>,
    /// Also its size, for documents that come and go.
    counted: bool,
    /// The fields read (with `_id`); `None` reads whole documents.
    fields: Option<&'static [&'static str]>,
}

const fn newest(collection: Collection, field: &'static str) -> Source {
    Source {
        collection,
        newest_by: Some(field),
        counted: false,
        fields: None,
    }
}

const fn whole(collection: Collection) -> Source {
    Source {
        collection,
        newest_by: None,
        counted: false,
        fields: None,
    }
}

const RUNBOOK: [Source; 5] = [
    newest(Collection::Changelog, "startedAt"),
    newest(Collection::Verifications, "at"),
    newest(Collection::Plans, "at"),
    newest(Collection::Rehearsals, "startedAt"),
    whole(Collection::Locks),
];
const CHECKLIST: [Source; 1] = [whole(Collection::Checklist)];
const DEVICES: [Source; 1] = [Source {
    collection: Collection::Devices,
    newest_by: Some("_id"),
    counted: true,
    fields: None,
}];
/// The newest job's identity and state, not its progress: the backups
/// listing changes when a job starts or ends, not at each document count.
const BACKUPS: [Source; 1] = [Source {
    fields: Some(&["state"]),
    ..newest(Collection::Jobs, "startedAt")
}];
const JOB: [Source; 1] = [newest(Collection::Jobs, "startedAt")];
const FOREST: [Source; 1] = [newest(Collection::ApiProbes, "recordedAt")];

/// What the database holds of `area`; the backups folder and the Forest
/// server's logs are not in it, and are marked by their owners.
fn sources(area: Area) -> &'static [Source] {
    match area {
        Area::Runbook => &RUNBOOK,
        Area::Checklist => &CHECKLIST,
        Area::Devices => &DEVICES,
        Area::Backups => &BACKUPS,
        Area::Forest => &FOREST,
        Area::Job => &JOB,
    }
}

/// What changes Forest's data through the app: a run (migrate, revert, a
/// cleanup) or a job (a restore) starting or ending.
const APP_CHANGES: [Source; 2] = [
    newest(Collection::Changelog, "startedAt"),
    newest(Collection::Jobs, "startedAt"),
];

impl Database {
    /// The mark of what the database holds of `area`.
    pub async fn mark(&self, area: Area) -> Result<u64, DbError> {
        self.mark_of(sources(area)).await
    }

    /// The mark of the app's own changes to Forest's data, which a kept
    /// duplicate count must be newer than.
    pub(super) async fn app_changes_mark(&self) -> Result<u64, DbError> {
        self.mark_of(&APP_CHANGES).await
    }

    async fn mark_of(&self, sources: &[Source]) -> Result<u64, DbError> {
        let mut hasher = DefaultHasher::new();
        for source in sources {
            let handle = self
                .collection(source.collection)
                .clone_with_type::<RawDocumentBuf>();
            let mut find = handle.find(doc! {});
            if let Some(fields) = source.fields {
                let projection: Document = fields
                    .iter()
                    .map(|field| ((*field).to_owned(), Bson::Int32(1)))
                    .collect();
                find = find.projection(projection);
            }
            let mut cursor = match source.newest_by {
                Some(field) => find.sort(doc! { field: -1, "_id": -1 }).limit(1).await?,
                None => find.sort(doc! { "_id": 1 }).limit(WHOLE_AT_MOST).await?,
            };
            while cursor.advance().await? {
                cursor.current().as_bytes().hash(&mut hasher);
            }
            if source.counted {
                handle.estimated_document_count().await?.hash(&mut hasher);
            }
        }
        Ok(hasher.finish())
    }
}
