//! One index of a dump's metadata, read into typed values and checked
//! against what today's servers accept, so that a restore knows before its
//! first drop that `createIndexes` will take every spec. Legacy specs
//! (`"v": 1` and older) are read as `mongorestore --convertLegacyIndexes`
//! reads them: options servers no longer accept are left out, and key
//! values other than a direction or an index type become a direction.

use super::values::{as_whole, bool_of, document_of};
use mongodb::bson::{Bson, Document};

/// Special index types: the key value that names them is a string.
const INDEX_TYPES: [&str; 5] = ["2d", "2dsphere", "geoHaystack", "hashed", "text"];

/// Options of special index types and storage: kept as written.
const TYPE_OPTIONS: [&str; 13] = [
    "weights",
    "default_language",
    "language_override",
    "textIndexVersion",
    "2dsphereIndexVersion",
    "bits",
    "min",
    "max",
    "coarsestIndexedLevel",
    "finestIndexedLevel",
    "wildcardProjection",
    "storageEngine",
    "clustered",
];

/// Options old tools wrote that today's servers refuse or ignore.
const LEGACY_OPTIONS: [&str; 3] = ["safe", "dropDups", "background"];

/// One field of an index key: a direction or an index type.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    Ascending,
    Descending,
    Kind(String),
}

