//! A collection's options in a dump's metadata, read into typed values:
//! every key is known by name (an unknown one, a second `create` among
//! them, is refused), and the `create` command is built from the values,
//! never by merging the file's BSON into it.

use super::values::{as_whole, bool_of, document_of, mentions_reserved, string_of};
use mongodb::bson::{Bson, Document, doc};

/// Options that only tune storage or change streams: kept as written.
const STORAGE_OPTIONS: [&str; 3] = [
    "storageEngine",
    "indexOptionDefaults",
    "changeStreamPreAndPostImages",
];

/// Options of servers before 4.0 that today's refuse: left out, and said.
const LEGACY_OPTIONS: [&str; 2] = ["autoIndexId", "flags"];

/// A view: its source collection and pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub on: String,
    pub pipeline: Vec<Document>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CollectionOptions {
    pub capped: bool,
    pub size: Option<i64>,
    pub max: Option<i64>,
    pub validator: Option<Document>,
    pub validation_level: Option<String>,
    pub validation_action: Option<String>,
    pub view: Option<View>,
    pub timeseries: Option<Document>,
    pub expire_after_seconds: Option<i64>,
    pub clustered_index: Option<Bson>,
    pub collation: Option<Document>,
    storage: Document,
}

impl CollectionOptions {
    /// Reads `options`; `converted` is told what was left out.
    pub fn parse(options: &Document, converted: &mut Vec<String>) -> Result<Self, String> {
        let mut parsed = Self::default();
        let mut view_on = None;
        let mut pipeline = None;
        for (key, value) in options {
            let field = || format!("option {key}");
            match key.as_str() {
                "capped" => parsed.capped = bool_of(value).ok_or_else(|| bad(&field()))?,
                "size" => parsed.size = Some(whole_at_least(value, 0, &field())?),
                "max" => parsed.max = Some(whole_at_least(value, 0, &field())?),
                "validator" => parsed.validator = Some(document_of(value, &field())?),
                "validationLevel" => parsed.validation_level = Some(string_of(value, &field())?),
                "validationAction" => parsed.validation_action = Some(string_of(value, &field())?),
                "viewOn" => view_on = Some(string_of(value, &field())?),
                "pipeline" => pipeline = Some(stages(value)?),
                "timeseries" => parsed.timeseries = Some(document_of(value, &field())?),
                "expireAfterSeconds" => {
                    parsed.expire_after_seconds = Some(whole_at_least(value, 0, &field())?);
                }
                "clusteredIndex" => match value {
                    Bson::Document(_) | Bson::Boolean(_) => {
                        parsed.clustered_index = Some(value.clone());
                    }
                    _ => return Err(bad(&field())),
                },
                "collation" => parsed.collation = Some(document_of(value, &field())?),
                key if STORAGE_OPTIONS.contains(&key) => {
                    parsed.storage.insert(key, value.clone());
                }
                key if LEGACY_OPTIONS.contains(&key) => {
                    converted.push(format!("collection option {key}: {value} left out"));
                }
                key => return Err(format!("unknown collection option {key:?}")),
            }
        }
        match (view_on, pipeline) {
            (Some(on), pipeline) => {
                if mentions_reserved(&Bson::String(on.clone()))
                    || pipeline
                        .iter()
                        .flatten()
                        .any(|stage| mentions_reserved(&Bson::Document(stage.clone())))
                {
                    return Err(format!(
                        "the view reads the app's own or the system's collections ({on})"
                    ));
                }
                parsed.view = Some(View {
                    on,
                    pipeline: pipeline.unwrap_or_default(),
                });
            }
            (None, Some(_)) => return Err("option pipeline without viewOn".to_owned()),
            (None, None) => {}
        }
        Ok(parsed)
    }

