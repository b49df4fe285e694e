//! The dump reader on hostile bytes: random and mutated `.bson` streams
//! and metadata files never make it panic, and no allocation passes the
//! caps (a document's 16 MiB and slack, a metadata file's 16 MiB).

use crate::allocations::largest_allocation;
use forest_runbook::db::dump::{DocumentReader, MAX_DOCUMENT_BYTES, MAX_METADATA_BYTES, Metadata};
use mongodb::bson::{Bson, Document, doc, to_vec};
use proptest::prelude::*;
use std::io::Read;

/// Slack for the reader's own bookkeeping: error texts, the file name.
const SLACK: usize = 64 * 1024;

fn document_cap() -> usize {
    usize::try_from(MAX_DOCUMENT_BYTES).expect("fits") + SLACK
}

/// Reads every document of `bytes`; returns how far it got, or the error.
fn read_stream(bytes: &[u8]) -> usize {
    let mut reader = DocumentReader::new(bytes, "fuzz.bson");
    let mut read = 0;
    while let Ok(Some(_)) = reader.next_checked() {
        read += 1;
    }
    read
}

fn valid_stream(values: &[(String, i64, String)]) -> Vec<u8> {
    values
        .iter()
        .enumerate()
        .flat_map(|(i, (key, n, text))| {
            let document = doc! {
                "_id": i64::try_from(i).unwrap_or(0),
                "n": n,
                "nested": { key.as_str(): [text.as_str(), { "x": *n }] },
            };
            to_vec(&document).expect("encode")
        })
        .collect()
}

const METADATA: &str = r#"{"options":{"validator":{"n":{"$gte":0}}},"indexes":[
    {"v":1,"key":{"_id":1},"name":"_id_","ns":"forest.tasks"},
    {"v":2,"key":{"createdAt":1},"name":"ttl","expireAfterSeconds":60},
    {"v":1,"key":{"a":1.0,"b":"","c":"2dsphere"},"name":"legacy","safe":true}
],"collectionName":"tasks","type":"collection"}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic_nor_allocate_past_the_cap(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (_, largest) = largest_allocation(|| read_stream(&bytes));
        prop_assert!(largest <= document_cap(), "{largest} bytes");
    }

    #[test]
    fn any_length_prefix_is_checked_before_it_is_trusted(length in any::<i32>(), tail in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = length.to_le_bytes().to_vec();
        bytes.extend(tail);
        let (_, largest) = largest_allocation(|| read_stream(&bytes));
        prop_assert!(largest <= document_cap(), "{largest} bytes for length {length}");
    }

    #[test]
    fn mutated_documents_never_panic(
        values in proptest::collection::vec(("[^\\x00]{0,8}", any::<i64>(), ".{0,16}"), 1..6),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = valid_stream(&values);
        prop_assert_eq!(read_stream(&bytes), values.len());
        for (at, value) in flips {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        let cut = cut.index(bytes.len() + 1);
        let (_, largest) = largest_allocation(|| read_stream(&bytes[..cut]));
        prop_assert!(largest <= document_cap(), "{largest} bytes");
    }

    #[test]
    fn mutated_metadata_never_panics(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = METADATA.as_bytes().to_vec();
        for (at, value) in flips {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        let cut = cut.index(bytes.len() + 1);
        let _ = Metadata::read(&bytes[..cut], "fuzz.metadata.json", "tasks");
    }

    #[test]
    fn random_extended_json_values_never_panic(value in arbitrary_json()) {
        let text = serde_json::json!({ "options": value.clone(), "indexes": [{ "name": "x", "key": value }] });
        let _ = Metadata::read(text.to_string().as_bytes(), "fuzz.metadata.json", "tasks");
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "(\\$[a-zA-Z]{1,12}|[a-z]{0,6}|runbook_[a-z]{0,4})".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("(\\$[a-zA-Z]{1,12}|[a-zA-Z_]{1,10})", inner, 0..6)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

#[test]
fn metadata_from_an_endless_reader_allocates_no_more_than_its_cap() {
    let endless = std::io::repeat(b' ').take(MAX_METADATA_BYTES * 8);
    let (read, largest) =
        largest_allocation(|| Metadata::read(endless, "bomb.metadata.json.gz", "tasks"));
    assert!(read.is_err());
    let cap = usize::try_from(MAX_METADATA_BYTES).expect("fits") + SLACK;
    assert!(largest <= cap, "{largest} bytes");
}

#[test]
fn the_probe_sees_an_allocation() {
    let (bytes, largest) = largest_allocation(|| vec![Bson::Document(Document::new()); 1000]);
    assert!(largest >= std::mem::size_of::<Bson>() * bytes.len());
}
