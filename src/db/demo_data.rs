//! Demo data: a realistic *pre-migration* Forest database (users, tasks,
//! focus sessions, and the indexes Prisma made for them), optionally messy
//! the way a half-rolled-out mobile client leaves it: some `clientId`s
//! already written, some explicit `null`s, some duplicates, a few non-strings.

use super::{COLLECTIONS, Collection, Database, DbError};
use mongodb::IndexModel;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{Bson, DateTime, Document, doc};
use mongodb::options::IndexOptions;
use serde::Serialize;

const BATCH: usize = 5_000;
const DAY_MS: i64 = 24 * 60 * 60 * 1_000;

/// How much demo data to write, and how messy.
#[derive(Debug, Clone, Copy)]
pub struct DemoDataSpec {
    pub users: usize,
    pub tasks: usize,
    pub sessions: usize,
    pub messy: bool,
    /// Seed of the generator: the same seed gives the same shapes and values.
    pub seed: u64,
}

/// What a `clientId` field holds in one generated document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateShape {
    Missing,
    ExplicitNull,
    NonString,
    Unique,
    Duplicate,
}

/// Counts of what was written, per shape of `clientId`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoDataSummary {
    pub database: String,
    pub users: u64,
    pub tasks: u64,
    pub focus_sessions: u64,
    pub client_id_strings: u64,
    pub client_id_duplicates: u64,
    pub client_id_nulls: u64,
    pub client_id_non_strings: u64,
    pub client_id_missing: u64,
}

impl DemoDataSummary {
    fn count(&mut self, shape: DuplicateShape) {
        match shape {
            DuplicateShape::Missing => self.client_id_missing += 1,
            DuplicateShape::ExplicitNull => self.client_id_nulls += 1,
            DuplicateShape::NonString => self.client_id_non_strings += 1,
            DuplicateShape::Unique => self.client_id_strings += 1,
            DuplicateShape::Duplicate => {
                self.client_id_strings += 1;
                self.client_id_duplicates += 1;
            }
        }
    }
}

impl Database {
    /// Writes demo data. Refuses when a Forest collection already holds
    /// documents, unless `replace` is set, which drops those collections first.
    pub async fn write_demo_data(
        &self,
        spec: DemoDataSpec,
        replace: bool,
    ) -> Result<DemoDataSummary, DbError> {
        for collection in COLLECTIONS {
            let handle = self.collection(collection);
            if replace {
                handle.drop().await?;
                continue;
            }
            let count = handle.estimated_document_count().await?;
            if count > 0 {
                return Err(DbError::NotEmpty {
                    collection: collection.name(),
                    count,
                });
            }
        }
        self.create_pre_migration_indexes().await?;

        let mut generator = Generator::new(spec);
        let mut summary = DemoDataSummary {
            database: self.name().to_owned(),
            ..DemoDataSummary::default()
        };
        let user_ids: Vec<ObjectId> = (0..spec.users.max(1)).map(|_| ObjectId::new()).collect();
        let users = user_ids
            .iter()
            .enumerate()
            .map(|(i, id)| generator.user(*id, i));
        summary.users = self.insert_batched(Collection::Users, users).await?;

        let tasks = (0..spec.tasks).map(|_| {
            let (task, shape) = generator.task(&user_ids);
            summary.count(shape);
            task
        });
        let tasks: Vec<Document> = tasks.collect();
        summary.tasks = self.insert_batched(Collection::Tasks, tasks).await?;

        let sessions: Vec<Document> = (0..spec.sessions)
            .map(|_| {
                let (session, shape) = generator.session(&user_ids);
                summary.count(shape);
                session
            })
            .collect();
        summary.focus_sessions = self
            .insert_batched(Collection::FocusSessions, sessions)
            .await?;
        Ok(summary)
    }

    /// The indexes the Forest schema had before Phase 0, with the names Prisma
    /// gives them when the models are not `@@map`ped (or pinned with `map:`).
    async fn create_pre_migration_indexes(&self) -> Result<(), DbError> {
        let unique = IndexOptions::builder()
            .name("User_email_key".to_owned())
            .unique(true)
            .build();
        self.collection(Collection::Users)
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "email": 1 })
                    .options(unique)
                    .build(),
            )
            .await?;
        for (collection, name) in [
            (Collection::Tasks, "Task_userId_idx"),
            (Collection::FocusSessions, "FocusSession_userId_idx"),
        ] {
            let options = IndexOptions::builder().name(name.to_owned()).build();
            self.collection(collection)
                .create_index(
                    IndexModel::builder()
                        .keys(doc! { "userId": 1 })
                        .options(options)
                        .build(),
                )
                .await?;
        }
        Ok(())
    }

    async fn insert_batched(
        &self,
        collection: Collection,
        documents: impl IntoIterator<Item = Document>,
    ) -> Result<u64, DbError> {
        let handle = self.collection(collection);
        let mut written = 0;
        let mut batch = Vec::with_capacity(BATCH);
        for document in documents {
            batch.push(document);
            if batch.len() == BATCH {
                written += handle
                    .insert_many(std::mem::take(&mut batch))
                    .await?
                    .inserted_ids
                    .len();
            }
        }
        if !batch.is_empty() {
            written += handle.insert_many(batch).await?.inserted_ids.len();
        }
        Ok(written as u64)
    }
}

/// Generates documents from a seeded random source.
struct Generator {
    rng: fastrand::Rng,
    messy: bool,
    now_ms: i64,
    issued_client_ids: Vec<String>,
}

