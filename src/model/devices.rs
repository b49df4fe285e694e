//! Device registrations: how many, on what, how recently seen.

use serde::{Deserialize, Serialize};

/// How many days `DeviceStats::per_day` covers.
pub const DAYS: usize = 30;

/// A count under a label: a platform, an app version or a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledCount {
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStats {
    /// False before the migration: there is no `devices` collection yet.
    pub exists: bool,
    /// `db.devices.countDocuments()`.
    pub total: u64,
    /// Most devices first; "(none)" for documents without the field.
    pub by_platform: Vec<LabelledCount>,
    pub by_app_version: Vec<LabelledCount>,
    /// New registrations (`createdAt`) per UTC day, oldest first, one entry
    /// per day of the last `DAYS` days including today.
    pub per_day: Vec<LabelledCount>,
    /// Devices whose `lastSeenAt` is within the last 24 hours.
    pub active_day: u64,
    /// ... within the last 7 days.
    pub active_week: u64,
    /// Distinct `userId`s with at least one device.
    pub users_with_devices: u64,
    /// When these were counted, RFC 3339.
    pub counted_at: String,
}
