//! The Prisma check against the real server: after migrating, the seed's
//! schema would make `prisma db push` drop the migration's indexes and fail;
//! the edit it prints, applied with `patch`, makes the two agree. Bad
//! schemas are reported, never errors; the dry run and verify carry the row.

use crate::helpers::{raw, server_uri, test_db};
use crate::process::program;
use forest_runbook::db::{Database, DbError, DemoDataSpec};
use forest_runbook::model::{PrismaReport, PushAction, PushStep, SchemaState, StepOutcome};
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::BackupStore;
use forest_runbook::ops::migration::{PHASE_0, dry_run, migrate, verify};
use forest_runbook::ops::prisma::{PrismaSource, check};
use mongodb::IndexModel;
use mongodb::bson::{Bson, Document};
use mongodb::options::IndexOptions;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/prisma")
        .join(name)
}

/// A Forest checkout holding `schema` at apps/server/prisma/schema.prisma.
fn checkout_with(schema: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("apps/server/prisma/schema.prisma");
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    std::fs::write(&path, schema).expect("write schema");
    (dir, path)
}

async fn migrated(name: &str) -> Database {
    let db = test_db(name).await;
    let spec = DemoDataSpec {
        users: 8,
        tasks: 60,
        sessions: 20,
        messy: false,
        seed: 3,
    };
    db.write_demo_data(spec, false).await.expect("demo data");
    migrate(&db, &Actor::Cli("test".into()), &PHASE_0)
        .await
        .expect("migrate");
    db
}

fn step<'a>(
    report: &'a PrismaReport,
    action: PushAction,
    index: &str,
) -> &'a forest_runbook::model::PushStep {
    report
        .push_now
        .iter()
        .find(|s| s.action == action && s.index == index)
        .unwrap_or_else(|| panic!("no {action:?} {index} in {:#?}", report.push_now))
}

/// Sends each predicted step as `prisma db push` does (a create carries only
/// key, name and `unique`) and checks that the server answers as predicted,
/// up to the first failure, where db push stops.
async fn replay(db: &Database, steps: &[PushStep]) {
    let raw = raw(db).await;
    for step in steps {
        let collection = raw.collection::<Document>(&step.collection);
        let result = match step.action {
            PushAction::CreateCollection => raw.create_collection(&step.collection).await,
            PushAction::DropIndex => collection.drop_index(&step.index).await,
            PushAction::CreateIndex => {
                let keys: Document = step
                    .key
                    .iter()
                    .map(|(field, direction)| (field.clone(), Bson::Int32(*direction)))
                    .collect();
                let options = IndexOptions::builder()
                    .name(step.index.clone())
                    .unique(step.unique)
                    .build();
                let model = IndexModel::builder().keys(keys).options(options).build();
                collection.create_index(model).await.map(drop)
            }
        };
        match (&step.outcome, result) {
            (StepOutcome::Applies, Ok(())) => {}
            (StepOutcome::Fails { code, .. }, Err(error)) => {
                assert_eq!(DbError::from(error).code(), Some(*code), "{step:?}");
                return;
            }
            (predicted, answered) => {
                panic!("predicted {predicted:?}, the server answered {answered:?} to {step:?}")
            }
        }
    }
}

/// Applies the report's diff to the checkout as the Forest team would.
fn apply_edit(checkout: &Path, report: &PrismaReport) {
    let diff = &report.edit.as_ref().expect("an edit").diff;
    let patch = checkout.join("edit.diff");
    std::fs::write(&patch, diff).expect("write diff");
    let status = Command::new("patch")
        .arg("-p1")
        .arg("-d")
        .arg(checkout)
        .arg("-i")
        .arg(&patch)
        .status()
        .expect("run patch");
    assert!(status.success(), "the diff applies:\n{diff}");
}

