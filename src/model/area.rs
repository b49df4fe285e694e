//! What the change stream announces: the areas of the app whose data a
//! page shows, and one announcement of those that changed. Only names and
//! a counter: a change event never carries the data itself.

use serde::{Deserialize, Serialize};

/// A part of the app's data that pages show and that changes while they
/// are open; an open page is read again when an area it shows is
/// announced (`app/live.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// Migration runs, the lock, verifications and rehearsals.
    Runbook,
    /// Checklist ticks and acknowledgements.
    Checklist,
    /// The Forest app's registered devices.
    Devices,
    /// The backups folder, and backup and restore jobs starting and ending.
    Backups,
    /// The Forest API's probes and the Forest server's logs.
    Forest,
    /// The progress of the newest backup or restore job: it moves every
    /// second while one runs, so only pages showing the job follow it.
    Job,
}

impl Area {
    pub const ALL: [Self; 6] = [
        Self::Runbook,
        Self::Checklist,
        Self::Devices,
        Self::Backups,
        Self::Forest,
        Self::Job,
    ];

    /// Every area but a job's progress: what every page shows (the
    /// header's database status, and Home's summary of the newest backup,
    /// the migration and the checklist), which does not change while a job
    /// counts documents.
    pub const SETTLED: [Self; 5] = [
        Self::Runbook,
        Self::Checklist,
        Self::Devices,
        Self::Backups,
        Self::Forest,
    ];

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One announcement: `areas` changed; `version` counts announcements of
/// this server, so a browser that reconnects can tell that it missed some.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    pub version: u64,
    pub areas: Vec<Area>,
}

#[cfg(test)]
mod tests {
    use super::Area;

    #[test]
    fn every_area_sits_at_its_index() {
        for (at, area) in Area::ALL.into_iter().enumerate() {
            assert_eq!(area.index(), at);
        }
    }
}
