//! The "Measure" for backups, in one run against a real
//! `secantusd-rs` (2G cache): backup time over a bare cursor read of the
//! same collections (goal: at most 1.1), and restore time over that read
//! plus bare unordered `insert_many` and `createIndexes` of the same
//! documents (goal: at most 1.1; exits non-zero when either is missed).
//! The backup is also printed against a bare dump (the bare read writing
//! each collection's bytes to a file), since the writes are what the read
//! does not pay. The restore verifies the backup first (every file re-read
//! and hashed, every document parsed); its time is printed with and
//! without that verification. Read, bare dump and backup run in turn, the
//! median of three counting (the machine is shared); the first backup, with
//! no backup before it to size itself by, asks the server's `dbStats` and
//! is printed apart. The bare load runs first and the restore last, each
//! after a large write.
//!
//! Sizes: the 1M tasks, 300k focus sessions and 100k users times
//! `BENCH_SCALE` (default 1). Run:
//! `cargo bench --features ssr --bench backup_restore [--profile dev]`.

mod goals;
mod support;

use forest_runbook::db::{Database, DemoDataSpec};
use forest_runbook::ops::audit::Actor;
use forest_runbook::ops::backup::{self, BackupStore, Jobs};
use goals::{exit_unless_all, within};
use mongodb::bson::{Document, RawDocumentBuf, doc};
use std::io::Write;
use std::time::Duration;
use support::{Server, median, scaled, seconds, timed};

type AnyError = Box<dyn std::error::Error + Send + Sync>;

const COLLECTIONS: [&str; 3] = ["users", "tasks", "focus_sessions"];
/// Documents per bare `insert_many`, as the restore batches them.
const BATCH: usize = 10_000;

/// A bare dump: the bare read, each collection's bytes written to a file
/// of its own in `folder` (what any dump pays on top of the read).
async fn bare_dump(raw: &mongodb::Database, folder: &std::path::Path) -> Result<(), AnyError> {
    std::fs::create_dir_all(folder)?;
    for name in COLLECTIONS {
        let path = folder.join(format!("{name}.bson"));
        let mut file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        let mut cursor = raw.collection::<RawDocumentBuf>(name).find(doc! {}).await?;
        while cursor.advance().await? {
            file.write_all(cursor.current().as_bytes())?;
        }
        file.flush()?;
    }
    Ok(())
}

async fn bare_read(raw: &mongodb::Database) -> Result<u64, AnyError> {
    let mut bytes = 0_u64;
    for name in COLLECTIONS {
        let mut cursor = raw.collection::<RawDocumentBuf>(name).find(doc! {}).await?;
        while cursor.advance().await? {
            bytes += cursor.current().as_bytes().len() as u64;
        }
    }
    Ok(bytes)
}

/// `work`'s value and how long it took, or its error.
async fn clocked<T, E: Into<AnyError>>(
    work: impl Future<Output = Result<T, E>>,
) -> Result<(T, Duration), AnyError> {
    let (took, output) = timed(work).await;
    Ok((output.map_err(Into::into)?, took))
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    let server = Server::start("bench").await;
    let work = tempfile::tempdir()?;
    let outcome = run(&server.db, &server.uri, work.path()).await;
    server.stop().await;
    exit_unless_all(&outcome?);
    Ok(())
}

