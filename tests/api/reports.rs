//! The duplicate reports and device counts against the real server: the
//! groups equal an independent count, nulls, non-strings and missing are
//! counted apart, the `_id` list is capped inside the aggregation, the CSV
//! download, and device counts on a known set.

use crate::helpers::{body_text, raw, test_db};
use crate::roles::{app_with_accounts, cookie_for};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use forest_runbook::db::{Database, DemoDataSpec};
use forest_runbook::model::{DuplicateReport, IDS_PER_GROUP, ReportPage};
use forest_runbook::ops::migration::PHASE_0;
use forest_runbook::ops::{OpsError, devices, duplicates};
use mongodb::bson::{Bson, DateTime, Document, doc, oid::ObjectId};
use std::collections::BTreeMap;
use tower::ServiceExt;

/// What the report should say about `field` of `collection`, counted here
/// document by document: value -> ids, and (nulls, non-strings, missing).
async fn count_by_hand(
    db: &Database,
    collection: &str,
    field: &str,
) -> (BTreeMap<String, Vec<String>>, (u64, u64, u64)) {
    let mut cursor = raw(db)
        .await
        .collection::<Document>(collection)
        .find(doc! {})
        .await
        .expect("find");
    let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut others = (0, 0, 0);
    while cursor.advance().await.expect("advance") {
        let document = cursor.deserialize_current().expect("document");
        let id = document.get_object_id("_id").expect("_id").to_hex();
        match document.get(field) {
            Some(Bson::String(value)) => values.entry(value.clone()).or_default().push(id),
            Some(Bson::Null) => others.0 += 1,
            Some(_) => others.1 += 1,
            None => others.2 += 1,
        }
    }
    values.retain(|_, ids| ids.len() > 1);
    (values, others)
}

