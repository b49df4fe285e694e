//! `<coll>.metadata.json`: the collection's options, indexes and uuid as
//! canonical Extended JSON v2, read back as every mongodump version wrote
//! it (index specs with `"v": 1`, an `ns` field, legacy key values) into
//! typed options and indexes, at most `MAX_METADATA_BYTES` of it.

use super::DumpError;
use super::index_spec::IndexSpec;
use super::options::CollectionOptions;
use mongodb::bson::{Bson, Document, doc};
use std::io::Read;

/// The largest metadata file read, once inflated: a collection's options
/// and indexes take kilobytes; more is refused before it is held.
pub const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;

/// The kinds of collection mongodump writes.
const KINDS: [&str; 3] = ["collection", "view", "timeseries"];

/// One collection's metadata, every option and index typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    name: String,
    kind: String,
    options: CollectionOptions,
    indexes: Vec<IndexSpec>,
    uuid: Option<String>,
    converted: Vec<String>,
}

impl Metadata {
    /// A live collection's metadata, as the server lists it, read by the
    /// same rules as a file's.
    pub(super) fn from_server(
        name: String,
        kind: String,
        options: &Document,
        indexes: &[Document],
        uuid: Option<String>,
    ) -> Result<Self, DumpError> {
        let bad = |reason: String| DumpError::BadMetadata {
            file: format!("the live collection {name}"),
            reason,
        };
        let mut converted = Vec::new();
        let options = CollectionOptions::parse(options, &mut converted).map_err(&bad)?;
        let indexes = indexes
            .iter()
            .map(|index| IndexSpec::parse(&Bson::Document(index.clone()), &mut converted))
            .collect::<Result<_, _>>()
            .map_err(&bad)?;
        Ok(Self {
            name,
            kind,
            options,
            indexes,
            uuid,
            converted,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A view has metadata only: no `.bson` file.
    pub fn is_view(&self) -> bool {
        self.kind == "view"
    }

    /// What a restore will create, for the person who approves it: the
    /// collection's options (when it has any) and every index with its key
    /// and options, as relaxed Extended JSON.
    pub fn describe(&self) -> String {
        let json = |document: Document| Bson::Document(document).into_relaxed_extjson().to_string();
        let options = self.options.to_document();
        let mut out = if options.is_empty() {
            String::new()
        } else {
            format!("options {}; ", json(options))
        };
        let indexes: Vec<String> = self
            .indexes
            .iter()
            .map(|index| {
                let mut spec = index.to_document();
                spec.remove("v");
                spec.remove("name");
                format!("{} {}", index.name, json(spec))
            })
            .collect();
        out += &format!("indexes {}", indexes.join(", "));
        out
    }

    /// What reading legacy metadata changed, one line each; empty for
    /// metadata today's servers write.
    pub fn converted(&self) -> &[String] {
        &self.converted
    }

    pub(super) fn options(&self) -> &CollectionOptions {
        &self.options
    }

    pub(super) fn indexes(&self) -> &[IndexSpec] {
        &self.indexes
    }

    /// The file's text, as mongodump writes it.
    pub fn to_json(&self) -> String {
        let indexes: Vec<Document> = self.indexes.iter().map(IndexSpec::to_document).collect();
        let mut document = doc! {
            "indexes": indexes,
            "collectionName": &self.name,
            "type": &self.kind,
            "options": self.options.to_document(),
        };
        if let Some(uuid) = &self.uuid {
            document.insert("uuid", uuid);
        }
        Bson::Document(document)
            .into_canonical_extjson()
            .to_string()
    }

    /// Reads the metadata of collection `name` from `reader` (`file` names
    /// it in errors), refusing more than `MAX_METADATA_BYTES`.
    pub fn read(reader: impl Read, file: &str, name: &str) -> Result<Self, DumpError> {
        let bytes = read_capped(reader, MAX_METADATA_BYTES)
            .map_err(|source| DumpError::Io {
                file: file.to_owned(),
                source,
            })?
            .ok_or_else(|| DumpError::TooLarge {
                file: file.to_owned(),
                limit: MAX_METADATA_BYTES,
            })?;
        Self::parse(&bytes, file, name)
    }

    /// Parses the metadata of collection `name` from `file`.
    pub fn parse(bytes: &[u8], file: &str, name: &str) -> Result<Self, DumpError> {
        let bad = |reason: String| DumpError::BadMetadata {
            file: file.to_owned(),
            reason,
        };
        let json: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
        let serde_json::Value::Object(object) = json else {
            return Err(bad("not a JSON object".to_owned()));
        };
        let document =
            Document::try_from(object).map_err(|e| bad(format!("not Extended JSON: {e}")))?;
        match document.get("collectionName") {
            None => {}
            Some(Bson::String(stated)) if stated == name => {}
            Some(other) => {
                return Err(bad(format!(
                    "collectionName is {other}, but the file is for {name}"
                )));
            }
        }
        let mut converted = Vec::new();
        let options = match document.get("options") {
            None | Some(Bson::Null) => CollectionOptions::default(),
            Some(Bson::Document(options)) => {
                CollectionOptions::parse(options, &mut converted).map_err(&bad)?
            }
            Some(other) => return Err(bad(format!("options is {other}, not a document"))),
        };
        let kind = match document.get("type") {
            None if options.view.is_some() => "view".to_owned(),
            None => "collection".to_owned(),
            Some(Bson::String(kind)) if KINDS.contains(&kind.as_str()) => kind.clone(),
            Some(other) => return Err(bad(format!("type is {other}, not a kind of collection"))),
        };
        if (kind == "view") != options.view.is_some() {
            return Err(bad(format!(
                "type is {kind}, but viewOn is {}",
                if options.view.is_some() {
                    "set"
                } else {
                    "missing"
                }
            )));
        }
        let uuid = match document.get("uuid") {
            None => None,
            Some(Bson::String(uuid)) if uuid.len() == 32 && is_hex(uuid) => Some(uuid.clone()),
            Some(other) => return Err(bad(format!("uuid {other} is not 32 hex digits"))),
        };
        let indexes = match document.get("indexes") {
            None => Vec::new(),
            Some(Bson::Array(indexes)) => indexes
                .iter()
                .map(|index| IndexSpec::parse(index, &mut converted))
                .collect::<Result<_, _>>()
                .map_err(&bad)?,
            Some(other) => return Err(bad(format!("indexes is {other}, not an array"))),
        };
        Ok(Self {
            name: name.to_owned(),
            kind,
            options,
            indexes,
            uuid,
            converted,
        })
    }

    /// `create` with the collection's options.
    pub(super) fn create_command(&self) -> Document {
        self.options.create_command(&self.name)
    }

    /// The index specs `createIndexes` is sent, without `_id_` (the server
    /// makes it).
    pub(super) fn index_specs(&self) -> Vec<Document> {
        self.indexes
            .iter()
            .filter(|index| !index.is_id())
            .map(IndexSpec::to_document)
            .collect()
    }
}

/// All of `reader`, or `None` past `cap` bytes. The buffer doubles as it
/// fills but never beyond `cap`, so that no allocation passes the cap
/// whatever the reader yields.
fn read_capped(mut reader: impl Read, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let mut bytes = Vec::new();
    let mut chunk = vec![0_u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => return Ok(Some(bytes)),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let needed = bytes.len() + n;
        if needed > cap {
            return Ok(None);
        }
        if needed > bytes.capacity() {
            let grown = needed.max(bytes.capacity() * 2).min(cap);
            bytes.reserve_exact(grown - bytes.len());
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
}

fn is_hex(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = r#"{"options":{},"indexes":[
        {"v":1,"key":{"_id":1},"name":"_id_","ns":"forest.tasks"},
        {"v":1,"key":{"userId":true,"title":""},"name":"legacy","ns":"forest.tasks"},
        {"v":1,"key":{"loc":"2dsphere","n":0},"name":"geo","ns":"forest.tasks","sparse":true}
    ]}"#;

    #[test]
    fn legacy_metadata_parses_and_its_index_specs_are_made_valid() {
        let metadata =
            Metadata::parse(LEGACY.as_bytes(), "tasks.metadata.json", "tasks").expect("parses");
        let described = metadata.describe();
        assert!(
            described.starts_with(r#"indexes _id_ {"key":{"_id":1}}, legacy "#),
            "{described}"
        );
        let specs = metadata.index_specs();
        assert_eq!(specs.len(), 2, "the _id_ index is made by the server");
        assert_eq!(
            specs[0],
            doc! { "v": 1, "key": { "userId": 1, "title": 1 }, "name": "legacy" }
        );
        assert_eq!(
            specs[1].get_document("key").expect("key"),
            &doc! { "loc": "2dsphere", "n": 1 }
        );
        assert_eq!(specs[1].get_bool("sparse"), Ok(true));
        assert!(
            metadata
                .converted()
                .iter()
                .any(|c| c.contains("key userId")),
            "{:?}",
            metadata.converted()
        );
    }

    #[test]
    fn metadata_past_the_cap_is_refused_unread() {
        let endless = std::io::repeat(b' ').take(MAX_METADATA_BYTES * 4);
        let error =
            Metadata::read(endless, "tasks.metadata.json.gz", "tasks").expect_err("too big");
        assert!(
            matches!(error, DumpError::TooLarge { ref file, .. } if file == "tasks.metadata.json.gz"),
            "{error}"
        );
    }

    #[test]
    fn written_metadata_is_canonical_extended_json_and_reads_back() {
        let metadata = Metadata::from_server(
            "tasks".into(),
            "collection".into(),
            &doc! { "validator": { "n": { "$gt": 0_i64 } } },
            &[
                doc! { "v": 2, "key": { "clientId": 1 }, "name": "Task_clientId_key", "unique": true },
            ],
            Some("00112233445566778899aabbccddeeff".into()),
        )
        .expect("the server's metadata reads");
        let json = metadata.to_json();
        assert!(json.contains(r#"{"$numberInt":"2"}"#), "{json}");
        assert!(json.contains(r#"{"$numberLong":"0"}"#), "{json}");
        assert!(json.contains(r#""collectionName":"tasks""#), "{json}");
        let back = Metadata::parse(json.as_bytes(), "f", "tasks").expect("reads back");
        assert_eq!(back, metadata);
    }

    #[test]
    fn invalid_metadata_is_refused_with_the_reason() {
        for (text, reason) in [
            ("{not json", "not JSON"),
            ("[]", "not a JSON object"),
            (r#"{"indexes": 3}"#, "not an array"),
            (r#"{"indexes": [{"name": "a"}]}"#, "no key"),
            (r#"{"collectionName": "users"}"#, "the file is for tasks"),
            (r#"{"uuid": "xyz"}"#, "32 hex"),
            (r#"{"options": {"$numberInt": "x"}}"#, "Extended JSON"),
            (
                r#"{"options": {"create": "runbook_accounts"}}"#,
                "\"create\"",
            ),
            (r#"{"type": "view"}"#, "viewOn is missing"),
            (
                r#"{"indexes": [{"name": "a", "key": {"a": 1}, "weird": 1}]}"#,
                "weird",
            ),
        ] {
            let error = Metadata::parse(text.as_bytes(), "f", "tasks").expect_err(text);
            assert!(error.to_string().contains(reason), "{text}: {error}");
        }
    }
}
