//! `<coll>.metadata.json`: the collection's options, indexes and uuid as
//! canonical Extended JSON v2, read back as every mongodump version wrote
//! it (index specs with `"v": 1`, an `ns` field, legacy key values).

use super::DumpError;
use mongodb::bson::{Bson, Document, doc};

/// Special index types whose key value is a string.
const INDEX_TYPES: [&str; 5] = ["2d", "2dsphere", "geoHaystack", "hashed", "text"];

/// One collection's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    name: String,
    kind: String,
    options: Document,
    indexes: Vec<Document>,
    uuid: Option<String>,
}

impl Metadata {
    pub(super) fn new(
        name: String,
        kind: String,
        options: Document,
        indexes: Vec<Document>,
        uuid: Option<String>,
    ) -> Self {
        Self {
            name,
            kind,
            options,
            indexes,
            uuid,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A view has metadata only: no `.bson` file.
    pub fn is_view(&self) -> bool {
        self.kind == "view"
    }

    /// Names of the indexes, `_id_` included.
    pub fn index_names(&self) -> Vec<String> {
        self.indexes
            .iter()
            .filter_map(|index| index.get_str("name").ok().map(str::to_owned))
            .collect()
    }

    /// The file's text, as mongodump writes it.
    pub fn to_json(&self) -> String {
        let mut document = doc! {
            "indexes": self.indexes.clone(),
            "collectionName": &self.name,
            "type": &self.kind,
            "options": self.options.clone(),
        };
        if let Some(uuid) = &self.uuid {
            document.insert("uuid", uuid);
        }
        Bson::Document(document)
            .into_canonical_extjson()
            .to_string()
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
        let options = match document.get("options") {
            None | Some(Bson::Null) => Document::new(),
            Some(Bson::Document(options)) => options.clone(),
            Some(other) => return Err(bad(format!("options is {other}, not a document"))),
        };
        let kind = match document.get("type") {
            None => "collection".to_owned(),
            Some(Bson::String(kind)) => kind.clone(),
            Some(other) => return Err(bad(format!("type is {other}, not a string"))),
        };
        let uuid = match document.get("uuid") {
            None => None,
            Some(Bson::String(uuid)) if uuid.len() == 32 && is_hex(uuid) => Some(uuid.clone()),
            Some(other) => return Err(bad(format!("uuid {other} is not 32 hex digits"))),
        };
        let indexes = match document.get("indexes") {
            None => Vec::new(),
            Some(Bson::Array(indexes)) => indexes
                .iter()
                .map(|index| check_index(index).map_err(&bad))
                .collect::<Result<_, _>>()?,
            Some(other) => return Err(bad(format!("indexes is {other}, not an array"))),
        };
        Ok(Self::new(name.to_owned(), kind, options, indexes, uuid))
    }

    /// `create` with the collection's options.
    pub(super) fn create_command(&self) -> Document {
        let mut command = doc! { "create": &self.name };
        command.extend(self.options.clone());
        command
    }

    /// The index specs `createIndexes` is sent, as mongorestore sends them:
    /// without `_id_` (the server makes it), without `ns`, and with legacy
    /// key values made valid.
    pub(super) fn index_specs(&self) -> Vec<Document> {
        self.indexes
            .iter()
            .filter(|index| index.get_str("name") != Ok("_id_"))
            .map(|index| {
                let mut spec = index.clone();
                spec.remove("ns");
                if let Ok(key) = index.get_document("key") {
                    spec.insert("key", modern_key(key));
                }
                spec
            })
            .collect()
    }
}

fn is_hex(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_index(index: &Bson) -> Result<Document, String> {
    let Bson::Document(index) = index else {
        return Err(format!("index {index} is not a document"));
    };
    let name = index
        .get_str("name")
        .map_err(|_| format!("index {index} has no name"))?;
    match index.get("key") {
        Some(Bson::Document(key)) if !key.is_empty() => Ok(index.clone()),
        _ => Err(format!("index {name} has no key document")),
    }
}

/// Servers before 3.4 took any key value; later ones take a non-zero
/// number or an index type. As mongorestore does: 0, `true`, `""` and other
/// values become 1.
fn modern_key(key: &Document) -> Document {
    key.iter()
        .map(|(field, value)| {
            let valid = match value {
                Bson::Int32(n) => *n != 0,
                Bson::Int64(n) => *n != 0,
                Bson::Double(n) => *n != 0.0,
                Bson::String(kind) => INDEX_TYPES.contains(&kind.as_str()),
                _ => false,
            };
            let value = if valid { value.clone() } else { Bson::Int32(1) };
            (field.clone(), value)
        })
        .collect()
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
        assert_eq!(metadata.index_names(), ["_id_", "legacy", "geo"]);
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
    }

    #[test]
    fn written_metadata_is_canonical_extended_json_and_reads_back() {
        let metadata = Metadata::new(
            "tasks".into(),
            "collection".into(),
            doc! { "validator": { "n": { "$gt": 0_i64 } } },
            vec![
                doc! { "v": 2, "key": { "clientId": 1 }, "name": "Task_clientId_key", "unique": true },
            ],
            Some("00112233445566778899aabbccddeeff".into()),
        );
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
        ] {
            let error = Metadata::parse(text.as_bytes(), "f", "tasks").expect_err(text);
            assert!(error.to_string().contains(reason), "{text}: {error}");
        }
    }
}
