//! Collections and indexes as the migration sees them: what exists, with
//! which options, how to create and drop them, and what a query plan uses.

use super::error::codes;
use super::numbers::as_f64;
use super::{Collection, Database, DbError};
use mongodb::IndexModel;
use mongodb::bson::{Bson, Document, doc};
use mongodb::options::{CommitQuorum, IndexOptions};
use serde::Serialize;

/// An index as a migration declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndexSpec {
    #[serde(serialize_with = "collection_name")]
    pub collection: Collection,
    pub name: &'static str,
    pub keys: &'static [(&'static str, i32)],
    pub unique: bool,
    /// Index only documents where this field is a string
    /// (`partialFilterExpression: {field: {$type: "string"}}`).
    pub string_only: Option<&'static str>,
}

fn collection_name<S: serde::Serializer>(c: &Collection, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.name())
}

/// An index as the server reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexInfo {
    pub name: String,
    pub keys: Document,
    pub unique: bool,
    pub partial_filter: Option<Document>,
    pub sparse: bool,
}

/// One field of an index key, in plain terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyField {
    pub name: String,
    pub direction: KeyDirection,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDirection {
    Ascending,
    Descending,
    /// `text`, `2dsphere`, `hashed`, ...
    Special(String),
}

impl IndexInfo {
    /// The key's fields in order; servers may write 1 as an int, a long or a double.
    pub fn key_fields(&self) -> Vec<KeyField> {
        self.keys
            .iter()
            .map(|(name, value)| KeyField {
                name: name.clone(),
                direction: match (value.as_str(), as_f64(Some(value))) {
                    (Some(kind), _) => KeyDirection::Special(kind.to_owned()),
                    (None, Some(d)) if d < 0.0 => KeyDirection::Descending,
                    _ => KeyDirection::Ascending,
                },
            })
            .collect()
    }
}

impl IndexSpec {
    fn keys_document(&self) -> Document {
        self.keys
            .iter()
            .map(|(field, direction)| ((*field).to_owned(), Bson::Int32(*direction)))
            .collect()
    }

    fn partial_filter(&self) -> Option<Document> {
        self.string_only
            .map(|field| doc! { field: { "$type": "string" } })
    }

    /// True when `info` has this index's key, whatever its name.
    pub fn same_key(&self, info: &IndexInfo) -> bool {
        keys_equal(&info.keys, &self.keys_document())
    }

    /// `None` when `info` is this index with these options; otherwise what differs.
    pub fn difference(&self, info: &IndexInfo) -> Option<String> {
        let mut differences = Vec::new();
        if !self.same_key(info) {
            differences.push(format!(
                "key is {} instead of {}",
                info.keys,
                self.keys_document()
            ));
        }
        if info.unique != self.unique {
            differences.push(format!(
                "unique is {} instead of {}",
                info.unique, self.unique
            ));
        }
        if info.sparse {
            differences.push("it is sparse, which still indexes explicit nulls".to_owned());
        }
        if info.partial_filter != self.partial_filter() {
            let shown =
                |f: &Option<Document>| f.as_ref().map_or("none".to_owned(), Document::to_string);
            differences.push(format!(
                "partial filter is {} instead of {}",
                shown(&info.partial_filter),
                shown(&self.partial_filter())
            ));
        }
        (!differences.is_empty()).then(|| differences.join("; "))
    }

    /// The `createIndexes` command this index is built with, as Extended JSON.
    pub fn command(&self) -> String {
        let mut index = doc! { "key": self.keys_document(), "name": self.name };
        if self.unique {
            index.insert("unique", true);
        }
        if let Some(filter) = self.partial_filter() {
            index.insert("partialFilterExpression", filter);
        }
        doc! { "createIndexes": self.collection.name(), "indexes": [index] }.to_string()
    }

    fn model(&self) -> IndexModel {
        let options = IndexOptions::builder()
            .name(self.name.to_owned())
            .unique(self.unique.then_some(true))
            .partial_filter_expression(self.partial_filter())
            .build();
        IndexModel::builder()
            .keys(self.keys_document())
            .options(options)
            .build()
    }
}

/// Key documents are equal when fields, order and directions agree
/// (servers may report 1 as an int, a long or a double).
fn keys_equal(a: &Document, b: &Document) -> bool {
    let direction = |v: &Bson| as_f64(Some(v));
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| {
            ka == kb && direction(va) == direction(vb) && direction(va).is_some()
        })
}

/// Where the database runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerShape {
    pub version: String,
    pub topology: String,
}

