//! `Database`: the app's handle on the configured database, and `open`,
//! which starts the embedded server when no URI is configured.

use super::counted::KeptCount;
use super::driver_events::DriverEvents;
use super::{Collection, DbError, DriverTally, EmbeddedServer};
use crate::config::DatabaseSettings;
use crate::model::{MigrationState, Notice, RunKind, RunState};
use crate::notify::Outbox;
use mongodb::bson::{Document, doc};
use mongodb::options::{
    Acknowledgment, ClientOptions, CollectionOptions, ConnectionString, ReadConcern,
    SelectionCriteria, WriteConcern,
};
use mongodb::{Client, Collection as DriverCollection};
use std::time::{Duration, Instant};

/// How long the driver looks for a server before it calls the database
/// unreachable, unless the URI sets `serverSelectionTimeoutMS` itself.
const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Acknowledged by a majority of voting members, after their journals.
fn durable_writes() -> WriteConcern {
    WriteConcern::builder()
        .w(Acknowledgment::Majority)
        .journal(true)
        .build()
}

/// A connected client and the database the app works on. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Database {
    client: Client,
    /// The same server for bulk transfers (a backup's reads, a restore's
    /// loads), without command monitoring: to hand a command's event to
    /// its handler the driver turns each whole command or reply into a
    /// `Document`, which made a backup four times a bare read. Its pool
    /// is counted with the first client's.
    bulk: Client,
    name: String,
    embedded: bool,
    events: DriverEvents,
    /// Where notices of the steps go; sends nothing until the app attaches
    /// its webhooks' queues (`with_outbox`).
    outbox: Outbox,
    /// The newest duplicate count of a migration's unique keys.
    pub(super) kept_count: KeptCount,
}

/// The database the app was pointed at, and the embedded server behind it
/// when the app started one.
pub struct OpenedDatabase {
    pub database: Database,
    pub embedded: Option<EmbeddedServer>,
}

/// Connects to `settings.uri`, or starts the embedded server when it is empty.
pub async fn open(settings: &DatabaseSettings) -> Result<OpenedDatabase, DbError> {
    if !settings.uri.trim().is_empty() {
        let database = Database::connect(&settings.uri, &settings.name).await?;
        return Ok(OpenedDatabase {
            database,
            embedded: None,
        });
    }
    let server = EmbeddedServer::start(
        &settings.server_binary,
        &settings.data_dir,
        Duration::from_secs(settings.start_timeout_secs),
        &[],
    )
    .await?;
    let mut database = Database::connect(&server.uri(), &settings.name).await?;
    database.embedded = true;
    Ok(OpenedDatabase {
        database,
        embedded: Some(server),
    })
}