#[tokio::test]
async fn the_groups_equal_an_independent_count_on_the_messy_demo_database() {
    let db = test_db("reports_messy").await;
    let spec = DemoDataSpec {
        users: 10,
        tasks: 800,
        sessions: 300,
        messy: true,
        seed: 11,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    let reports = duplicates::reports(&db, &PHASE_0, |_| ReportPage::ALL)
        .await
        .expect("reports");
    assert_eq!(
        reports.iter().map(DuplicateReport::key).collect::<Vec<_>>(),
        [
            "devices.deviceId",
            "tasks.clientId",
            "focus_sessions.clientId"
        ]
    );
    assert!(
        !reports[0].exists,
        "devices does not exist before the migration"
    );
    assert!(
        reports[1].duplicated_values > 0,
        "the messy tasks hold duplicates"
    );
    for report in &reports[1..] {
        let (expected, (nulls, non_strings, missing)) =
            count_by_hand(&db, &report.collection, &report.field).await;
        assert!(
            nulls > 0 && non_strings > 0 && missing > 0,
            "and every other shape"
        );
        assert_eq!(report.duplicated_values, expected.len() as u64);
        assert_eq!(
            report.duplicated_documents,
            expected.values().map(|ids| ids.len() as u64).sum::<u64>()
        );
        assert_eq!(
            (report.nulls, report.non_strings, report.missing),
            (nulls, non_strings, missing)
        );
        let found: BTreeMap<String, u64> = report
            .groups
            .iter()
            .map(|g| (g.value.clone(), g.count))
            .collect();
        let counted: BTreeMap<String, u64> = expected
            .iter()
            .map(|(value, ids)| (value.clone(), ids.len() as u64))
            .collect();
        assert_eq!(found, counted);
        for group in &report.groups {
            assert!(
                group
                    .ids
                    .iter()
                    .all(|id| expected[&group.value].contains(id))
            );
        }
        let counts: Vec<u64> = report.groups.iter().map(|g| g.count).collect();
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "most repeated first"
        );
        assert!(!report.time_limited);
    }
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_id_list_is_capped_on_a_value_held_ten_thousand_times_and_pages_hold() {
    let db = test_db("reports_cap").await;
    let tasks = raw(&db).await.collection::<Document>("tasks");
    let mut documents: Vec<Document> = (0..10_000)
        .map(|_| doc! { "title": "same", "clientId": "shared" })
        .collect();
    documents.extend((0..30).flat_map(|i| {
        let value = format!("pair-{i:02}");
        [doc! { "clientId": &value }, doc! { "clientId": value }]
    }));
    tasks.insert_many(documents).await.expect("insert");
    let report = duplicates::report(&db, &PHASE_0, "tasks.clientId", ReportPage::ALL)
        .await
        .expect("report");
    assert_eq!(report.duplicated_values, 31);
    assert_eq!(report.duplicated_documents, 10_060);
    assert_eq!(report.groups[0].value, "shared");
    assert_eq!(report.groups[0].count, 10_000);
    assert_eq!(report.groups[0].ids.len(), IDS_PER_GROUP);

    let page = ReportPage {
        offset: 25,
        limit: 25,
    };
    let second = duplicates::report(&db, &PHASE_0, "tasks.clientId", page)
        .await
        .expect("second page");
    assert_eq!(
        second.duplicated_values, 31,
        "totals do not depend on the page"
    );
    assert_eq!(
        second
            .groups
            .iter()
            .map(|g| g.value.as_str())
            .collect::<Vec<_>>(),
        [
            "pair-24", "pair-25", "pair-26", "pair-27", "pair-28", "pair-29"
        ]
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn an_unknown_key_is_refused_by_name() {
    let db = test_db("reports_unknown").await;
    let error = duplicates::report(&db, &PHASE_0, "users.email", ReportPage::ALL)
        .await
        .expect_err("not a key of the migration");
    assert!(
        matches!(&error, OpsError::InvalidInput { field: "key", message } if message.contains("tasks.clientId")),
        "{error}"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_csv_download_lists_every_group_to_signed_in_people_only() {
    let db = test_db("reports_csv").await;
    let tasks = raw(&db).await.collection::<Document>("tasks");
    tasks
        .insert_many([
            doc! { "clientId": "a,b" },
            doc! { "clientId": "a,b" },
            doc! { "clientId": "c" },
            doc! { "clientId": Bson::Null },
            doc! { "clientId": Bson::Null },
        ])
        .await
        .expect("insert");
    let app = app_with_accounts(&db).await;
    let viewer = cookie_for(&db, "viewer").await;
    let get = |uri: &str, cookie: Option<&str>| {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        app.clone()
            .oneshot(request.body(Body::empty()).expect("request"))
    };
    let response = get("/duplicates.csv?key=tasks.clientId", Some(&viewer))
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("duplicates-tasks.clientId.csv")
    );
    let text = body_text(response).await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "collection,field,value,count,ids");
    assert_eq!(lines.len(), 2, "one group; nulls never collide: {text}");
    assert!(lines[1].starts_with("tasks,clientId,\"a,b\",2,"));

    let anonymous = get("/duplicates.csv?key=tasks.clientId", None)
        .await
        .expect("response");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let unknown = get("/duplicates.csv?key=../etc", Some(&viewer))
        .await
        .expect("response");
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn device_counts_on_a_known_set_and_none_before_the_collection_exists() {
    let db = test_db("reports_devices").await;
    let before = devices::stats(&db).await.expect("stats");
    assert!(!before.exists);
    assert_eq!(before.total, 0);

    let now = DateTime::now().timestamp_millis();
    let ago = |hours: i64| DateTime::from_millis(now - hours * 3_600_000);
    let (ada, bob) = (ObjectId::new(), ObjectId::new());
    let device =
        |user: ObjectId, id: &str, platform: &str, version: &str, created: i64, seen: i64| {
            doc! {
                "userId": user, "deviceId": id, "platform": platform, "appVersion": version,
                "createdAt": ago(created), "updatedAt": ago(seen), "lastSeenAt": ago(seen),
            }
        };
    raw(&db)
        .await
        .collection::<Document>("devices")
        .insert_many([
            device(ada, "d1", "ios", "2.0.0", 1, 1),
            device(ada, "d2", "android", "2.0.0", 50, 30),
            device(bob, "d3", "ios", "1.9.0", 24 * 10, 24 * 3),
            device(bob, "d4", "ios", "2.0.0", 24 * 40, 24 * 20),
        ])
        .await
        .expect("insert");
    let stats = devices::stats(&db).await.expect("stats");
    assert!(stats.exists);
    assert_eq!(stats.total, 4);
    assert_eq!(stats.users_with_devices, 2);
    assert_eq!((stats.active_day, stats.active_week), (1, 3));
    let pairs = |counts: &[forest_runbook::model::LabelledCount]| {
        counts
            .iter()
            .map(|c| (c.label.clone(), c.count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pairs(&stats.by_platform),
        [("ios".to_owned(), 3), ("android".to_owned(), 1)]
    );
    assert_eq!(
        pairs(&stats.by_app_version),
        [("2.0.0".to_owned(), 3), ("1.9.0".to_owned(), 1)]
    );
    assert_eq!(stats.per_day.len(), 30);
    assert_eq!(
        stats.per_day.iter().map(|d| d.count).sum::<u64>(),
        3,
        "the 40-day-old registration is outside the window"
    );
    db.drop_database().await.expect("drop");
}