impl Database {
    pub async fn collection_exists(&self, collection: Collection) -> Result<bool, DbError> {
        Ok(self
            .handle()
            .list_collection_names()
            .filter(doc! { "name": collection.name() })
            .await?
            .iter()
            .any(|name| name == collection.name()))
    }

    /// Creates the collection; an existing one is left as it is.
    pub async fn create_collection(&self, collection: Collection) -> Result<(), DbError> {
        match self
            .handle()
            .create_collection(collection.name())
            .await
            .map_err(DbError::from)
        {
            Err(error) if error.code() != Some(codes::NAMESPACE_EXISTS) => Err(error),
            _ => Ok(()),
        }
    }

    pub async fn drop_collection(&self, collection: Collection) -> Result<(), DbError> {
        self.drop_collection_named(collection.name()).await
    }

    /// The collection's indexes; none when it does not exist.
    pub async fn list_indexes(&self, collection: Collection) -> Result<Vec<IndexInfo>, DbError> {
        let cursor = self
            .collection(collection)
            .list_indexes()
            .await
            .map_err(DbError::from);
        let mut cursor = match cursor {
            Ok(cursor) => cursor,
            Err(error) if error.code() == Some(codes::NAMESPACE_NOT_FOUND) => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut indexes = Vec::new();
        while cursor.advance().await? {
            let model = cursor.deserialize_current()?;
            let options = model.options.unwrap_or_default();
            indexes.push(IndexInfo {
                name: options.name.unwrap_or_default(),
                keys: model.keys,
                unique: options.unique.unwrap_or(false),
                partial_filter: options.partial_filter_expression,
                sparse: options.sparse.unwrap_or(false),
            });
        }
        Ok(indexes)
    }

    /// Builds the index; on a replica set it is ready only once every
    /// voting member has built it, so a failover cannot lose it.
    pub async fn create_index(&self, spec: &IndexSpec) -> Result<(), DbError> {
        self.collection(spec.collection)
            .create_index(spec.model())
            .commit_quorum(CommitQuorum::VotingMembers)
            .await?;
        Ok(())
    }

    /// Drops the index named `name`; a missing one is not an error.
    pub async fn drop_index(&self, collection: Collection, name: &str) -> Result<(), DbError> {
        match self
            .collection(collection)
            .drop_index(name)
            .await
            .map_err(DbError::from)
        {
            Err(error)
                if !matches!(
                    error.code(),
                    Some(codes::INDEX_NOT_FOUND | codes::NAMESPACE_NOT_FOUND)
                ) =>
            {
                Err(error)
            }
            _ => Ok(()),
        }
    }

    pub async fn count(&self, collection: Collection) -> Result<u64, DbError> {
        Ok(self.collection(collection).count_documents(doc! {}).await?)
    }

    /// Version and topology, from `buildInfo` and `hello`.
    pub async fn server_shape(&self) -> Result<ServerShape, DbError> {
        let hello = self
            .client()
            .database("admin")
            .run_command(doc! { "hello": 1 })
            .await?;
        let topology = if hello.get_str("msg") == Ok("isdbgrid") {
            "sharded".to_owned()
        } else if let Ok(set) = hello.get_str("setName") {
            format!("replica set {set}")
        } else {
            "standalone".to_owned()
        };
        Ok(ServerShape {
            version: self.server_version().await?,
            topology,
        })
    }

    /// The stages of the winning plan of a sync-style lookup of one string
    /// value of `field`, outermost first (e.g. `FETCH > IXSCAN Task_clientId_key`).
    pub async fn explain_lookup(
        &self,
        collection: Collection,
        field: &str,
    ) -> Result<String, DbError> {
        let filter = doc! { field: "forest-runbook-probe" };
        let explained = self
            .handle()
            .run_command(doc! {
                "explain": { "find": collection.name(), "filter": filter },
                "verbosity": "queryPlanner",
            })
            .await?;
        let mut stages = Vec::new();
        let mut stage = explained
            .get_document("queryPlanner")
            .and_then(|planner| planner.get_document("winningPlan"))
            .ok();
        while let Some(current) = stage {
            let current = current.get_document("queryPlan").unwrap_or(current);
            let name = current.get_str("stage").unwrap_or("?");
            match current.get_str("indexName") {
                Ok(index) => stages.push(format!("{name} {index}")),
                Err(_) => stages.push(name.to_owned()),
            }
            stage = current.get_document("inputStage").ok();
        }
        Ok(stages.join(" > "))
    }
}