    /// The options as the server lists them and mongodump writes them.
    pub fn to_document(&self) -> Document {
        let mut options = Document::new();
        if self.capped {
            options.insert("capped", true);
        }
        if let Some(size) = self.size {
            options.insert("size", size);
        }
        if let Some(max) = self.max {
            options.insert("max", max);
        }
        if let Some(validator) = &self.validator {
            options.insert("validator", validator.clone());
        }
        if let Some(level) = &self.validation_level {
            options.insert("validationLevel", level);
        }
        if let Some(action) = &self.validation_action {
            options.insert("validationAction", action);
        }
        if let Some(view) = &self.view {
            options.insert("viewOn", &view.on);
            options.insert("pipeline", view.pipeline.clone());
        }
        if let Some(timeseries) = &self.timeseries {
            options.insert("timeseries", timeseries.clone());
        }
        if let Some(seconds) = self.expire_after_seconds {
            options.insert("expireAfterSeconds", seconds);
        }
        if let Some(clustered) = &self.clustered_index {
            options.insert("clusteredIndex", clustered.clone());
        }
        if let Some(collation) = &self.collation {
            options.insert("collation", collation.clone());
        }
        options.extend(self.storage.clone());
        options
    }

    /// The options a restore compares with the live collection's, by name.
    pub fn comparable(&self) -> [(&'static str, Option<Bson>); 6] {
        [
            ("validator", self.validator.clone().map(Bson::from)),
            (
                "validationLevel",
                self.validation_level.clone().map(Bson::from),
            ),
            (
                "validationAction",
                self.validation_action.clone().map(Bson::from),
            ),
            ("collation", self.collation.clone().map(Bson::from)),
            ("timeseries", self.timeseries.clone().map(Bson::from)),
            ("clusteredIndex", self.clustered_index.clone()),
        ]
    }

    /// `create` for collection `name` with these options.
    pub fn create_command(&self, name: &str) -> Document {
        let mut command = doc! { "create": name };
        for (key, value) in self.to_document() {
            // The server lists a clustered collection's index in full; the
            // `create` command takes only its key and uniqueness.
            let value = match (key.as_str(), value) {
                ("clusteredIndex", Bson::Document(index)) => {
                    Bson::Document(clustered_create(&index))
                }
                (_, value) => value,
            };
            command.insert(key, value);
        }
        command
    }
}

fn clustered_create(index: &Document) -> Document {
    let mut create = Document::new();
    for key in ["key", "unique", "name"] {
        if let Some(value) = index.get(key) {
            create.insert(key, value.clone());
        }
    }
    create
}

fn bad(field: &str) -> String {
    format!("{field} has a value of the wrong type")
}

fn whole_at_least(value: &Bson, least: i64, field: &str) -> Result<i64, String> {
    as_whole(value)
        .filter(|n| *n >= least)
        .ok_or_else(|| format!("{field} is {value}, not a whole number of at least {least}"))
}

fn stages(value: &Bson) -> Result<Vec<Document>, String> {
    let Bson::Array(stages) = value else {
        return Err(bad("option pipeline"));
    };
    stages
        .iter()
        .map(|stage| document_of(stage, "a pipeline stage"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_create_key_or_an_unknown_option_is_refused_by_name() {
        let mut converted = Vec::new();
        let error =
            CollectionOptions::parse(&doc! { "create": "runbook_accounts" }, &mut converted)
                .expect_err("create");
        assert!(error.contains("\"create\""), "{error}");
        let error =
            CollectionOptions::parse(&doc! { "shardKey": 1 }, &mut converted).expect_err("unknown");
        assert!(error.contains("shardKey"), "{error}");
    }

    #[test]
    fn a_view_of_the_app_s_records_is_refused() {
        let mut converted = Vec::new();
        for options in [
            doc! { "viewOn": "runbook_accounts", "pipeline": [] },
            doc! { "viewOn": "tasks", "pipeline": [{ "$lookup": { "from": "runbook_accounts", "as": "a", "pipeline": [] } }] },
            doc! { "viewOn": "system.users", "pipeline": [] },
        ] {
            assert!(
                CollectionOptions::parse(&options, &mut converted).is_err(),
                "{options}"
            );
        }
    }

    #[test]
    fn the_create_command_is_built_from_the_typed_values() {
        let mut converted = Vec::new();
        let options = CollectionOptions::parse(
            &doc! { "capped": true, "size": 4096.0, "autoIndexId": true,
            "validator": { "n": { "$gte": 0 } } },
            &mut converted,
        )
        .expect("parses");
        assert_eq!(converted.len(), 1, "{converted:?}");
        assert_eq!(
            options.create_command("tasks"),
            doc! { "create": "tasks", "capped": true, "size": 4096_i64,
            "validator": { "n": { "$gte": 0 } } }
        );
    }
}
