//! Counts the monitor charts for device registrations and sync activity:
//! devices in total and registered recently, documents written by a mobile
//! client (a string `clientId`), and users synced recently.

use super::{Collection, Database, DbError};
use mongodb::bson::{DateTime, doc};
use std::time::SystemTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncCounts {
    pub devices_total: u64,
    /// Devices whose `createdAt` is at or after the `new_since` asked for.
    pub devices_new: u64,
    pub tasks_with_client_id: u64,
    pub sessions_with_client_id: u64,
    /// Users whose `lastSyncedAt` is at or after the `synced_since` asked for.
    pub users_synced: u64,
}

impl Database {
    /// Five counts. The `clientId` filters match the migration's partial
    /// unique indexes (`$type: "string"`), so once they exist the counts
    /// can be answered from the indexes.
    pub async fn sync_counts(
        &self,
        new_since: SystemTime,
        synced_since: SystemTime,
    ) -> Result<SyncCounts, DbError> {
        let count = |collection: Collection, filter| async move {
            self.collection(collection).count_documents(filter).await
        };
        let with_client_id = || doc! { "clientId": { "$type": "string" } };
        Ok(SyncCounts {
            devices_total: count(Collection::Devices, doc! {}).await?,
            devices_new: count(
                Collection::Devices,
                doc! { "createdAt": { "$gte": DateTime::from_system_time(new_since) } },
            )
            .await?,
            tasks_with_client_id: count(Collection::Tasks, with_client_id()).await?,
            sessions_with_client_id: count(Collection::FocusSessions, with_client_id()).await?,
            users_synced: count(
                Collection::Users,
                doc! { "lastSyncedAt": { "$gte": DateTime::from_system_time(synced_since) } },
            )
            .await?,
        })
    }
}
