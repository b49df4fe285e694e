//! The Prisma check as the Prisma page and `prisma check` report it: the
//! Forest schema against the database and the migration, what `prisma db
//! push` would do, and the schema edit that makes them agree.

use serde::{Deserialize, Serialize};

/// Whether the schema could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SchemaState {
    /// No `[forest] checkout` and no absolute `schema` path.
    NotConfigured,
    /// Missing, unreadable, too large, not text, or not valid Prisma.
    Invalid {
        reason: String,
    },
    Read,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrismaReport {
    pub migration: String,
    /// Where the schema was looked for; `None` when nothing is configured.
    pub schema_path: Option<String>,
    pub schema: SchemaState,
    /// The datasource's `provider` and `relationMode`.
    pub provider: Option<String>,
    pub relation_mode: Option<String>,
    /// The Prisma version the checkout pins, and where it was read.
    pub prisma_version: Option<PrismaVersion>,
    /// Folders of `prisma/migrations/`, which Prisma Migrate never applies on MongoDB.
    pub migrations_folder: Vec<String>,
    /// Things to know that do not make the check fail.
    pub warnings: Vec<String>,
    pub models: Vec<ModelComparison>,
    /// What `prisma db push` would do to the database as it is now.
    pub push_now: Vec<PushStep>,
    /// What it would do once the migration is applied (the same when it is).
    pub push_after_migrate: Vec<PushStep>,
    pub migration_applied: bool,
    /// True when `db push` would leave the migration's indexes alone.
    pub agrees: bool,
    /// Why not, one line each.
    pub disagreements: Vec<String>,
    pub edit: Option<SchemaEdit>,
    /// The rules the prediction follows, each with its source.
    pub rules: Vec<PushRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrismaVersion {
    /// What `package.json` asks for, e.g. `^6.19.0`.
    pub declared: Option<String>,
    /// What the lock file resolved, e.g. `6.19.0`.
    pub locked: Option<String>,
    /// The files read.
    pub source: String,
}

/// One model of the migration: what the schema, the database and the
/// migration each say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelComparison {
    /// The model's name as the migration knows it (`Task`).
    pub model: String,
    pub collection: String,
    /// The schema's model for this collection, when it has one.
    pub schema_model: Option<String>,
    pub fields: Vec<FieldRow>,
    pub indexes: Vec<IndexRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRow {
    pub name: String,
    /// The stored name, after `@map`.
    pub stored: String,
    /// As written: `String?`, `String[]`.
    pub type_text: String,
    /// As written: `@unique @db.ObjectId`.
    pub attributes: String,
    /// The type the migration's data has in this field (`String?`), when it
    /// is one the migration adds.
    pub migration: Option<String>,
}

/// One index name: where it is declared, where it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexRow {
    pub name: String,
    pub keys: String,
    /// What the schema declares under this name.
    pub schema: Option<String>,
    /// What the database has under this name now.
    pub database: Option<String>,
    /// What the migration builds under this name.
    pub migration: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushAction {
    CreateCollection,
    DropIndex,
    CreateIndex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum StepOutcome {
    Applies,
    /// The server refuses it and `db push` stops here.
    Fails {
        code: i32,
        reason: String,
    },
    /// After a failure: never sent.
    NotRun,
}

/// One step of `prisma db push`, in the order it runs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushStep {
    pub action: PushAction,
    pub collection: String,
    /// The index's name; empty for a collection.
    pub index: String,
    /// The index's key as `createIndexes` takes it: field and 1 or -1.
    pub key: Vec<(String, i32)>,
    pub unique: bool,
    /// Why `db push` plans it.
    pub why: String,
    pub outcome: StepOutcome,
    /// Drops or fights an index of the migration.
    pub harms_migration: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaEdit {
    /// A unified diff of schema.prisma.
    pub diff: String,
    /// What the edit changes for the Forest team, a few sentences.
    pub explanation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRule {
    pub rule: String,
    pub source: String,
}

impl PushAction {
    pub fn label(self) -> &'static str {
        match self {
            Self::CreateCollection => "create collection",
            Self::DropIndex => "drop index",
            Self::CreateIndex => "create index",
        }
    }
}

impl PushStep {
    /// One line: `drop index Device_userId_idx on devices: ...`, with its outcome.
    pub fn summary(&self) -> String {
        let target = if self.index.is_empty() {
            self.collection.clone()
        } else {
            format!("{} on {}", self.index, self.collection)
        };
        let outcome = match &self.outcome {
            StepOutcome::Applies => String::new(),
            StepOutcome::Fails { code, reason } => format!(" — FAILS (code {code}): {reason}"),
            StepOutcome::NotRun => " — not run (db push stopped earlier)".to_owned(),
        };
        format!("{} {target}: {}{outcome}", self.action.label(), self.why)
    }
}
