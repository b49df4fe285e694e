//! The declarations. Phase 0, `add_mobile_sync_support`, in design.md's words.

use crate::db::{Collection, IndexSpec};
use crate::ops::OpsError;
use crate::ops::digest::sha256_hex;
use serde::Serialize;

/// One change a migration makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Change {
    CreateCollection {
        #[serde(serialize_with = "name_of")]
        collection: Collection,
    },
    CreateIndex(IndexSpec),
}

fn name_of<S: serde::Serializer>(c: &Collection, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

impl Change {
    /// What the change acts on, stable whatever `describe` says: the index
    /// name, or `collection:<name>`. Runs record it; revert matches on it.
    pub fn key(&self) -> String {
        match self {
            Self::CreateCollection { collection } => format!("collection:{}", collection.name()),
            Self::CreateIndex(index) => index.name.to_owned(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::CreateCollection { collection } => {
                format!("create collection {}", collection.name())
            }
            Self::CreateIndex(index) => {
                let kind = match (index.unique, index.string_only) {
                    (true, Some(field)) => format!("unique index (only where {field} is a string)"),
                    (true, None) => "unique index".to_owned(),
                    (false, _) => "index".to_owned(),
                };
                format!(
                    "create {kind} {} on {}",
                    index.name,
                    index.collection.name()
                )
            }
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Migration {
    pub name: &'static str,
    pub description: &'static str,
    pub changes: &'static [Change],
}

impl Migration {
    /// SHA-256 of the declaration; a run records it so that history shows
    /// which declaration it applied.
    pub fn checksum(&self) -> String {
        sha256_hex(&serde_json::to_vec(self).unwrap_or_default())
    }

    /// The unique keys this migration adds: (collection, field).
    pub fn unique_keys(&self) -> Vec<(Collection, &'static str)> {
        self.changes
            .iter()
            .filter_map(|change| match change {
                Change::CreateIndex(index) if index.unique => index
                    .keys
                    .first()
                    .map(|(field, _)| (index.collection, *field)),
                _ => None,
            })
            .collect()
    }
}

const fn index(
    collection: Collection,
    name: &'static str,
    keys: &'static [(&'static str, i32)],
    unique: bool,
    string_only: Option<&'static str>,
) -> Change {
    Change::CreateIndex(IndexSpec {
        collection,
        name,
        keys,
        unique,
        string_only,
    })
}

/// Phase 0. The `clientId` keys are unique only where `clientId` is a
/// string: Prisma writes explicit nulls, and a sparse index would still let
/// only one document hold `null`. The names keep a later `prisma db push`
/// from dropping the non-partial indexes only when the Forest schema
/// declares them under these names (Prisma's default is `<collection>_...`
/// under `@@map`, so it may need `map:`); `db push` never sees the partial
/// ones, and `@unique` on clientId makes it fight them. The Prisma page
/// (`ops::prisma`) checks the schema and prints the edit.
pub const PHASE_0: Migration = Migration {
    name: "add_mobile_sync_support",
    description: "Phase 0, mobile sync: a devices collection, users.lastSyncedAt, \
                  and clientId on tasks and focus sessions, unique when present.",
    changes: &[
        Change::CreateCollection {
            collection: Collection::Devices,
        },
        index(
            Collection::Devices,
            "Device_deviceId_key",
            &[("deviceId", 1)],
            true,
            None,
        ),
        index(
            Collection::Devices,
            "Device_userId_idx",
            &[("userId", 1)],
            false,
            None,
        ),
        index(
            Collection::Users,
            "User_lastSyncedAt_idx",
            &[("lastSyncedAt", 1)],
            false,
            None,
        ),
        index(
            Collection::Tasks,
            "Task_clientId_key",
            &[("clientId", 1)],
            true,
            Some("clientId"),
        ),
        index(
            Collection::FocusSessions,
            "FocusSession_clientId_key",
            &[("clientId", 1)],
            true,
            Some("clientId"),
        ),
    ],
};

/// Every migration, oldest first.
pub const MIGRATIONS: [&Migration; 1] = [&PHASE_0];

/// The migration this build carries through a deployment: the newest. The
/// app state holds it and the command line defaults to it; nothing else
/// names a migration.
pub const fn current() -> &'static Migration {
    MIGRATIONS[MIGRATIONS.len() - 1]
}

/// The migration named `name`.
/// The migration called `name`, or why there is none.
pub fn find(name: &str) -> Result<&'static Migration, OpsError> {
    MIGRATIONS
        .into_iter()
        .find(|m| m.name == name)
        .ok_or_else(|| OpsError::InvalidInput {
            field: "migration",
            message: format!("no migration is named {name:?}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_0_declares_the_three_unique_keys_and_a_stable_checksum() {
        let keys = PHASE_0.unique_keys();
        assert_eq!(
            keys,
            vec![
                (Collection::Devices, "deviceId"),
                (Collection::Tasks, "clientId"),
                (Collection::FocusSessions, "clientId"),
            ]
        );
        assert_eq!(PHASE_0.checksum(), PHASE_0.checksum());
        assert_eq!(PHASE_0.checksum().len(), 64);
        assert!(find("add_mobile_sync_support").is_ok());
        assert!(matches!(
            find("drop_everything"),
            Err(OpsError::InvalidInput {
                field: "migration",
                ..
            })
        ));
    }

    #[test]
    fn the_client_id_index_command_is_partial_on_strings() {
        let Change::CreateIndex(task) = PHASE_0.changes[4] else {
            panic!("expected an index");
        };
        let command = task.command();
        assert!(
            command.contains(
                "\"partialFilterExpression\": { \"clientId\": { \"$type\": \"string\" } }"
            ),
            "{command}"
        );
        assert!(!command.contains("sparse"));
    }
}
