//! What a parsed model declares in the database's terms: its collection
//! (`@@map`), its fields' stored names (`@map`) and its indexes with the
//! names Prisma gives them (psl's `ConstraintNames`: the collection's name,
//! the stored field names, `_key` or `_idx`, unless `map:` names it).

use super::syntax::{Attribute, Field, Model, Value};

/// The longest index name Prisma generates for MongoDB before truncating.
const MAX_NAME_BYTES: usize = 127;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Normal,
    Unique,
    Fulltext,
}

/// One field of an index key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPart {
    /// The stored name (after `@map`), dotted for a composite type's field.
    pub field: String,
    pub descending: bool,
}

/// Where an index comes from in the schema's text.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexOrigin {
    /// `@unique` on this field.
    Field { field: String, attribute: Attribute },
    /// `@@index`, `@@unique` or `@@fulltext`.
    Block { attribute: Attribute },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredIndex {
    pub name: String,
    pub kind: IndexKind,
    pub keys: Vec<KeyPart>,
    /// Named with `map:`; otherwise the name is Prisma's default.
    pub mapped: bool,
    pub origin: IndexOrigin,
}

impl Model {
    /// The collection: `@@map`'s name, or the model's own.
    pub fn collection(&self) -> String {
        mapped_or(&self.attributes, &self.name)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The stored name of a field written in the schema as `name`.
    fn stored(&self, name: &str) -> String {
        let mut parts = name.splitn(2, '.');
        let head = parts.next().unwrap_or(name);
        let stored = self.field(head).map_or(head.to_owned(), Field::stored_name);
        match parts.next() {
            Some(rest) => format!("{stored}.{rest}"),
            None => stored,
        }
    }

    /// Every index the model declares, in the order Prisma reads them:
    /// field attributes first, then block attributes.
    pub fn indexes(&self) -> Vec<DeclaredIndex> {
        let collection = self.collection();
        let mut indexes = Vec::new();
        for field in &self.fields {
            for attribute in field.attributes.iter().filter(|a| a.name == "unique") {
                let descending = attribute
                    .argument("sort", false)
                    .is_some_and(|v| *v == Value::Constant("Desc".into()));
                let keys = vec![KeyPart {
                    field: field.stored_name(),
                    descending,
                }];
                indexes.push(self.index(
                    &collection,
                    IndexKind::Unique,
                    keys,
                    attribute,
                    IndexOrigin::Field {
                        field: field.name.clone(),
                        attribute: attribute.clone(),
                    },
                ));
            }
        }
        for attribute in &self.attributes {
            let kind = match attribute.name.as_str() {
                "index" => IndexKind::Normal,
                "unique" => IndexKind::Unique,
                "fulltext" => IndexKind::Fulltext,
                _ => continue,
            };
            let keys = match attribute.argument("fields", true) {
                Some(Value::Array(items)) => {
                    items.iter().filter_map(|i| self.key_part(i)).collect()
                }
                _ => Vec::new(),
            };
            indexes.push(self.index(
                &collection,
                kind,
                keys,
                attribute,
                IndexOrigin::Block {
                    attribute: attribute.clone(),
                },
            ));
        }
        indexes
    }

    fn key_part(&self, item: &Value) -> Option<KeyPart> {
        match item {
            Value::Constant(name) => Some(KeyPart {
                field: self.stored(name),
                descending: false,
            }),
            Value::Call { name, arguments } => Some(KeyPart {
                field: self.stored(name),
                descending: arguments.iter().any(|a| {
                    a.name.as_deref() == Some("sort") && a.value == Value::Constant("Desc".into())
                }),
            }),
            _ => None,
        }
    }

    fn index(
        &self,
        collection: &str,
        kind: IndexKind,
        keys: Vec<KeyPart>,
        attribute: &Attribute,
        origin: IndexOrigin,
    ) -> DeclaredIndex {
        let mapped = attribute
            .argument("map", false)
            .and_then(Value::as_str)
            .map(str::to_owned);
        let fields: Vec<&str> = keys.iter().map(|k| k.field.as_str()).collect();
        DeclaredIndex {
            mapped: mapped.is_some(),
            name: mapped.unwrap_or_else(|| default_name(collection, &fields, kind)),
            kind,
            keys,
            origin,
        }
    }
}

impl Field {
    /// `@map`'s name, or the field's own.
    pub fn stored_name(&self) -> String {
        mapped_or(&self.attributes, &self.name)
    }

    pub fn has(&self, attribute: &str) -> bool {
        self.attributes.iter().any(|a| a.name == attribute)
    }
}

/// The name a `map` attribute (`@map`, `@@map`) gives, or `own`.
fn mapped_or(attributes: &[Attribute], own: &str) -> String {
    attributes
        .iter()
        .find(|a| a.name == "map")
        .and_then(|a| a.argument("name", true))
        .and_then(Value::as_str)
        .unwrap_or(own)
        .to_owned()
}

/// Prisma's name for an index it is not told the name of.
pub fn default_name(collection: &str, fields: &[&str], kind: IndexKind) -> String {
    let suffix = if kind == IndexKind::Unique {
        "_key"
    } else {
        "_idx"
    };
    let mut name = format!("{collection}_{}", fields.join("_"));
    let limit = MAX_NAME_BYTES - suffix.len();
    if name.len() >= limit {
        let mut cut = limit;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
    }
    name + suffix
}

#[cfg(test)]
mod tests {
    use super::super::syntax::parse;
    use super::*;

    #[test]
    fn default_names_take_the_collection_and_stored_field_names() {
        let schema = parse(
            "model Task {\n  id String @id @map(\"_id\")\n  clientId String? @unique @map(\"cid\")\n  userId String\n  @@index([userId, id(sort: Desc)])\n  @@unique([userId, clientId], map: \"Task_pair\")\n  @@map(\"tasks\")\n}\n",
        )
        .expect("parses");
        let task = &schema.models[0];
        assert_eq!(task.collection(), "tasks");
        let indexes = task.indexes();
        let named: Vec<_> = indexes
            .iter()
            .map(|i| (i.name.as_str(), i.kind, i.mapped))
            .collect();
        assert_eq!(
            named,
            [
                ("tasks_cid_key", IndexKind::Unique, false),
                ("tasks_userId__id_idx", IndexKind::Normal, false),
                ("Task_pair", IndexKind::Unique, true),
            ]
        );
        assert!(indexes[1].keys[1].descending);
        assert_eq!(indexes[2].keys[1].field, "cid");
    }

    #[test]
    fn an_unmapped_model_names_its_indexes_after_itself_and_long_names_are_cut() {
        let schema = parse("model Device {\n  deviceId String @unique\n}\n").expect("parses");
        assert_eq!(schema.models[0].indexes()[0].name, "Device_deviceId_key");
        let long = "f".repeat(200);
        let name = default_name("c", &[&long], IndexKind::Normal);
        assert_eq!(name.len(), MAX_NAME_BYTES);
        assert!(name.ends_with("_idx"));
    }
}
