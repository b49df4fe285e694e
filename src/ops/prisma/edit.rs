//! The edit to schema.prisma that makes `db push` leave the migration's
//! indexes alone: declare the non-partial ones under their names, drop the
//! declarations that would fight a partial one, pin renamed names with
//! `map:`. Applied to the text in place and shown as a unified diff.

use super::declared::{DeclaredIndex, IndexKind, IndexOrigin, default_name};
use super::push::StoredIndex;
use super::syntax::{Attribute, Model};

/// One model's part of the edit.
pub struct ModelEdit<'a> {
    pub model: &'a Model,
    /// The migration's indexes on this collection.
    pub migration: Vec<StoredIndex>,
    /// Every index the database holds on it, after the migration.
    pub stored: Vec<StoredIndex>,
}

/// A text change: replace `start..end` with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Splice {
    start: usize,
    end: usize,
    text: String,
}

/// The edited schema and one line per change, or `None` when nothing changes.
pub fn edit(text: &str, models: &[ModelEdit<'_>]) -> Option<(String, Vec<String>)> {
    let mut splices = Vec::new();
    let mut changes = Vec::new();
    for part in models {
        plan_model(text, part, &mut splices, &mut changes);
    }
    if splices.is_empty() {
        return None;
    }
    splices.sort_by_key(|s| std::cmp::Reverse(s.start));
    let mut edited = text.to_owned();
    for splice in splices {
        edited.replace_range(splice.start..splice.end, &splice.text);
    }
    Some((edited, changes))
}

fn plan_model(
    text: &str,
    part: &ModelEdit<'_>,
    splices: &mut Vec<Splice>,
    changes: &mut Vec<String>,
) {
    let declared = part.model.indexes();
    let model = &part.model.name;
    let mut additions = Vec::new();
    for index in &part.migration {
        let same_key: Vec<&DeclaredIndex> =
            declared.iter().filter(|d| d.keys == index.keys).collect();
        if index.partial {
            for d in same_key {
                splices.push(removal(text, &d.origin));
                changes.push(format!(
                    "{model}: remove {}; the partial {} stays managed by this migration",
                    origin_text(&d.origin),
                    index.name
                ));
            }
            continue;
        }
        let kind = if index.unique {
            IndexKind::Unique
        } else {
            IndexKind::Normal
        };
        if let Some(d) = same_key.iter().find(|d| d.kind == kind) {
            if d.name != index.name {
                splices.push(pin_name(origin_attribute(&d.origin), &index.name));
                changes.push(format!(
                    "{model}: give {} the name `{}` (map:) so that db push keeps it",
                    origin_text(&d.origin),
                    index.name
                ));
            }
            continue;
        }
        let fields = field_list(index);
        let default = default_name(
            &part.model.collection(),
            &index
                .keys
                .iter()
                .map(|k| k.field.as_str())
                .collect::<Vec<_>>(),
            kind,
        );
        let attribute = if index.unique { "@@unique" } else { "@@index" };
        let line = if default == index.name {
            format!("{attribute}([{fields}])")
        } else {
            format!("{attribute}([{fields}], map: \"{}\")", index.name)
        };
        changes.push(format!(
            "{model}: add `{line}` (the migration's {})",
            index.name
        ));
        additions.push(line);
    }
    // Names the database already has that the schema would rename.
    for stored in &part.stored {
        if stored.partial || part.migration.iter().any(|m| m.name == stored.name) {
            continue;
        }
        let kind = if stored.unique {
            IndexKind::Unique
        } else {
            IndexKind::Normal
        };
        let renamed = declared
            .iter()
            .find(|d| d.keys == stored.keys && d.kind == kind && d.name != stored.name);
        if let Some(d) = renamed
            && !declared.iter().any(|o| o.name == stored.name)
        {
            splices.push(pin_name(origin_attribute(&d.origin), &stored.name));
            changes.push(format!(
                "{model}: give {} the name the database has, `{}` (map:), so that db push does not drop and rebuild it",
                origin_text(&d.origin),
                stored.name
            ));
        }
    }
    if !additions.is_empty() {
        splices.push(insertion(text, part.model, &additions));
    }
}

fn field_list(index: &StoredIndex) -> String {
    index
        .keys
        .iter()
        .map(|k| {
            if k.descending {
                format!("{}(sort: Desc)", k.field)
            } else {
                k.field.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn origin_attribute(origin: &IndexOrigin) -> &Attribute {
    match origin {
        IndexOrigin::Field { attribute, .. } | IndexOrigin::Block { attribute } => attribute,
    }
}

fn origin_text(origin: &IndexOrigin) -> String {
    match origin {
        IndexOrigin::Field { field, attribute } => format!("`@{}` on {field}", attribute.name),
        IndexOrigin::Block { attribute } => format!("`@@{}`", attribute.name),
    }
}

/// Adds `map: "name"` to an attribute's arguments.
fn pin_name(attribute: &Attribute, name: &str) -> Splice {
    match attribute.arguments_close {
        Some(close) if attribute.arguments.is_empty() => Splice {
            start: close,
            end: close,
            text: format!("map: \"{name}\""),
        },
        Some(close) => Splice {
            start: close,
            end: close,
            text: format!(", map: \"{name}\""),
        },
        None => Splice {
            start: attribute.span.end,
            end: attribute.span.end,
            text: format!("(map: \"{name}\")"),
        },
    }
}

/// Removes a field attribute with the blanks before it, or a block
/// attribute's whole line when nothing else is on it.
fn removal(text: &str, origin: &IndexOrigin) -> Splice {
    let span = origin_attribute(origin).span;
    let bytes = text.as_bytes();
    let mut start = span.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let mut end = span.end;
    if matches!(origin, IndexOrigin::Block { .. }) {
        let line_start = start == 0 || bytes[start - 1] == b'\n';
        let rest = &text[end..];
        let rest_of_line = rest.find('\n').map_or(rest, |n| &rest[..n]);
        if line_start && rest_of_line.trim().is_empty() {
            end += rest_of_line.len() + usize::from(rest.len() > rest_of_line.len());
        }
    }
    Splice {
        start,
        end,
        text: String::new(),
    }
}

/// New block attributes, each on its own line before the model's `}`,
/// indented like its last field.
fn insertion(text: &str, model: &Model, lines: &[String]) -> Splice {
    let indent = model.fields.last().map_or("  ".to_owned(), |f| {
        let line_start = text[..f.span.start].rfind('\n').map_or(0, |n| n + 1);
        text[line_start..f.span.start].to_owned()
    });
    let before_close = &text[..model.close];
    let close_line_start = before_close.rfind('\n').map_or(0, |n| n + 1);
    let alone = before_close[close_line_start..].trim().is_empty();
    let block: String = lines.iter().map(|l| format!("{indent}{l}\n")).collect();
    if alone {
        Splice {
            start: close_line_start,
            end: close_line_start,
            text: block,
        }
    } else {
        Splice {
            start: model.close,
            end: model.close,
            text: format!("\n{block}"),
        }
    }
}

/// A unified diff of the schema, as `git diff` would show the edit.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::super::declared::KeyPart;
    use super::super::syntax::parse;
    use super::*;

    fn index(name: &str, field: &str, unique: bool, partial: bool) -> StoredIndex {
        StoredIndex {
            name: name.to_owned(),
            keys: vec![KeyPart {
                field: field.to_owned(),
                descending: false,
            }],
            unique,
            partial,
            sparse: false,
            text: false,
        }
    }

    fn edited(text: &str, migration: Vec<StoredIndex>) -> String {
        let schema = parse(text).expect("parses");
        let part = ModelEdit {
            model: &schema.models[0],
            stored: migration.clone(),
            migration,
        };
        edit(text, &[part]).expect("an edit").0
    }

    #[test]
    fn a_block_unique_on_a_partial_key_goes_with_its_line_and_a_new_index_keeps_the_indent() {
        let text = "model Task {\n    clientId String?\n    userId String\n    @@unique([clientId])\n    @@map(\"tasks\")\n}\n";
        let after = edited(
            text,
            vec![
                index("Task_clientId_key", "clientId", true, true),
                index("tasks_userId_idx", "userId", false, false),
            ],
        );
        assert_eq!(
            after,
            "model Task {\n    clientId String?\n    userId String\n    @@map(\"tasks\")\n    @@index([userId])\n}\n"
        );
        assert!(parse(&after).is_ok());
    }

    #[test]
    fn a_closing_brace_after_a_field_gets_the_new_line_before_it() {
        let text = "model Device {\n  userId String @unique\n  @@map(\"devices\") }\n";
        let after = edited(
            text,
            vec![
                index("Device_userId_idx", "userId", false, false),
                index("Device_userId_key", "userId", true, false),
            ],
        );
        assert_eq!(
            after,
            "model Device {\n  userId String @unique(map: \"Device_userId_key\")\n  @@map(\"devices\") \n  @@index([userId], map: \"Device_userId_idx\")\n}\n"
        );
        assert!(parse(&after).is_ok(), "{after}");
    }
}
