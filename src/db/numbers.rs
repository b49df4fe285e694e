//! Numbers as servers send them: the same field may come as an int32, an
//! int64 or a double, depending on its size and on the server.

use mongodb::bson::Bson;
use serde::{Deserialize, Deserializer};

/// `value` as a float, when it is a number.
pub(super) fn as_f64(value: Option<&Bson>) -> Option<f64> {
    match value? {
        Bson::Int32(n) => Some(f64::from(*n)),
        Bson::Int64(n) => Some(*n as f64),
        Bson::Double(n) => Some(*n),
        _ => None,
    }
}

/// `value` as a whole count: integers exactly, a double truncated, and a
/// negative number or anything else as zero.
pub(super) fn as_count(value: Option<&Bson>) -> u64 {
    match value {
        Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Double(n)) if *n > 0.0 => *n as u64,
        _ => 0,
    }
}

/// `as_count` for a stored field read with serde
/// (`#[serde(default, deserialize_with = "count")]`).
pub(super) fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Ok(as_count(Some(&Bson::deserialize(deserializer)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_shape_reads_and_the_rest_does_not() {
        assert_eq!(as_f64(Some(&Bson::Int32(2))), Some(2.0));
        assert_eq!(as_f64(Some(&Bson::Int64(3))), Some(3.0));
        assert_eq!(as_f64(Some(&Bson::Double(1.5))), Some(1.5));
        assert_eq!(as_f64(Some(&Bson::String("1".into()))), None);
        assert_eq!(as_f64(None), None);
        assert_eq!(as_count(Some(&Bson::Int64(1 << 40))), 1 << 40);
        assert_eq!(as_count(Some(&Bson::Double(7.9))), 7);
        assert_eq!(as_count(Some(&Bson::Int32(-4))), 0);
        assert_eq!(as_count(Some(&Bson::Null)), 0);
    }
}