const FIRST_NAMES: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus",
];
const LAST_NAMES: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Perlman", "Torvalds",
];
const TASK_WORDS: [&str; 10] = [
    "Write", "Review", "Plan", "Read", "Call", "Fix", "Draft", "Ship", "Test", "Clean",
];
const TASK_OBJECTS: [&str; 10] = [
    "report", "chapter", "budget", "slides", "garden", "bug", "email", "release", "notes", "desk",
];
const STATUSES: [&str; 3] = ["TODO", "IN_PROGRESS", "DONE"];
const PRIORITIES: [&str; 3] = ["LOW", "MEDIUM", "HIGH"];

impl Generator {
    fn new(spec: DemoDataSpec) -> Self {
        Self {
            rng: fastrand::Rng::with_seed(spec.seed),
            messy: spec.messy,
            now_ms: DateTime::now().timestamp_millis(),
            issued_client_ids: Vec::new(),
        }
    }

    fn past(&mut self, max_days: i64) -> DateTime {
        DateTime::from_millis(self.now_ms - self.rng.i64(0..max_days * DAY_MS))
    }

    fn user(&mut self, id: ObjectId, index: usize) -> Document {
        let first = FIRST_NAMES[self.rng.usize(..FIRST_NAMES.len())];
        let last = LAST_NAMES[self.rng.usize(..LAST_NAMES.len())];
        let created = self.past(365);
        doc! {
            "_id": id,
            "email": format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), index),
            "name": format!("{first} {last}"),
            "timezone": "Europe/Berlin",
            "createdAt": created,
            "updatedAt": created,
        }
    }

    fn task(&mut self, users: &[ObjectId]) -> (Document, DuplicateShape) {
        let created = self.past(180);
        let status = STATUSES[self.rng.usize(..STATUSES.len())];
        let mut task = doc! {
            "_id": ObjectId::new(),
            "userId": users[self.rng.usize(..users.len())],
            "title": format!(
                "{} the {}",
                TASK_WORDS[self.rng.usize(..TASK_WORDS.len())],
                TASK_OBJECTS[self.rng.usize(..TASK_OBJECTS.len())]
            ),
            "status": status,
            "priority": PRIORITIES[self.rng.usize(..PRIORITIES.len())],
            "createdAt": created,
            "updatedAt": created,
        };
        if self.rng.u8(..4) == 0 {
            task.insert(
                "dueDate",
                DateTime::from_millis(created.timestamp_millis() + 7 * DAY_MS),
            );
        }
        if status == "DONE" {
            task.insert("completedAt", created);
        }
        let shape = self.client_id(&mut task);
        (task, shape)
    }

    fn session(&mut self, users: &[ObjectId]) -> (Document, DuplicateShape) {
        let started = self.past(90);
        let minutes = [25_i32, 25, 50, 15][self.rng.usize(..4)];
        let mut session = doc! {
            "_id": ObjectId::new(),
            "userId": users[self.rng.usize(..users.len())],
            "startedAt": started,
            "endedAt": DateTime::from_millis(started.timestamp_millis() + i64::from(minutes) * 60_000),
            "durationMinutes": minutes,
            "completed": self.rng.u8(..10) != 0,
            "createdAt": started,
        };
        let shape = self.client_id(&mut session);
        (session, shape)
    }

    /// Decides the `clientId` of one document; clean data never has one.
    fn client_id(&mut self, document: &mut Document) -> DuplicateShape {
        if !self.messy {
            return DuplicateShape::Missing;
        }
        let roll = self.rng.u8(..100);
        let (value, shape) = match roll {
            0..25 => {
                let id = format!(
                    "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                    self.rng.u32(..),
                    self.rng.u16(..),
                    self.rng.u16(..0x1000),
                    self.rng.u16(..),
                    self.rng.u64(..1 << 48)
                );
                self.issued_client_ids.push(id.clone());
                (Bson::String(id), DuplicateShape::Unique)
            }
            25..28 if !self.issued_client_ids.is_empty() => {
                let reused =
                    self.issued_client_ids[self.rng.usize(..self.issued_client_ids.len())].clone();
                (Bson::String(reused), DuplicateShape::Duplicate)
            }
            25..40 => (Bson::Null, DuplicateShape::ExplicitNull),
            40..42 => (
                Bson::Int32(self.rng.i32(1..10_000)),
                DuplicateShape::NonString,
            ),
            _ => return DuplicateShape::Missing,
        };
        document.insert("clientId", value);
        shape
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(messy: bool) -> DemoDataSpec {
        DemoDataSpec {
            users: 3,
            tasks: 2_000,
            sessions: 0,
            messy,
            seed: 7,
        }
    }

    #[test]
    fn clean_data_never_carries_a_client_id() {
        let mut generator = Generator::new(spec(false));
        let users = [ObjectId::new()];
        for _ in 0..200 {
            let (task, shape) = generator.task(&users);
            assert_eq!(shape, DuplicateShape::Missing);
            assert!(!task.contains_key("clientId"));
        }
    }

    #[test]
    fn messy_data_holds_every_shape_and_the_shape_matches_the_field() {
        let mut generator = Generator::new(spec(true));
        let users = [ObjectId::new()];
        let mut seen = std::collections::HashSet::new();
        for _ in 0..2_000 {
            let (task, shape) = generator.task(&users);
            let field = task.get("clientId");
            let consistent = match shape {
                DuplicateShape::Missing => field.is_none(),
                DuplicateShape::ExplicitNull => field == Some(&Bson::Null),
                DuplicateShape::NonString => matches!(field, Some(Bson::Int32(_))),
                DuplicateShape::Unique | DuplicateShape::Duplicate => {
                    matches!(field, Some(Bson::String(_)))
                }
            };
            assert!(consistent, "{shape:?} but field is {field:?}");
            seen.insert(format!("{shape:?}"));
        }
        assert_eq!(seen.len(), 5, "shapes seen: {seen:?}");
    }
}
