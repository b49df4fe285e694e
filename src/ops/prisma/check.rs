//! The Prisma check: the Forest schema against the database now and the
//! migration's declaration, what `prisma db push` would do before and after
//! the migration, and the edit that makes them agree. A schema that cannot
//! be read is reported, never an error: only the database can fail it.

use super::declared::{DeclaredIndex, KeyPart};
use super::edit::{ModelEdit, edit, unified_diff};
use super::push::{
    CollectionState, Collisions, StoredIndex, describe_keys, kind_word, options, predict, rules,
};
use super::source::{PrismaSource, major, migration_folders, prisma_version};
use super::syntax::{Arity, Model, Schema, parse};
use crate::db::{Collection, Database, IndexInfo, KeyDirection};
use crate::model::{
    DuplicateReport, FieldRow, IndexRow, ModelComparison, PrismaReport, PushStep, SchemaEdit,
    SchemaState, StepOutcome, VerifyCheck,
};
use crate::ops::OpsError;
use crate::ops::migration::{Change, Migration};

/// The Forest models of the migration's collections (design.md).
const MODELS: [(&str, &str); 4] = [
    ("users", "User"),
    ("tasks", "Task"),
    ("focus_sessions", "FocusSession"),
    ("devices", "Device"),
];

/// The fields Phase 0 adds, by stored name, with the Prisma type their data
/// has (design.md): optional where existing documents lack them.
const MIGRATION_FIELDS: [(&str, &str, &str); 12] = [
    ("users", "lastSyncedAt", "DateTime?"),
    ("tasks", "clientId", "String?"),
    ("focus_sessions", "clientId", "String?"),
    ("devices", "userId", "String"),
    ("devices", "deviceId", "String"),
    ("devices", "platform", "String"),
    ("devices", "osVersion", "String?"),
    ("devices", "appVersion", "String"),
    ("devices", "pushToken", "String?"),
    ("devices", "lastSeenAt", "DateTime"),
    ("devices", "createdAt", "DateTime"),
    ("devices", "updatedAt", "DateTime"),
];

/// Documents without a string key that make a non-partial unique index fail.
const ENOUGH_TO_COLLIDE: u64 = 2;

/// Where the diff says the file is, as in the Forest repository.
const DIFF_PATH: &str = "apps/server/prisma/schema.prisma";

/// The first Prisma major with a MongoDB connector out of preview, and the
/// first without one.
const MONGODB_SINCE: u32 = 3;
const MONGODB_UNTIL: u32 = 7;

pub async fn check(
    db: &Database,
    migration: &Migration,
    source: &PrismaSource,
) -> Result<PrismaReport, OpsError> {
    checked(db, migration, source, None).await
}

