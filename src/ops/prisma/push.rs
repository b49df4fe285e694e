//! What `prisma db push` would do to a database, step by step, from the
//! rules of prisma-engines' MongoDB schema connector (each rule's source is
//! in `RULES`), then what the server answers to each step.

use super::declared::{DeclaredIndex, IndexKind, KeyPart};
use crate::model::{PushAction, PushRule, PushStep, StepOutcome};

/// MongoDB's codes for the refusals `db push` runs into.
use crate::db::codes::{DUPLICATE_KEY, INDEX_KEY_SPECS_CONFLICT, INDEX_OPTIONS_CONFLICT};

/// The rules, as the page names them.
pub const RULES: [(&str, &str); 6] = [
    (
        "db push reads the database's indexes but skips `_id_` and every index that has a partialFilterExpression: it never sees a partial index.",
        "prisma-engines schema-engine/mongodb-schema-describer/src/lib.rs (describe)",
    ),
    (
        "It pairs the database's indexes with the schema's by name, in each collection that a model maps to: a name only in the database is dropped, a name only in the schema is created, and a pair whose kind (normal, unique, fulltext) or keys differ is dropped and created again. Collections no model maps to are left alone.",
        "prisma-engines schema-engine/connectors/mongodb-schema-connector/src/differ.rs (diff, indexes_are_different)",
    ),
    (
        "The steps run in this order: create collections, drop indexes, create indexes; the first error stops the push, and the drops before it stay done.",
        "prisma-engines schema-engine/connectors/mongodb-schema-connector/src/migration.rs (MongoDbMigrationStep order) and migration_step_applier.rs",
    ),
    (
        "The server refuses an index whose name exists with another key or other options (code 86, IndexKeySpecsConflict), and the same key and options under a second name (code 85, IndexOptionsConflict); a unique index that is not partial indexes a missing field as null, so two such documents fail its build (E11000).",
        "MongoDB src/mongo/db/catalog/index_catalog_impl.cpp (_doesSpecConflictWithExisting); checked here against the test server by replaying each predicted step",
    ),
    (
        "An index is created with only its key, its name and `unique`: never partial, never sparse. `@unique` and `@@unique` are unique indexes, `@@index` normal ones.",
        "prisma-engines schema-engine/connectors/mongodb-schema-connector/src/migration_step_applier.rs (CreateIndex) and schema_calculator.rs",
    ),
    (
        "An index not named with `map:` is named after the collection (the model's @@map name) and the stored field names: <collection>_<fields>_key for unique, _idx otherwise.",
        "prisma-engines psl/psl-core/src/datamodel_connector/constraint_names.rs and walker_ext_traits.rs (IndexWalkerExt::constraint_name)",
    ),
];

pub fn rules() -> Vec<PushRule> {
    RULES
        .iter()
        .map(|(rule, source)| PushRule {
            rule: (*rule).to_owned(),
            source: (*source).to_owned(),
        })
        .collect()
}

/// An index as the server holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredIndex {
    pub name: String,
    pub keys: Vec<KeyPart>,
    pub unique: bool,
    pub partial: bool,
    pub sparse: bool,
    pub text: bool,
}

/// One collection as `db push` meets it.
#[derive(Debug, Clone)]
pub struct CollectionState {
    pub name: String,
    pub exists: bool,
    pub stored: Vec<StoredIndex>,
    /// The schema's indexes for it; `None` when no model maps to it.
    pub declared: Option<Vec<DeclaredIndex>>,
}

/// Documents that a non-partial unique index on one field would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Collisions {
    pub null_or_missing: u64,
    /// `null_or_missing` is a lower bound: counting stopped there.
    pub at_least: bool,
    pub duplicated_values: u64,
}

impl StoredIndex {
    fn kind(&self) -> IndexKind {
        match (self.unique, self.text) {
            (true, _) => IndexKind::Unique,
            (false, true) => IndexKind::Fulltext,
            _ => IndexKind::Normal,
        }
    }

    /// What `db push` itself would build under this name: plain options.
    fn is_plain(&self) -> bool {
        !self.partial && !self.sparse
    }

    fn from_declared(index: &DeclaredIndex) -> Self {
        Self {
            name: index.name.clone(),
            keys: index.keys.clone(),
            unique: index.kind == IndexKind::Unique,
            partial: false,
            sparse: false,
            text: index.kind == IndexKind::Fulltext,
        }
    }
}