impl Database {
    /// Connects to `uri`. The database is the URI's path; `fallback_name`
    /// when the URI names none. Connecting is lazy: this fails only on a
    /// malformed URI, and the first command finds out whether the server is there.
    pub async fn connect(uri: &str, fallback_name: &str) -> Result<Self, DbError> {
        let parsed =
            ConnectionString::parse(uri).map_err(|e| DbError::InvalidUri(e.to_string()))?;
        let name = parsed
            .default_database
            .clone()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| fallback_name.to_owned());
        let mut options = ClientOptions::parse(parsed)
            .await
            .map_err(|e| DbError::InvalidUri(e.to_string()))?;
        options
            .app_name
            .get_or_insert_with(|| "forest-runbook".to_owned());
        options
            .server_selection_timeout
            .get_or_insert(SERVER_SELECTION_TIMEOUT);
        // The monitor charts the pools and this client's command latencies.
        let events = DriverEvents::default();
        options.cmap_event_handler = Some(events.cmap_handler());
        let bulk = Client::with_options(options.clone())?;
        options.command_event_handler = Some(events.command_handler());
        let client = Client::with_options(options)?;
        Ok(Self {
            client,
            bulk,
            name,
            embedded: false,
            events,
            outbox: Outbox::default(),
            kept_count: KeptCount::default(),
        })
    }

    /// A handle on another database of the same server (tests use one per test).
    pub fn sibling(&self, name: &str) -> Self {
        Self {
            client: self.client.clone(),
            bulk: self.bulk.clone(),
            name: name.to_owned(),
            embedded: self.embedded,
            events: self.events.clone(),
            // What happens in another database (a rehearsal's scratch
            // copy) is not this deployment's news: it announces nothing.
            outbox: Outbox::default(),
            // Nor is a count of this database one of that.
            kept_count: KeptCount::default(),
        }
    }

    /// This handle, announcing what `ops` tells it to `outbox`. Every step
    /// passes through the audit with a `Database`, so this is how the audit
    /// reaches the webhooks without each step knowing of them.
    pub fn with_outbox(mut self, outbox: Outbox) -> Self {
        self.outbox = outbox;
        self
    }

    /// Queues `notice` for every webhook; never waits (a full queue drops
    /// it and counts the drop).
    pub fn announce(&self, notice: &Notice) {
        self.outbox.send(notice);
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    /// This client's pools and commands, as its driver events counted them.
    pub fn driver_tally(&self) -> DriverTally {
        self.events.snapshot()
    }

    /// Ends the driver's background work (monitors, pools, the sessions it
    /// ends when the last handle drops) while the runtime still runs. A
    /// client dropped as the runtime shuts down spawns that clean-up from
    /// its `Drop` and panics when no runtime is left to take it, now and
    /// then, whatever the command was: the program calls this before it
    /// returns.
    pub async fn shutdown(&self) {
        self.client.clone().shutdown().immediate(true).await;
        self.bulk.clone().shutdown().immediate(true).await;
    }

    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    pub(super) fn handle(&self) -> mongodb::Database {
        self.client.database(&self.name)
    }

    /// The database on the bulk client: for moving whole collections.
    pub(super) fn bulk_handle(&self) -> mongodb::Database {
        self.bulk.database(&self.name)
    }

    /// Every read the app decides on (the lock, the plan, verify, the
    /// checklist) goes to the primary and sees only majority-committed
    /// data, so a failover cannot show it a write that is then rolled
    /// back. The app's own records (the lock, the changelog, ticks,
    /// approvals, the audit) are also written with `w: majority` and a
    /// journal flush: on a replica set an acknowledged record survives the
    /// loss of the primary. Forest's collections keep the client's write
    /// concern, so bulk loads are not flushed batch by batch.
    pub(super) fn collection(&self, collection: Collection) -> DriverCollection<Document> {
        let options = CollectionOptions::builder()
            .selection_criteria(SelectionCriteria::ReadPreference(
                mongodb::options::ReadPreference::Primary,
            ))
            .read_concern(ReadConcern::majority())
            .write_concern(collection.is_app_record().then(durable_writes))
            .build();
        self.handle()
            .collection_with_options(collection.name(), options)
    }

    /// One `ping` round trip.
    pub async fn ping(&self) -> Result<Duration, DbError> {
        let started = Instant::now();
        self.client
            .database("admin")
            .run_command(doc! { "ping": 1 })
            .await?;
        Ok(started.elapsed())
    }

    /// The server's version, from `buildInfo`.
    pub async fn server_version(&self) -> Result<String, DbError> {
        let info = self
            .client
            .database("admin")
            .run_command(doc! { "buildInfo": 1 })
            .await?;
        info.get_str("version")
            .map(str::to_owned)
            .map_err(|e| DbError::Shape {
                collection: "admin.buildInfo",
                reason: e.to_string(),
            })
    }

    /// The state of the latest changelog entry for `migration`; `Pending`
    /// when it has never run.
    pub async fn migration_state(&self, migration: &str) -> Result<MigrationState, DbError> {
        let latest = self
            .collection(Collection::Changelog)
            .find_one(doc! { "migration": migration, "kind": RunKind::Migrate.as_str() })
            .sort(doc! { "startedAt": -1 })
            .await?;
        let Some(entry) = latest else {
            return Ok(MigrationState::Pending);
        };
        let word = entry.get_str("state").map_err(|e| DbError::Shape {
            collection: Collection::Changelog.name(),
            reason: e.to_string(),
        })?;
        RunState::parse(word)
            .map(RunState::of_migration)
            .ok_or_else(|| DbError::Shape {
                collection: Collection::Changelog.name(),
                reason: format!("unknown run state {word:?}"),
            })
    }

    /// Drops the whole database; tests give each case its own and drop it.
    pub async fn drop_database(&self) -> Result<(), DbError> {
        self.handle().drop().await?;
        Ok(())
    }

    /// Names of the collections in the database.
    pub async fn collection_names(&self) -> Result<Vec<String>, DbError> {
        Ok(self.handle().list_collection_names().await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::options::ReadPreference;

    #[tokio::test]
    async fn the_apps_records_are_written_by_a_journaled_majority_and_reads_are_majority_from_the_primary()
     {
        // Connecting is lazy: no server is needed to read the handles' options.
        let db = Database::connect("mongodb://127.0.0.1:9/?directConnection=true", "t")
            .await
            .expect("a well-formed URI");
        for collection in [
            Collection::Locks,
            Collection::Changelog,
            Collection::Checklist,
            Collection::Approvals,
            Collection::Audit,
            Collection::SignInLimits,
            Collection::Jobs,
            Collection::Tasks,
        ] {
            let handle = db.collection(collection);
            let expected = collection.is_app_record().then(durable_writes);
            assert_eq!(handle.write_concern(), expected.as_ref(), "{collection:?}");
            assert_eq!(handle.read_concern(), Some(&ReadConcern::majority()));
            assert!(matches!(
                handle.selection_criteria(),
                Some(SelectionCriteria::ReadPreference(ReadPreference::Primary))
            ));
        }
        db.shutdown().await;
    }
}
