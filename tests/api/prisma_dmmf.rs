//! Our schema parser against Prisma's own: prisma-fmt's `get_dmmf` (npm's
//! @prisma/prisma-schema-wasm, run under node by tests/prisma_dmmf/dmmf.mjs)
//! and `ops::prisma::parse` must read the same models, composite types,
//! fields and indexes from every fixture.

use crate::prisma::fixture;
use forest_runbook::ops::prisma::syntax::{Arity, Model};
use forest_runbook::ops::prisma::{IndexKind, parse};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const FIXTURES: [&str; 5] = [
    "seed.prisma",
    "pinned.prisma",
    "mapped.prisma",
    "composite.prisma",
    "compound.prisma",
];

fn fields(block: &Model) -> Value {
    block
        .fields
        .iter()
        .map(|f| {
            json!({
                "name": f.name,
                "stored": f.stored_name(),
                "type": f.type_name,
                "list": f.arity == Arity::List,
                "optional": f.arity == Arity::Optional,
            })
        })
        .collect()
}

/// Our reading, in the shape dmmf.mjs prints; indexes sorted, since the
/// two list them in different orders.
fn ours(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("fixture");
    let schema = parse(&text).expect("our parser reads it");
    let mut indexes: Vec<Value> = schema
        .models
        .iter()
        .flat_map(|model| {
            model.indexes().into_iter().map(move |index| {
                json!({
                    "model": model.name,
                    "kind": match index.kind {
                        IndexKind::Normal => "normal",
                        IndexKind::Unique => "unique",
                        IndexKind::Fulltext => "fulltext",
                    },
                    "fields": index.keys.iter().map(|k| k.field.clone()).collect::<Vec<_>>(),
                    "descending": index.keys.iter().map(|k| k.descending).collect::<Vec<_>>(),
                    "map": index.mapped.then_some(index.name),
                })
            })
        })
        .collect();
    indexes.sort_by_key(Value::to_string);
    json!({
        "models": schema.models.iter().map(|m| json!({"name": m.name, "collection": m.collection(), "fields": fields(m)})).collect::<Vec<_>>(),
        "types": schema.types.iter().map(|t| json!({"name": t.name, "collection": t.name, "fields": fields(t)})).collect::<Vec<_>>(),
        "indexes": indexes,
    })
}

#[test]
fn our_parser_reads_every_fixture_as_prisma_s_own_get_dmmf_does() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/prisma_dmmf");
    assert!(
        folder
            .join("node_modules/@prisma/prisma-schema-wasm")
            .is_dir(),
        "tests/prisma_dmmf/node_modules is missing: run scripts/setup.sh (it runs npm ci there)"
    );
    let paths: Vec<_> = FIXTURES.iter().map(|name| fixture(name)).collect();
    let output = Command::new("node")
        .arg(folder.join("dmmf.mjs"))
        .args(&paths)
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "get_dmmf refused a fixture: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs: Vec<Value> = serde_json::from_slice(&output.stdout).expect("dmmf.mjs prints JSON");
    assert_eq!(theirs.len(), FIXTURES.len());
    for (path, mut prisma) in paths.iter().zip(theirs) {
        let object = prisma.as_object_mut().expect("an object");
        object.remove("path");
        if let Some(Value::Array(indexes)) = object.get_mut("indexes") {
            indexes.sort_by_key(Value::to_string);
        }
        assert_eq!(ours(path), prisma, "{}", path.display());
    }
}
