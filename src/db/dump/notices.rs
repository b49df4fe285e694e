//! Which options of a backup's metadata a restore must show before it
//! applies them: those that can delete or hide data whatever the live
//! collection has (a TTL, a cap, a view, a hidden index), and those that
//! differ from the live collection now (validation, collation, clustering,
//! time series, an index's uniqueness, filter or collation).

use super::Metadata;
use super::index_spec::IndexSpec;
use crate::model::OptionNotice;
use mongodb::bson::{Bson, Document};

impl Metadata {
    /// The notices for restoring this metadata over `live` (the collection
    /// as it is now; `None` when there is none).
    pub fn notices(&self, live: Option<&Metadata>) -> Vec<OptionNotice> {
        let mut notices = Vec::new();
        let mut note = |index: Option<&str>, option: String, effect: String| {
            notices.push(OptionNotice {
                collection: self.name().to_owned(),
                index: index.map(str::to_owned),
                option,
                effect,
            });
        };
        let options = self.options();
        if options.capped {
            let limits = [
                options.size.map(|size| format!("size {size} bytes")),
                options.max.map(|max| format!("max {max} documents")),
            ];
            let limits: Vec<String> = limits.into_iter().flatten().collect();
            note(
                None,
                format!("capped ({})", limits.join(", ")),
                "the server deletes the oldest documents beyond that".to_owned(),
            );
        }
        if let Some(view) = &options.view {
            note(
                None,
                format!(
                    "viewOn {} with pipeline {}",
                    view.on,
                    Bson::from(view.pipeline.clone())
                ),
                "the collection becomes a read-only view: it holds no documents of its own"
                    .to_owned(),
            );
        }
        if let Some(seconds) = options.expire_after_seconds {
            note(
                None,
                format!("expireAfterSeconds {seconds}"),
                format!("the server deletes each document {seconds} s after its time field"),
            );
        }
        let live_options = live.map(|live| live.options().comparable());
        for (at, (option, mine)) in options.comparable().into_iter().enumerate() {
            let Some(theirs) = live_options.as_ref().map(|o| o[at].1.clone()) else {
                break;
            };
            if mine.is_some() && mine != theirs {
                note(
                    None,
                    format!("{option} {}", shown(mine.as_ref())),
                    format!(
                        "differs from the live collection, which has {}",
                        shown(theirs.as_ref())
                    ),
                );
            }
        }
        for index in self.indexes() {
            let live_index = live.map(|live| live.indexes().iter().find(|i| i.name == index.name));
            for (option, effect) in index_notices(index, live_index) {
                note(Some(&index.name), option, effect);
            }
        }
        notices
    }
}

/// `live`: `None` when there is no live collection, `Some(None)` when it
/// has no index of this name.
fn index_notices(index: &IndexSpec, live: Option<Option<&IndexSpec>>) -> Vec<(String, String)> {
    let mut notices = Vec::new();
    if let Some(seconds) = index.expire_after_seconds {
        let field = index.key.first().map_or("?", |(field, _)| field.as_str());
        notices.push((
            format!("expireAfterSeconds {seconds}"),
            format!("the server deletes each document {seconds} s after its {field}"),
        ));
    }
    if index.hidden == Some(true) {
        notices.push((
            "hidden true".to_owned(),
            "queries stop using this index".to_owned(),
        ));
    }
    let Some(live) = live else {
        return notices;
    };
    let flag = |value: Option<bool>| value.filter(|on| *on).map(Bson::Boolean);
    let document = |value: Option<&Document>| value.cloned().map(Bson::Document);
    let compared = [
        (
            "unique",
            flag(index.unique),
            live.and_then(|l| flag(l.unique)),
        ),
        (
            "partialFilterExpression",
            document(index.partial_filter.as_ref()),
            live.and_then(|l| document(l.partial_filter.as_ref())),
        ),
        (
            "collation",
            document(index.collation.as_ref()),
            live.and_then(|l| document(l.collation.as_ref())),
        ),
    ];
    for (option, mine, theirs) in compared {
        if mine.is_some() && (live.is_none() || mine != theirs) {
            let now = match live {
                None => "the live collection has no index of this name".to_owned(),
                Some(_) => format!("the live index has {}", shown(theirs.as_ref())),
            };
            notices.push((
                format!("{option} {}", shown(mine.as_ref())),
                format!("differs: {now}"),
            ));
        }
    }
    notices
}

fn shown(value: Option<&Bson>) -> String {
    value.map_or_else(|| "none".to_owned(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    fn metadata(options: Document, indexes: &[Document]) -> Metadata {
        Metadata::from_server("tasks".into(), "collection".into(), &options, indexes, None)
            .expect("reads")
    }

    #[test]
    fn a_ttl_index_is_shown_even_when_the_live_one_has_it_too() {
        let ttl =
            [doc! { "v": 2, "key": { "createdAt": 1 }, "name": "ttl", "expireAfterSeconds": 0 }];
        let backup = metadata(doc! {}, &ttl);
        let notices = backup.notices(Some(&backup.clone()));
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0].index.as_deref(), Some("ttl"));
        assert_eq!(notices[0].option, "expireAfterSeconds 0");
        assert!(notices[0].effect.contains("createdAt"), "{}", notices[0]);
    }

    #[test]
    fn options_equal_to_the_live_ones_need_no_acceptance_and_others_do() {
        let unique = [
            doc! { "v": 2, "key": { "clientId": 1 }, "name": "u", "unique": true,
            "partialFilterExpression": { "clientId": { "$type": "string" } } },
        ];
        let validated = doc! { "validator": { "n": { "$gte": 0 } } };
        let backup = metadata(validated.clone(), &unique);
        assert!(backup.notices(Some(&backup.clone())).is_empty());
        assert!(
            backup.notices(None).is_empty(),
            "nothing live to differ from"
        );
        let live = metadata(doc! {}, &[]);
        let notices = backup.notices(Some(&live));
        let options: Vec<&str> = notices.iter().map(|n| n.option.as_str()).collect();
        assert_eq!(notices.len(), 3, "{options:?}");
        assert!(options[0].starts_with("validator"), "{options:?}");
        assert!(options[1].starts_with("unique"), "{options:?}");
        assert!(
            options[2].starts_with("partialFilterExpression"),
            "{options:?}"
        );
    }

    #[test]
    fn a_cap_and_a_view_are_always_shown() {
        let capped = metadata(doc! { "capped": true, "size": 4096 }, &[]);
        assert_eq!(capped.notices(None).len(), 1);
        let view = Metadata::from_server(
            "open".into(),
            "view".into(),
            &doc! { "viewOn": "tasks", "pipeline": [{ "$match": { "done": false } }] },
            &[],
            None,
        )
        .expect("reads");
        assert!(view.notices(None)[0].effect.contains("view"));
    }
}