/// Whether each goal was met.
async fn run(db: &Database, uri: &str, work: &std::path::Path) -> Result<[bool; 2], AnyError> {
    let spec = DemoDataSpec {
        users: scaled(100_000),
        tasks: scaled(1_000_000),
        sessions: scaled(300_000),
        messy: false,
        seed: 1,
    };
    db.prepare_app_collections().await?;
    let (_, built) = clocked(db.write_demo_data(spec, false)).await?;
    println!(
        "database: {} users, {} tasks, {} focus sessions, built in {}",
        spec.users,
        spec.tasks,
        spec.sessions,
        seconds(built)
    );
    let raw = mongodb::Client::with_uri_str(uri).await?.database("bench");

    let store = BackupStore::new(work.join("backups"), 0, Duration::from_secs(3_600));
    let actor = Actor::Cli("bench".into());
    let jobs = Jobs::new(db.clone());
    let take_backup = || clocked(backup::backup(db, &store, &jobs, &actor, false));
    // The first backup sizes itself with dbStats; the later ones from the
    // backup before them.
    let (_, first) = take_backup().await?;
    // Reading, dumping and backing up are short: each runs three times, in
    // turn, and the median counts (the machine is shared).
    let (mut reads, mut dumps, mut backups) = (Vec::new(), Vec::new(), Vec::new());
    let (mut bytes, mut latest) = (0, None);
    for _ in 0..3 {
        let took;
        (bytes, took) = clocked(bare_read(&raw)).await?;
        reads.push(took);
        let ((), took) = clocked(bare_dump(&raw, &work.join("bare-dump"))).await?;
        dumps.push(took);
        std::fs::remove_dir_all(work.join("bare-dump"))?;
        let (manifest, took) = take_backup().await?;
        backups.push(took);
        latest = Some(manifest);
    }
    let manifest = latest.ok_or("no backup was taken")?;
    let (read, dumped, backed_up) = (median(reads), median(dumps), median(backups));
    // What a backup asks before it reads: the free-space estimate and the listing.
    let (_, stats) = clocked(db.data_size()).await?;
    let (_, listing) = clocked(db.dump_sources()).await?;
    let (_, verified) = clocked(backup::verify_backup(db, &store, &actor, &manifest.name)).await?;
    // The same documents and index specs, held in memory before the clock starts.
    let mut loads = Vec::new();
    for name in COLLECTIONS {
        let collection = raw.collection::<RawDocumentBuf>(name);
        let mut cursor = collection.find(doc! {}).await?;
        let mut documents = Vec::new();
        while cursor.advance().await? {
            documents.push(cursor.current().to_raw_document_buf());
        }
        let mut specs = Vec::new();
        let mut listed = collection.list_indexes().await?.with_type::<Document>();
        while listed.advance().await? {
            let spec = listed.deserialize_current()?;
            if spec.get_str("name") != Ok("_id_") {
                specs.push(spec);
            }
        }
        loads.push((name, documents, specs));
    }
    let ((), bare) = clocked(async {
        for (name, documents, specs) in &loads {
            let collection = raw.collection::<RawDocumentBuf>(name);
            collection.drop().await?;
            raw.create_collection(*name).await?;
            for batch in documents.chunks(BATCH) {
                collection
                    .insert_many(batch.to_vec())
                    .ordered(false)
                    .await?;
            }
            if !specs.is_empty() {
                raw.run_command(doc! { "createIndexes": *name, "indexes": specs.clone() })
                    .await?;
            }
        }
        Ok::<_, AnyError>(())
    })
    .await?;

    // Last, so that it runs after a large write as the bare load did.
    let (_, restored) = clocked(backup::restore(
        db,
        &store,
        &jobs,
        &actor,
        &manifest.name,
        backup::Confirmation {
            database: db.name(),
            accept_options: false,
        },
    ))
    .await?;

    let s = |d: Duration| d.as_secs_f64();
    println!(
        "dump: {} documents, {} bytes of BSON",
        manifest.documents(),
        bytes
    );
    println!("bare cursor read        {:>8.2} s", s(read));
    println!(
        "bare read + file writes {:>8.2} s   (backup / that = {:.2}, printed, no goal)",
        s(dumped),
        s(backed_up) / s(dumped)
    );
    println!(
        "backup, the first        {:>8.2} s   (sized by dbStats, {:.2} s alone)",
        s(first),
        s(stats)
    );
    println!(
        "backup                  {:>8.2} s   (sized from the backup before; the listing alone {:.2} s)",
        s(backed_up),
        s(listing)
    );
    println!("verify                  {:>8.2} s", s(verified));
    println!("restore (with verify)   {:>8.2} s", s(restored));
    println!("bare insert_many+index  {:>8.2} s", s(bare));
    println!(
        "bare read + bare insert_many+index {:>8.2} s   (throughput ratio of backup / bare read {:.2})",
        s(read) + s(bare),
        s(read) / s(backed_up)
    );
    println!(
        "restore / bare insert+index = {:.2} with its verification, {:.2} without",
        s(restored) / s(bare),
        s(restored.saturating_sub(verified)) / s(bare)
    );
    let met = [
        within("backup / bare read", s(backed_up) / s(read), 1.1),
        within(
            "restore / (bare read + bare insert+index)",
            s(restored) / (s(read) + s(bare)),
            1.1,
        ),
    ];
    Ok(met)
}