impl KeyValue {
    fn to_bson(&self) -> Bson {
        match self {
            Self::Ascending => Bson::Int32(1),
            Self::Descending => Bson::Int32(-1),
            Self::Kind(kind) => Bson::String(kind.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IndexSpec {
    pub name: String,
    pub key: Vec<(String, KeyValue)>,
    pub version: Option<i64>,
    pub unique: Option<bool>,
    pub sparse: Option<bool>,
    pub hidden: Option<bool>,
    pub expire_after_seconds: Option<i64>,
    pub partial_filter: Option<Document>,
    pub collation: Option<Document>,
    type_options: Document,
}

impl IndexSpec {
    /// Reads one entry of `indexes`; `converted` is told what changed.
    pub fn parse(index: &Bson, converted: &mut Vec<String>) -> Result<Self, String> {
        let Bson::Document(index) = index else {
            return Err(format!("index {index} is not a document"));
        };
        let name = match index.get("name") {
            Some(Bson::String(name)) if !name.is_empty() => name.clone(),
            _ => return Err(format!("index {index} has no name")),
        };
        let mut spec = Self {
            name: name.clone(),
            key: Vec::new(),
            version: None,
            unique: None,
            sparse: None,
            hidden: None,
            expire_after_seconds: None,
            partial_filter: None,
            collation: None,
            type_options: Document::new(),
        };
        let mut notes = Vec::new();
        for (option, value) in index {
            let field = format!("index {name}: {option}");
            let flag = || bool_of(value).ok_or_else(|| format!("{field} is {value}, not a flag"));
            match option.as_str() {
                "name" => {}
                // Where the index lived; the restore's database decides that.
                "ns" => {}
                "key" => spec.key = key_of(value, &field, &mut notes)?,
                "v" => match as_whole(value) {
                    Some(1 | 2) => spec.version = as_whole(value),
                    Some(0) => notes.push("v 0 left out (the server picks the version)".into()),
                    _ => return Err(format!("{field} is {value}, not an index version")),
                },
                "unique" => spec.unique = Some(flag()?),
                "sparse" => spec.sparse = Some(flag()?),
                "hidden" => spec.hidden = Some(flag()?),
                "expireAfterSeconds" => {
                    spec.expire_after_seconds = Some(
                        as_whole(value)
                            .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
                            .ok_or_else(|| format!("{field} is {value}, not whole seconds"))?,
                    );
                }
                "partialFilterExpression" => {
                    spec.partial_filter = Some(document_of(value, &field)?);
                }
                "collation" => spec.collation = Some(document_of(value, &field)?),
                option if TYPE_OPTIONS.contains(&option) => {
                    spec.type_options.insert(option, value.clone());
                }
                option if LEGACY_OPTIONS.contains(&option) => {
                    notes.push(format!("{option}: {value} left out"));
                }
                option => return Err(format!("index {name}: unknown option {option:?}")),
            }
            if matches!(option.as_str(), "unique" | "sparse" | "hidden")
                && !matches!(value, Bson::Boolean(_))
            {
                notes.push(format!("{option}: {value} read as a flag"));
            }
        }
        if spec.key.is_empty() {
            return Err(format!("index {name} has no key document"));
        }
        converted.extend(
            notes
                .into_iter()
                .map(|note| format!("index {name}: {note}")),
        );
        Ok(spec)
    }

    /// The spec as the server lists it (and mongodump writes it).
    pub fn to_document(&self) -> Document {
        let mut index = Document::new();
        if let Some(version) = self.version {
            index.insert("v", Bson::Int32(i32::try_from(version).unwrap_or(2)));
        }
        index.insert("key", self.key_document());
        index.insert("name", &self.name);
        for (option, value) in [
            ("unique", self.unique),
            ("sparse", self.sparse),
            ("hidden", self.hidden),
        ] {
            if let Some(value) = value {
                index.insert(option, value);
            }
        }
        if let Some(seconds) = self.expire_after_seconds {
            index.insert("expireAfterSeconds", seconds);
        }
        if let Some(filter) = &self.partial_filter {
            index.insert("partialFilterExpression", filter.clone());
        }
        if let Some(collation) = &self.collation {
            index.insert("collation", collation.clone());
        }
        index.extend(self.type_options.clone());
        index
    }

    pub fn key_document(&self) -> Document {
        self.key
            .iter()
            .map(|(field, value)| (field.clone(), value.to_bson()))
            .collect()
    }

    /// The `_id_` index, which the server makes with the collection.
    pub fn is_id(&self) -> bool {
        self.name == "_id_"
    }
}

/// Reads an index key. As mongorestore's legacy conversion: a number
/// becomes the direction of its whole part (negative is descending, 0 is
/// ascending), a numeric string likewise, `""` and any non-string value
/// ascending; a string naming no index type is refused, as a server would.
fn key_of(
    value: &Bson,
    field: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<(String, KeyValue)>, String> {
    let Bson::Document(key) = value else {
        return Err(format!("{field} is {value}, not a document"));
    };
    let mut fields = Vec::with_capacity(key.len());
    for (name, value) in key {
        let direction = |whole: f64| {
            if whole.trunc() < 0.0 {
                KeyValue::Descending
            } else {
                KeyValue::Ascending
            }
        };
        let read = match value {
            Bson::Int32(n) => direction(f64::from(*n)),
            Bson::Int64(n) => direction(*n as f64),
            Bson::Double(n) if n.is_finite() => direction(*n),
            Bson::Decimal128(n) => match n.to_string().parse::<f64>() {
                Ok(n) if n.is_finite() => direction(n),
                _ => return Err(format!("{field}: {name} is {value}, not a direction")),
            },
            Bson::String(kind) if INDEX_TYPES.contains(&kind.as_str()) => {
                KeyValue::Kind(kind.clone())
            }
            Bson::String(text) if text.is_empty() => KeyValue::Ascending,
            Bson::String(text) => match text.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => direction(n),
                _ => return Err(format!("{field}: {name} is {text:?}, not an index type")),
            },
            Bson::Double(_) => return Err(format!("{field}: {name} is {value}, not a direction")),
            _ => KeyValue::Ascending,
        };
        if read.to_bson() != *value {
            notes.push(format!(
                "key {name}: {} read as {}",
                typed(value),
                read.to_bson()
            ));
        }
        fields.push((name.clone(), read));
    }
    Ok(fields)
}

/// A key value as written, with its type where the text alone hides it
/// (a double 1.0 prints as 1).
fn typed(value: &Bson) -> String {
    match value {
        Bson::Double(n) => format!("{n:?}"),
        Bson::Int64(n) => format!("{n} (int64)"),
        Bson::Decimal128(n) => format!("{n} (decimal)"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    fn parse(index: Document) -> (Result<IndexSpec, String>, Vec<String>) {
        let mut converted = Vec::new();
        (
            IndexSpec::parse(&Bson::Document(index), &mut converted),
            converted,
        )
    }

    #[test]
    fn legacy_keys_and_options_are_converted_and_said() {
        let (spec, converted) = parse(doc! {
            "v": 1, "name": "legacy", "ns": "forest.tasks", "safe": true, "dropDups": true,
            "background": true,
            "key": { "a": 1.0, "b": "1", "c": "", "d": -2.5, "e": true, "f": "-1", "g": 0, "h": "hashed" },
        });
        let spec = spec.expect("parses");
        assert_eq!(
            spec.to_document(),
            doc! { "v": 1, "key": { "a": 1, "b": 1, "c": 1, "d": -1, "e": 1, "f": -1, "g": 1, "h": "hashed" }, "name": "legacy" }
        );
        for said in [
            "safe",
            "dropDups",
            "background",
            "key a",
            "key b",
            "key c",
            "key g",
        ] {
            assert!(
                converted.iter().any(|c| c.contains(said)),
                "{said} in {converted:?}"
            );
        }
        assert!(
            !converted.iter().any(|c| c.contains("key h")),
            "{converted:?}"
        );
    }

    #[test]
    fn unknown_options_and_impossible_values_are_refused_by_name() {
        for (index, said) in [
            (
                doc! { "name": "x", "key": { "a": 1 }, "frobnicate": 1 },
                "frobnicate",
            ),
            (
                doc! { "name": "x", "key": { "a": "bogus" } },
                "not an index type",
            ),
            (doc! { "name": "x", "key": {} }, "no key"),
            (doc! { "key": { "a": 1 } }, "no name"),
            (
                doc! { "name": "x", "key": { "a": 1 }, "expireAfterSeconds": -1 },
                "whole seconds",
            ),
            (
                doc! { "name": "x", "key": { "a": 1 }, "v": 7 },
                "index version",
            ),
        ] {
            let error = parse(index.clone()).0.expect_err("refused");
            assert!(error.contains(said), "{index}: {error}");
        }
    }
}