/// `check`, reusing duplicate reports the caller already has (the dry run
/// and verify count them anyway; each count is a scan of its collection).
async fn checked(
    db: &Database,
    migration: &Migration,
    source: &PrismaSource,
    known: Option<&[DuplicateReport]>,
) -> Result<PrismaReport, OpsError> {
    let mut report = PrismaReport {
        migration: migration.name.to_owned(),
        schema_path: source.path().map(|p| p.display().to_string()),
        schema: SchemaState::NotConfigured,
        provider: None,
        relation_mode: None,
        prisma_version: None,
        migrations_folder: Vec::new(),
        warnings: Vec::new(),
        models: Vec::new(),
        push_now: Vec::new(),
        push_after_migrate: Vec::new(),
        migration_applied: false,
        agrees: false,
        disagreements: Vec::new(),
        edit: None,
        rules: rules(),
    };
    let Some(path) = source.path() else {
        report
            .disagreements
            .push("no schema is configured: set [forest] checkout or schema".to_owned());
        return Ok(report);
    };
    let read = PrismaSource::read(path)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            let schema = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok((text, schema))
        });
    let (text, schema) = match read {
        Ok(read) => read,
        Err(reason) => return Ok(invalid(report, reason)),
    };
    let datasource = schema.datasources.first();
    report.provider = datasource
        .and_then(|d| d.string("provider"))
        .map(str::to_owned);
    report.relation_mode = datasource
        .and_then(|d| d.string("relationMode"))
        .map(str::to_owned);
    match report.provider.as_deref() {
        Some("mongodb") => {}
        Some(other) => {
            let reason = format!(
                "the datasource's provider is \"{other}\"; the Forest database is MongoDB, so this schema is not the one that syncs it"
            );
            return Ok(invalid(report, reason));
        }
        None => {
            let reason = "the schema has no datasource with a provider".to_owned();
            return Ok(invalid(report, reason));
        }
    }
    report.schema = SchemaState::Read;
    report.prisma_version = prisma_version(path);
    report.migrations_folder = migration_folders(path);
    report.warnings = warnings(&report);

    let collections = collections(migration);
    let mut now = Vec::new();
    for collection in &collections {
        let model = schema
            .models
            .iter()
            .find(|m| m.collection() == collection.name());
        now.push(CollectionState {
            name: collection.name().to_owned(),
            exists: db.collection_exists(*collection).await?,
            stored: db
                .list_indexes(*collection)
                .await?
                .iter()
                .map(stored)
                .collect(),
            declared: model.map(Model::indexes),
        });
    }
    let declared_by_migration = migration_indexes(migration);
    let after = after_migration(&now, &declared_by_migration);
    report.migration_applied = declared_by_migration
        .iter()
        .all(|(c, m)| now.iter().any(|s| s.name == *c && s.stored.contains(m)));
    let counts = collisions(db, migration, &after, known).await?;
    let collide = |collection: &str, field: &str| {
        counts
            .iter()
            .find(|(c, f, _)| c == collection && f == field)
            .map(|(_, _, n)| *n)
    };
    report.push_now = predict(&now, &declared_by_migration, &collide);
    report.push_after_migrate = predict(&after, &declared_by_migration, &collide);
    report.disagreements = disagreements(&schema, &collections, &report.push_after_migrate);
    report.agrees = report.disagreements.is_empty();
    report.models = comparisons(&schema, &now, &after, &declared_by_migration);
    report.warnings.extend(field_warnings(&report.models));
    report.edit = schema_edit(&text, &schema, &after, &declared_by_migration);
    Ok(report)
}

/// The "Prisma schema agrees" row of the dry run and of verify, given the
/// duplicate reports of the migration's unique keys they already counted.
pub async fn agreement(
    db: &Database,
    migration: &Migration,
    source: &PrismaSource,
    duplicates: &[DuplicateReport],
) -> Result<VerifyCheck, OpsError> {
    let report = checked(db, migration, source, Some(duplicates)).await?;
    let (passed, warning, evidence) = match &report.schema {
        SchemaState::NotConfigured => (
            false,
            true,
            "no Forest schema is configured ([forest] checkout or schema in Leptos.toml): a later `prisma db push` was not checked".to_owned(),
        ),
        SchemaState::Invalid { reason } => (false, true, format!("the schema cannot be checked: {reason}")),
        SchemaState::Read if report.agrees => (
            true,
            false,
            "prisma db push would leave the migration's indexes as they are".to_owned(),
        ),
        SchemaState::Read => (false, false, report.disagreements.join("; ")),
    };
    Ok(VerifyCheck {
        name: "Prisma schema agrees".to_owned(),
        passed,
        warning,
        evidence,
        link: Some("/prisma".to_owned()),
    })
}

fn invalid(mut report: PrismaReport, reason: String) -> PrismaReport {
    report.disagreements.push(reason.clone());
    report.schema = SchemaState::Invalid { reason };
    report
}