#[tokio::test]
async fn with_names_pinned_db_push_drops_two_indexes_and_stops_on_code_86_until_the_edit() {
    let db = migrated("prisma_pinned").await;
    let seed = std::fs::read_to_string(fixture("pinned.prisma")).expect("fixture");
    let (checkout, path) = checkout_with(&seed);
    let source = PrismaSource::at(Some(path.clone()));

    let report = check(&db, &PHASE_0, &source).await.expect("check");
    assert_eq!(report.schema, SchemaState::Read);
    assert!(report.migration_applied);
    assert!(!report.agrees);
    let mut dropped: Vec<_> = report
        .push_now
        .iter()
        .filter(|s| s.action == PushAction::DropIndex)
        .map(|s| s.index.as_str())
        .collect();
    dropped.sort_unstable();
    assert_eq!(dropped, ["Device_userId_idx", "User_lastSyncedAt_idx"]);
    let task = step(&report, PushAction::CreateIndex, "Task_clientId_key");
    assert!(
        matches!(&task.outcome, StepOutcome::Fails { code: 86, reason } if reason.contains("other options")),
        "{task:?}"
    );
    let focus = step(
        &report,
        PushAction::CreateIndex,
        "FocusSession_clientId_key",
    );
    assert_eq!(focus.outcome, StepOutcome::NotRun);
    let diff = &report.edit.as_ref().expect("edit").diff;
    for line in [
        "+  @@index([lastSyncedAt], map: \"User_lastSyncedAt_idx\")",
        "+  @@index([userId], map: \"Device_userId_idx\")",
        "-  clientId    String?   @unique(map: \"Task_clientId_key\")",
        "+  clientId    String?",
    ] {
        assert!(diff.contains(line), "{line} in\n{diff}");
    }
    let explained = report.edit.as_ref().expect("edit").explanation.join(" ");
    assert!(explained.contains("findFirst"), "{explained}");

    apply_edit(checkout.path(), &report);
    let edited = check(&db, &PHASE_0, &source).await.expect("check");
    assert!(edited.agrees, "{:#?}", edited.disagreements);
    assert!(edited.push_now.is_empty(), "{:#?}", edited.push_now);
    assert!(edited.edit.is_none());

    replay(&db, &report.push_now).await;
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_seed_schema_renames_every_index_and_its_plain_unique_client_id_fails_on_nulls() {
    let db = migrated("prisma_seed").await;
    let seed = std::fs::read_to_string(fixture("seed.prisma")).expect("fixture");
    let (checkout, path) = checkout_with(&seed);
    let source = PrismaSource::at(Some(path));

    let report = check(&db, &PHASE_0, &source).await.expect("check");
    assert!(!report.agrees);
    for dropped in [
        "Device_userId_idx",
        "User_lastSyncedAt_idx",
        "Device_deviceId_key",
    ] {
        assert!(step(&report, PushAction::DropIndex, dropped).harms_migration);
    }
    // Under @@map("tasks") Prisma names the index tasks_clientId_key; the
    // partial Task_clientId_key is invisible, so db push builds a plain
    // unique index beside it, which every task without a clientId breaks.
    let client_id = step(&report, PushAction::CreateIndex, "tasks_clientId_key");
    assert!(
        matches!(&client_id.outcome, StepOutcome::Fails { code: 11000, reason } if reason.contains("at least 2 documents have clientId null or missing")),
        "{client_id:?}"
    );
    let diff = &report.edit.as_ref().expect("edit").diff;
    for line in [
        "+  email         String         @unique(map: \"User_email_key\")",
        "+  deviceId   String   @unique(map: \"Device_deviceId_key\")",
        "+  @@index([userId], map: \"Device_userId_idx\")",
        "+  @@index([userId], map: \"Task_userId_idx\")",
    ] {
        assert!(diff.contains(line), "{line} in\n{diff}");
    }

    apply_edit(checkout.path(), &report);
    let edited = check(&db, &PHASE_0, &source).await.expect("check");
    assert!(edited.agrees, "{:#?}", edited.disagreements);
    assert!(edited.push_now.is_empty(), "{:#?}", edited.push_now);

    replay(&db, &report.push_now).await;
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn before_the_migration_the_check_also_predicts_the_push_after_it() {
    let db = test_db("prisma_before").await;
    let seed = std::fs::read_to_string(fixture("pinned.prisma")).expect("fixture");
    let (_checkout, path) = checkout_with(&seed);
    let report = check(&db, &PHASE_0, &PrismaSource::at(Some(path)))
        .await
        .expect("check");
    assert!(!report.migration_applied);
    assert!(
        report
            .push_now
            .iter()
            .any(|s| s.action == PushAction::CreateCollection)
    );
    assert!(
        report
            .push_after_migrate
            .iter()
            .any(|s| s.index == "Device_userId_idx" && s.action == PushAction::DropIndex)
    );
    assert!(!report.agrees);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn bad_schemas_are_reported_with_what_is_wrong_never_as_errors() {
    let db = test_db("prisma_bad").await;
    let run = |path: PathBuf| {
        let db = db.clone();
        async move {
            check(&db, &PHASE_0, &PrismaSource::at(Some(path)))
                .await
                .expect("a report, not an error")
        }
    };
    let reason = |report: PrismaReport| match report.schema {
        SchemaState::Invalid { reason } => reason,
        other => panic!("expected invalid, got {other:?}"),
    };

    let missing = run(PathBuf::from("/nonexistent/schema.prisma")).await;
    assert!(reason(missing).contains("/nonexistent/schema.prisma"));

    let (_a, broken) = checkout_with(
        "datasource db {\n  provider = \"mongodb\"\n}\nmodel Task {\n  id String @id\n  title String @\n}\n",
    );
    let text = reason(run(broken).await);
    assert!(text.contains("line 6, column"), "{text}");

    let (_b, postgres) =
        checkout_with("datasource db {\n  provider = \"postgresql\"\n  url = env(\"X\")\n}\n");
    assert!(reason(run(postgres).await).contains("postgresql"));

    let (_c, huge) = checkout_with(&"// padding\n".repeat(120_000));
    assert!(reason(run(huge).await).contains("more than"));

    let (_d, no_models) = checkout_with(
        "datasource db {\n  provider = \"mongodb\"\n  url = env(\"X\")\n}\nmodel Task {\n  id String @id @map(\"_id\")\n}\n",
    );
    let report = run(no_models).await;
    assert_eq!(report.schema, SchemaState::Read);
    assert!(!report.agrees);
    let lines = report.disagreements.join("\n");
    assert!(
        lines.contains("no model for the collection users"),
        "{lines}"
    );
    assert!(
        lines.contains("model Task maps to the collection Task, not tasks"),
        "{lines}"
    );

    let not_configured = check(&db, &PHASE_0, &PrismaSource::default())
        .await
        .expect("report");
    assert_eq!(not_configured.schema, SchemaState::NotConfigured);
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_version_warning_names_prisma_7_and_the_migrations_folder() {
    let db = test_db("prisma_version").await;
    let seed = std::fs::read_to_string(fixture("seed.prisma")).expect("fixture");
    let (checkout, path) = checkout_with(&seed);
    std::fs::write(
        checkout.path().join("apps/server/package.json"),
        r#"{"devDependencies": {"prisma": "^7.0.0"}}"#,
    )
    .expect("package.json");
    std::fs::write(
        checkout.path().join("pnpm-lock.yaml"),
        "packages:\n  prisma@7.0.1:\n    resolution: {}\n",
    )
    .expect("lock");
    std::fs::create_dir_all(
        checkout
            .path()
            .join("apps/server/prisma/migrations/20240101_init"),
    )
    .expect("migrations");
    let report = check(&db, &PHASE_0, &PrismaSource::at(Some(path)))
        .await
        .expect("check");
    let version = report.prisma_version.as_ref().expect("a version");
    assert_eq!(version.declared.as_deref(), Some("^7.0.0"));
    assert_eq!(version.locked.as_deref(), Some("7.0.1"));
    let warnings = report.warnings.join("\n");
    assert!(warnings.contains("Prisma 7"), "{warnings}");
    assert!(warnings.contains("no MongoDB connector"), "{warnings}");
    assert_eq!(report.migrations_folder, ["20240101_init"]);
    assert_eq!(report.provider.as_deref(), Some("mongodb"));
    assert_eq!(report.relation_mode.as_deref(), Some("prisma"));
    assert!(!warnings.contains("declares no field"), "{warnings}");

    let required = seed.replacen(
        "clientId    String?   @unique",
        "clientId    String    @unique",
        1,
    );
    let (_required, path) = checkout_with(&required);
    let report = check(&db, &PHASE_0, &PrismaSource::at(Some(path)))
        .await
        .expect("check");
    let warnings = report.warnings.join("\n");
    assert!(
        warnings.contains("Task.clientId is String in the schema; the migration's data is String?: documents without it make Prisma Client fail to read them"),
        "{warnings}"
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn the_dry_run_and_verify_carry_the_prisma_row() {
    let db = migrated("prisma_rows").await;
    let no_backups = BackupStore::new("/nonexistent/backups", 0, Duration::from_secs(3_600));
    let (_checkout, path) =
        checkout_with(&std::fs::read_to_string(fixture("pinned.prisma")).expect("fixture"));
    let actor = Actor::Cli("test".into());
    let planned = dry_run(
        &db,
        &actor,
        &PHASE_0,
        (&no_backups, &PrismaSource::at(Some(path.clone()))),
    )
    .await
    .expect("dry run");
    // Kept as the latest dry run, as the Runbook shows it after a reload.
    let kept = db
        .latest_plan(PHASE_0.name)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!((kept.by.as_str(), &kept.plan), ("cli:test", &planned));
    let row = planned.prisma.expect("the row");
    assert_eq!(row.name, "Prisma schema agrees");
    assert!(!row.passed && !row.warning);
    assert!(
        row.evidence.contains("Device_userId_idx"),
        "{}",
        row.evidence
    );
    assert_eq!(row.link.as_deref(), Some("/prisma"));

    let checked = verify(
        &db,
        &actor,
        &PHASE_0,
        &no_backups,
        &PrismaSource::at(Some(path)),
    )
    .await
    .expect("verify");
    let row = checked
        .checks
        .iter()
        .find(|c| c.name == "Prisma schema agrees")
        .expect("the row");
    assert!(!row.passed && !row.warning);
    assert!(!checked.passed);

    let unconfigured = verify(&db, &actor, &PHASE_0, &no_backups, &PrismaSource::default())
        .await
        .expect("verify");
    let row = unconfigured
        .checks
        .iter()
        .find(|c| c.name == "Prisma schema agrees")
        .expect("the row");
    assert!(row.warning, "{row:?}");
    assert!(
        row.evidence.contains("[forest] checkout"),
        "{}",
        row.evidence
    );
    db.drop_database().await.expect("drop");
}

#[tokio::test]
async fn prisma_check_on_the_command_line_exits_1_and_prints_json() {
    let db = migrated("prisma_cli").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let uri = server_uri().replace("/?", &format!("/{}?", db.name()));
    let output = program(dir.path())
        .env("MONGODB_URI", uri)
        .args(["prisma", "check", "--json", "--schema"])
        .arg(fixture("pinned.prisma"))
        .output()
        .expect("run forest-runbook");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: PrismaReport = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert!(!report.agrees);
    assert!(report.disagreements.iter().any(|d| d.contains("code 86")));
    assert!(report.edit.is_some());
    db.drop_database().await.expect("drop");
}
