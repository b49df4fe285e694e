//! Reading one value of a dump's metadata into the type its key expects.

use crate::db::names::is_reserved_collection;
use mongodb::bson::{Bson, Document};

/// A whole number, however the server or an old tool typed it: int32,
/// int64, or a double without a fraction.
pub fn as_whole(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Some(*n as i64),
        _ => None,
    }
}

/// A flag: `true`/`false`, or a number as old shells wrote it (non-zero is on).
pub fn bool_of(value: &Bson) -> Option<bool> {
    match value {
        Bson::Boolean(flag) => Some(*flag),
        other => as_whole(other).map(|n| n != 0),
    }
}

pub fn document_of(value: &Bson, field: &str) -> Result<Document, String> {
    match value {
        Bson::Document(document) => Ok(document.clone()),
        other => Err(format!("{field} is {other}, not a document")),
    }
}

pub fn string_of(value: &Bson, field: &str) -> Result<String, String> {
    match value {
        Bson::String(text) => Ok(text.clone()),
        other => Err(format!("{field} is {other}, not a string")),
    }
}

/// True when any string inside `value` names a reserved collection: a
/// view or a `$lookup` that would read the app's records back out.
pub fn mentions_reserved(value: &Bson) -> bool {
    match value {
        Bson::String(text) => is_reserved_collection(text),
        Bson::Document(document) => document.values().any(mentions_reserved),
        Bson::Array(values) => values.iter().any(mentions_reserved),
        _ => false,
    }
}