fn warnings(report: &PrismaReport) -> Vec<String> {
    let mut warnings = Vec::new();
    match &report.prisma_version {
        Some(version) => {
            let pinned = version.locked.as_deref().or(version.declared.as_deref());
            if let Some(major) = pinned.and_then(major)
                && !(MONGODB_SINCE..MONGODB_UNTIL).contains(&major)
            {
                warnings.push(format!(
                    "Prisma {major} (from {}) has no MongoDB connector: `prisma db push` cannot sync this database with it; Prisma {MONGODB_SINCE} to {} can",
                    version.source,
                    MONGODB_UNTIL - 1
                ));
            }
        }
        None => warnings.push(
            "no package.json or lock file above the schema names a Prisma version".to_owned(),
        ),
    }
    if !report.migrations_folder.is_empty() {
        warnings.push(format!(
            "prisma/migrations holds {} folders; Prisma Migrate does not support MongoDB, so none of them was applied by Prisma (this app applies and records the migration)",
            report.migrations_folder.len()
        ));
    }
    if let Some(mode) = report.relation_mode.as_deref()
        && mode != "prisma"
    {
        warnings.push(format!(
            "relationMode is \"{mode}\"; MongoDB has no foreign keys, so Prisma accepts only \"prisma\" there (relations are emulated by the client)"
        ));
    }
    warnings
}

/// The collections the migration touches, in the order it declares them.
fn collections(migration: &Migration) -> Vec<Collection> {
    let mut found: Vec<Collection> = Vec::new();
    for change in migration.changes {
        let collection = match change {
            Change::CreateCollection { collection } => *collection,
            Change::CreateIndex(spec) => spec.collection,
        };
        if !found.contains(&collection) {
            found.push(collection);
        }
    }
    found
}

fn migration_indexes(migration: &Migration) -> Vec<(String, StoredIndex)> {
    migration
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateIndex(spec) => Some((
                spec.collection.name().to_owned(),
                StoredIndex {
                    name: spec.name.to_owned(),
                    keys: spec
                        .keys
                        .iter()
                        .map(|(field, direction)| KeyPart {
                            field: (*field).to_owned(),
                            descending: *direction < 0,
                        })
                        .collect(),
                    unique: spec.unique,
                    partial: spec.string_only.is_some(),
                    sparse: false,
                    text: false,
                },
            )),
            Change::CreateCollection { .. } => None,
        })
        .collect()
}

fn stored(info: &IndexInfo) -> StoredIndex {
    let fields = info.key_fields();
    StoredIndex {
        name: info.name.clone(),
        text: fields
            .iter()
            .any(|f| f.direction == KeyDirection::Special("text".into())),
        keys: fields
            .into_iter()
            .map(|f| KeyPart {
                descending: f.direction == KeyDirection::Descending,
                field: f.name,
            })
            .collect(),
        unique: info.unique,
        partial: info.partial_filter.is_some(),
        sparse: info.sparse,
    }
}

/// The database as the migration leaves it: what is there now, plus each
/// of its indexes that is not there by name.
fn after_migration(
    now: &[CollectionState],
    migration: &[(String, StoredIndex)],
) -> Vec<CollectionState> {
    now.iter()
        .map(|collection| {
            let mut after = collection.clone();
            for (_, index) in migration.iter().filter(|(c, _)| *c == collection.name) {
                after.exists = true;
                if !after.stored.iter().any(|s| s.name == index.name) {
                    after.stored.push(index.clone());
                }
            }
            after
        })
        .collect()
}

/// For each unique key of the migration that the schema also makes unique:
/// how many documents a non-partial unique index would refuse.
async fn collisions(
    db: &Database,
    migration: &Migration,
    after: &[CollectionState],
    known: Option<&[DuplicateReport]>,
) -> Result<Vec<(String, String, Collisions)>, OpsError> {
    let mut found = Vec::new();
    for (collection, field) in migration.unique_keys() {
        let declared_unique = after.iter().any(|c| {
            c.name == collection.name()
                && c.declared.iter().flatten().any(|d| {
                    d.kind == super::declared::IndexKind::Unique
                        && d.keys.len() == 1
                        && d.keys[0].field == field
                })
        });
        if !declared_unique {
            continue;
        }
        let counted = match known
            .into_iter()
            .flatten()
            .find(|r| r.collection == collection.name() && r.field == field)
        {
            Some(report) => Collisions {
                null_or_missing: report.nulls + report.missing,
                at_least: report.time_limited,
                duplicated_values: report.duplicated_values,
            },
            // Two documents without a string are enough to fail the build;
            // duplicated strings also block migrate, so the Duplicates page
            // and the dry run count those.
            None => Collisions {
                null_or_missing: db
                    .count_without_string(collection, field, ENOUGH_TO_COLLIDE)
                    .await?,
                at_least: true,
                duplicated_values: 0,
            },
        };
        found.push((collection.name().to_owned(), field.to_owned(), counted));
    }
    Ok(found)
}