pub fn describe_keys(keys: &[KeyPart]) -> String {
    keys.iter()
        .map(|k| {
            if k.descending {
                format!("{} desc", k.field)
            } else {
                k.field.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn kind_word(kind: IndexKind) -> &'static str {
    match kind {
        IndexKind::Normal => "an index",
        IndexKind::Unique => "a unique index",
        IndexKind::Fulltext => "a fulltext index",
    }
}

/// The steps `db push` would take, with what the server answers to each.
/// `migration` lists the migration's indexes as (collection, index).
pub fn predict(
    collections: &[CollectionState],
    migration: &[(String, StoredIndex)],
    collisions: &dyn Fn(&str, &str) -> Option<Collisions>,
) -> Vec<PushStep> {
    let planned = plan(collections);
    let mut state: Vec<(String, Vec<StoredIndex>)> = collections
        .iter()
        .map(|c| (c.name.clone(), c.stored.clone()))
        .collect();
    let mut stopped = false;
    planned
        .into_iter()
        .map(|(action, collection, index, why)| {
            let harms_migration = harms(action, &collection, index.as_ref(), migration);
            let outcome = if stopped {
                StepOutcome::NotRun
            } else {
                let held = state
                    .iter_mut()
                    .find(|(name, _)| *name == collection)
                    .map(|(_, indexes)| indexes);
                apply(action, &collection, index.as_ref(), held, collisions)
            };
            stopped |= matches!(outcome, StepOutcome::Fails { .. });
            PushStep {
                action,
                key: index.as_ref().map_or_else(Vec::new, |i| {
                    i.keys
                        .iter()
                        .map(|k| (k.field.clone(), if k.descending { -1 } else { 1 }))
                        .collect()
                }),
                unique: index.as_ref().is_some_and(|i| i.unique),
                index: index.map(|i| i.name).unwrap_or_default(),
                collection,
                why,
                outcome,
                harms_migration,
            }
        })
        .collect()
}

type Planned = (PushAction, String, Option<StoredIndex>, String);

/// The differ: what `db push` plans, in the order it runs it.
fn plan(collections: &[CollectionState]) -> Vec<Planned> {
    let mut created_collections = Vec::new();
    let mut drops = Vec::new();
    let mut creates = Vec::new();
    for collection in collections {
        let Some(declared) = &collection.declared else {
            continue;
        };
        let name = &collection.name;
        if !collection.exists {
            created_collections.push((
                PushAction::CreateCollection,
                name.clone(),
                None,
                "a model maps to it and it does not exist".to_owned(),
            ));
        }
        let visible: Vec<&StoredIndex> = collection
            .stored
            .iter()
            .filter(|i| i.name != "_id_" && !i.partial)
            .collect();
        for stored in &visible {
            match declared.iter().find(|d| d.name == stored.name) {
                None => drops.push((
                    PushAction::DropIndex,
                    name.clone(),
                    Some((*stored).clone()),
                    "the schema declares no index by this name".to_owned(),
                )),
                Some(d) if d.kind != stored.kind() || d.keys != stored.keys => drops.push((
                    PushAction::DropIndex,
                    name.clone(),
                    Some((*stored).clone()),
                    format!(
                        "the schema declares it as {} on ({}); it is {} on ({})",
                        kind_word(d.kind),
                        describe_keys(&d.keys),
                        kind_word(stored.kind()),
                        describe_keys(&stored.keys)
                    ),
                )),
                Some(_) => {}
            }
        }
        for d in declared {
            let paired = visible.iter().find(|s| s.name == d.name);
            let why = match paired {
                None if collection
                    .stored
                    .iter()
                    .any(|s| s.name == d.name && s.partial) =>
                {
                    format!(
                        "the schema declares {} on ({}); the partial index of that name is invisible to db push",
                        kind_word(d.kind),
                        describe_keys(&d.keys)
                    )
                }
                None => format!(
                    "the schema declares {} on ({})",
                    kind_word(d.kind),
                    describe_keys(&d.keys)
                ),
                Some(s) if s.kind() != d.kind || s.keys != d.keys => {
                    "recreated with the schema's kind and keys".to_owned()
                }
                Some(_) => continue,
            };
            creates.push((
                PushAction::CreateIndex,
                name.clone(),
                Some(StoredIndex::from_declared(d)),
                why,
            ));
        }
    }
    created_collections
        .into_iter()
        .chain(drops)
        .chain(creates)
        .collect()
}

/// True when the step drops an index of the migration, or builds one on a
/// migration index's key that is not that index.
fn harms(
    action: PushAction,
    collection: &str,
    index: Option<&StoredIndex>,
    migration: &[(String, StoredIndex)],
) -> bool {
    let Some(index) = index else {
        return false;
    };
    migration
        .iter()
        .filter(|(c, _)| c == collection)
        .any(|(_, m)| match action {
            PushAction::DropIndex => m.name == index.name,
            PushAction::CreateIndex => {
                (m.name == index.name || m.keys == index.keys)
                    && (m.partial || m.unique != index.unique || m.name != index.name)
            }
            PushAction::CreateCollection => false,
        })
}

/// What the server answers to one step, given the indexes it holds.
fn apply(
    action: PushAction,
    collection: &str,
    index: Option<&StoredIndex>,
    held: Option<&mut Vec<StoredIndex>>,
    collisions: &dyn Fn(&str, &str) -> Option<Collisions>,
) -> StepOutcome {
    let (Some(index), Some(held)) = (index, held) else {
        return StepOutcome::Applies;
    };
    match action {
        PushAction::CreateCollection => StepOutcome::Applies,
        PushAction::DropIndex => {
            held.retain(|i| i.name != index.name);
            StepOutcome::Applies
        }
        PushAction::CreateIndex => {
            if let Some(refusal) = refusal(index, held, collection, collisions) {
                return refusal;
            }
            held.push(index.clone());
            StepOutcome::Applies
        }
    }
}

fn refusal(
    index: &StoredIndex,
    held: &[StoredIndex],
    collection: &str,
    collisions: &dyn Fn(&str, &str) -> Option<Collisions>,
) -> Option<StepOutcome> {
    let same_options = |other: &StoredIndex| other.unique == index.unique && other.is_plain();
    // The server's rules (mongod's index catalog, `_doesSpecConflictWithExisting`):
    // the same name with another key or other options is 86; the same key
    // and options under another name is 85.
    if let Some(named) = held.iter().find(|h| h.name == index.name) {
        if named.keys == index.keys && same_options(named) {
            return None;
        }
        return Some(StepOutcome::Fails {
            code: INDEX_KEY_SPECS_CONFLICT,
            reason: format!(
                "IndexKeySpecsConflict: an index named {} already exists on ({}) with other options ({})",
                named.name,
                describe_keys(&named.keys),
                options(named)
            ),
        });
    }
    if let Some(twin) = held
        .iter()
        .find(|h| h.keys == index.keys && same_options(h))
    {
        return Some(StepOutcome::Fails {
            code: INDEX_OPTIONS_CONFLICT,
            reason: format!(
                "IndexOptionsConflict: the same index already exists under another name, {}",
                twin.name
            ),
        });
    }
    let [key] = index.keys.as_slice() else {
        return None;
    };
    let counted = collisions(collection, &key.field).filter(|_| index.unique)?;
    if counted.null_or_missing >= 2 {
        Some(StepOutcome::Fails {
            code: DUPLICATE_KEY,
            reason: format!(
                "E11000 duplicate key: {}{} documents have {} null or missing, and a unique index that is not partial indexes them all as null",
                if counted.at_least { "at least " } else { "" },
                counted.null_or_missing,
                key.field
            ),
        })
    } else if counted.duplicated_values > 0 {
        Some(StepOutcome::Fails {
            code: DUPLICATE_KEY,
            reason: format!(
                "E11000 duplicate key: {} values of {} are duplicated",
                counted.duplicated_values, key.field
            ),
        })
    } else {
        None
    }
}

/// The options that set an index apart from what `db push` builds.
pub fn options(index: &StoredIndex) -> String {
    let mut words = vec![if index.unique { "unique" } else { "not unique" }];
    if index.partial {
        words.push("partial");
    }
    if index.sparse {
        words.push("sparse");
    }
    words.join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::declared::IndexOrigin;
    use super::super::syntax::{Attribute, Span};
    use super::*;

    fn key(field: &str) -> Vec<KeyPart> {
        vec![KeyPart {
            field: field.to_owned(),
            descending: false,
        }]
    }

    fn stored(name: &str, field: &str, unique: bool, partial: bool) -> StoredIndex {
        StoredIndex {
            name: name.to_owned(),
            keys: key(field),
            unique,
            partial,
            sparse: false,
            text: false,
        }
    }

    fn declared(name: &str, field: &str, kind: IndexKind) -> DeclaredIndex {
        DeclaredIndex {
            name: name.to_owned(),
            kind,
            keys: key(field),
            mapped: false,
            origin: IndexOrigin::Block {
                attribute: Attribute {
                    name: "index".into(),
                    arguments: vec![],
                    span: Span::default(),
                    arguments_close: None,
                },
            },
        }
    }

    /// After Phase 0, with the seed's indexes: `@unique` on clientId and
    /// deviceId, and neither `@@index` the migration adds.
    fn after_phase_0(with_edit: bool) -> Vec<CollectionState> {
        let mut tasks = vec![declared("Task_userId_idx", "userId", IndexKind::Normal)];
        let mut devices = vec![declared(
            "Device_deviceId_key",
            "deviceId",
            IndexKind::Unique,
        )];
        let mut users = vec![declared("User_email_key", "email", IndexKind::Unique)];
        if with_edit {
            devices.push(declared("Device_userId_idx", "userId", IndexKind::Normal));
            users.push(declared(
                "User_lastSyncedAt_idx",
                "lastSyncedAt",
                IndexKind::Normal,
            ));
        } else {
            tasks.push(declared("Task_clientId_key", "clientId", IndexKind::Unique));
        }
        vec![
            CollectionState {
                name: "users".into(),
                exists: true,
                stored: vec![
                    stored("_id_", "_id", false, false),
                    stored("User_email_key", "email", true, false),
                    stored("User_lastSyncedAt_idx", "lastSyncedAt", false, false),
                ],
                declared: Some(users),
            },
            CollectionState {
                name: "tasks".into(),
                exists: true,
                stored: vec![
                    stored("Task_userId_idx", "userId", false, false),
                    stored("Task_clientId_key", "clientId", true, true),
                ],
                declared: Some(tasks),
            },
            CollectionState {
                name: "devices".into(),
                exists: true,
                stored: vec![
                    stored("Device_deviceId_key", "deviceId", true, false),
                    stored("Device_userId_idx", "userId", false, false),
                ],
                declared: Some(devices),
            },
        ]
    }

    fn migration() -> Vec<(String, StoredIndex)> {
        vec![
            (
                "devices".into(),
                stored("Device_userId_idx", "userId", false, false),
            ),
            (
                "users".into(),
                stored("User_lastSyncedAt_idx", "lastSyncedAt", false, false),
            ),
            (
                "tasks".into(),
                stored("Task_clientId_key", "clientId", true, true),
            ),
        ]
    }

    #[test]
    fn the_seed_schema_drops_the_two_indexes_then_stops_on_code_86() {
        let steps = predict(&after_phase_0(false), &migration(), &|_, _| None);
        let summary: Vec<_> = steps
            .iter()
            .map(|s| (s.action, s.index.as_str(), s.harms_migration))
            .collect();
        assert_eq!(
            summary,
            [
                (PushAction::DropIndex, "User_lastSyncedAt_idx", true),
                (PushAction::DropIndex, "Device_userId_idx", true),
                (PushAction::CreateIndex, "Task_clientId_key", true),
            ]
        );
        assert_eq!(steps[0].outcome, StepOutcome::Applies);
        assert!(matches!(
            steps[2].outcome,
            StepOutcome::Fails { code: 86, .. }
        ));
        assert!(steps[2].why.contains("invisible"), "{}", steps[2].why);
    }

    #[test]
    fn the_edited_schema_changes_nothing() {
        assert!(predict(&after_phase_0(true), &migration(), &|_, _| None).is_empty());
    }

    #[test]
    fn under_another_name_a_plain_unique_index_fails_on_the_second_null() {
        let mut collections = after_phase_0(false);
        collections[1].declared = Some(vec![
            declared("Task_userId_idx", "userId", IndexKind::Normal),
            declared("tasks_clientId_key", "clientId", IndexKind::Unique),
        ]);
        let steps = predict(&collections, &migration(), &|collection, field| {
            (collection == "tasks" && field == "clientId").then_some(Collisions {
                null_or_missing: 40,
                at_least: false,
                duplicated_values: 0,
            })
        });
        let create = steps.last().expect("a create");
        assert_eq!(create.index, "tasks_clientId_key");
        assert!(create.harms_migration);
        assert!(matches!(
            &create.outcome,
            StepOutcome::Fails { code: 11000, reason } if reason.contains("40 documents")
        ));
    }

    #[test]
    fn a_missing_collection_is_created_with_its_indexes_and_unmodelled_ones_are_left_alone() {
        let collections = vec![
            CollectionState {
                name: "devices".into(),
                exists: false,
                stored: vec![],
                declared: Some(vec![declared(
                    "Device_deviceId_key",
                    "deviceId",
                    IndexKind::Unique,
                )]),
            },
            CollectionState {
                name: "audit".into(),
                exists: true,
                stored: vec![stored("audit_at", "at", false, false)],
                declared: None,
            },
        ];
        let steps = predict(&collections, &[], &|_, _| None);
        let actions: Vec<_> = steps.iter().map(|s| s.action).collect();
        assert_eq!(
            actions,
            [PushAction::CreateCollection, PushAction::CreateIndex]
        );
        assert!(steps.iter().all(|s| s.outcome == StepOutcome::Applies));
    }
}