fn disagreements(schema: &Schema, collections: &[Collection], after: &[PushStep]) -> Vec<String> {
    let mut lines = Vec::new();
    for collection in collections {
        let name = collection.name();
        if schema.models.iter().any(|m| m.collection() == name) {
            continue;
        }
        let expected = model_name(name);
        match schema.models.iter().find(|m| m.name == expected) {
            Some(model) => lines.push(format!(
                "model {} maps to the collection {}, not {name}: add @@map(\"{name}\")",
                model.name,
                model.collection()
            )),
            None => lines.push(format!(
                "the schema has no model for the collection {name} (the migration's {expected})"
            )),
        }
    }
    for step in after {
        if step.harms_migration || matches!(step.outcome, StepOutcome::Fails { .. }) {
            lines.push(format!(
                "after the migration, db push would {}",
                step.summary()
            ));
        }
    }
    lines
}

fn model_name(collection: &str) -> &str {
    MODELS
        .iter()
        .find(|(c, _)| *c == collection)
        .map_or(collection, |(_, m)| m)
}

fn comparisons(
    schema: &Schema,
    now: &[CollectionState],
    after: &[CollectionState],
    migration: &[(String, StoredIndex)],
) -> Vec<ModelComparison> {
    now.iter()
        .zip(after)
        .map(|(now, _)| {
            let model = schema.models.iter().find(|m| m.collection() == now.name);
            let declared = model.map(Model::indexes).unwrap_or_default();
            let mut names: Vec<String> = Vec::new();
            let mut add = |name: &str| {
                if name != "_id_" && !names.iter().any(|n| n == name) {
                    names.push(name.to_owned());
                }
            };
            declared.iter().for_each(|d| add(&d.name));
            now.stored.iter().for_each(|s| add(&s.name));
            migration
                .iter()
                .filter(|(c, _)| *c == now.name)
                .for_each(|(_, m)| add(&m.name));
            let indexes = names
                .iter()
                .map(|name| index_row(name, &declared, &now.stored, &now.name, migration))
                .collect();
            ModelComparison {
                model: model_name(&now.name).to_owned(),
                collection: now.name.clone(),
                schema_model: model.map(|m| m.name.clone()),
                fields: model.map(|m| field_rows(m, &now.name)).unwrap_or_default(),
                indexes,
            }
        })
        .collect()
}

fn field_rows(model: &Model, collection: &str) -> Vec<FieldRow> {
    model
        .fields
        .iter()
        .map(|f| FieldRow {
            migration: expected_type(collection, &f.stored_name()),
            name: f.name.clone(),
            stored: f.stored_name(),
            type_text: match f.arity {
                Arity::Required => f.type_name.clone(),
                Arity::Optional => format!("{}?", f.type_name),
                Arity::List => format!("{}[]", f.type_name),
            },
            attributes: f
                .attributes
                .iter()
                .map(|a| {
                    if a.arguments.is_empty() {
                        format!("@{}", a.name)
                    } else {
                        format!("@{}(…)", a.name)
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect()
}

fn expected_type(collection: &str, stored: &str) -> Option<String> {
    MIGRATION_FIELDS
        .iter()
        .find(|(c, f, _)| *c == collection && *f == stored)
        .map(|(_, _, t)| (*t).to_owned())
}

/// Fields of the migration that the schema lacks or types otherwise: a
/// required field that existing documents lack makes Prisma Client fail
/// to read them.
fn field_warnings(models: &[ModelComparison]) -> Vec<String> {
    let mut warnings = Vec::new();
    for model in models.iter().filter(|m| m.schema_model.is_some()) {
        for (_, field, expected) in MIGRATION_FIELDS
            .iter()
            .filter(|(c, _, _)| *c == model.collection)
        {
            match model.fields.iter().find(|f| f.stored == *field) {
                None => warnings.push(format!(
                    "model {} declares no field stored as {field} ({expected}), which the migration's data has",
                    model.model
                )),
                Some(row) if row.type_text != *expected => warnings.push(format!(
                    "{}.{} is {} in the schema; the migration's data is {expected}{}",
                    model.model,
                    row.name,
                    row.type_text,
                    if expected.ends_with('?') && !row.type_text.ends_with('?') {
                        ": documents without it make Prisma Client fail to read them"
                    } else {
                        ""
                    }
                )),
                Some(_) => {}
            }
        }
    }
    warnings
}

fn index_row(
    name: &str,
    declared: &[DeclaredIndex],
    stored_now: &[StoredIndex],
    collection: &str,
    migration: &[(String, StoredIndex)],
) -> IndexRow {
    let schema = declared.iter().find(|d| d.name == name);
    let database = stored_now.iter().find(|s| s.name == name);
    let built = migration
        .iter()
        .find(|(c, m)| c == collection && m.name == name)
        .map(|(_, m)| m);
    let keys = schema
        .map(|d| describe_keys(&d.keys))
        .or_else(|| database.map(|s| describe_keys(&s.keys)))
        .or_else(|| built.map(|m| describe_keys(&m.keys)))
        .unwrap_or_default();
    let describe = |s: &StoredIndex| {
        let mut text = options(s);
        if s.partial {
            text += " (invisible to db push)";
        }
        format!("{text} on ({})", describe_keys(&s.keys))
    };
    IndexRow {
        name: name.to_owned(),
        keys,
        schema: schema.map(|d| {
            let mapped = if d.mapped { " named with map:" } else { "" };
            format!(
                "{} on ({}){mapped}",
                kind_word(d.kind),
                describe_keys(&d.keys)
            )
        }),
        database: database.map(describe),
        migration: built.map(describe),
    }
}

fn schema_edit(
    text: &str,
    schema: &Schema,
    after: &[CollectionState],
    migration: &[(String, StoredIndex)],
) -> Option<SchemaEdit> {
    let parts: Vec<ModelEdit<'_>> = after
        .iter()
        .filter_map(|collection| {
            let model = schema
                .models
                .iter()
                .find(|m| m.collection() == collection.name)?;
            Some(ModelEdit {
                model,
                migration: migration
                    .iter()
                    .filter(|(c, _)| *c == collection.name)
                    .map(|(_, m)| m.clone())
                    .collect(),
                stored: collection.stored.clone(),
            })
        })
        .collect();
    let (edited, changes) = edit(text, &parts)?;
    let mut explanation = changes;
    if migration.iter().any(|(_, m)| m.partial) && explanation.iter().any(|c| c.contains("remove"))
    {
        explanation.push(
            "Prisma cannot declare a partial index and `db push` never sees one, so with `@unique` on clientId it would build a plain unique index that refuses the second null or missing clientId (or stop on the partial index's name with code 86): the partial index stays managed here, by this migration. \
             Without `@unique`, Prisma Client no longer offers `findUnique({ where: { clientId } })`; use `findFirst({ where: { clientId } })`, which the partial index still serves and keeps unique."
                .to_owned(),
        );
    }
    explanation.push(
        "Apply the diff in the Forest repository, then run `pnpm db:generate` so that the client matches; `prisma db push` then leaves the migration's indexes alone."
            .to_owned(),
    );
    Some(SchemaEdit {
        diff: unified_diff(DIFF_PATH, text, &edited),
        explanation,
    })
}
