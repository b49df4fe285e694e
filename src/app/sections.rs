//! The sections of the app, as the navigation lists them.

/// One page reachable from the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Runbook,
    Backups,
    Checklist,
    Duplicates,
    Devices,
    Monitor,
    ForestApi,
    Prisma,
    Audit,
    Report,
}

impl Section {
    pub const ALL: [Section; 10] = [
        Self::Runbook,
        Self::Backups,
        Self::Checklist,
        Self::Duplicates,
        Self::Devices,
        Self::Monitor,
        Self::ForestApi,
        Self::Prisma,
        Self::Audit,
        Self::Report,
    ];

    pub fn href(self) -> &'static str {
        match self {
            Self::Runbook => "/runbook",
            Self::Backups => "/backups",
            Self::Checklist => "/checklist",
            Self::Duplicates => "/duplicates",
            Self::Devices => "/devices",
            Self::Monitor => "/monitor",
            Self::ForestApi => "/forest-api",
            Self::Prisma => "/prisma",
            Self::Audit => "/audit",
            Self::Report => "/report",
        }
    }

    /// The route's path: `href` without its leading slash.
    pub fn path(self) -> &'static str {
        self.href().trim_start_matches('/')
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Runbook => "Runbook",
            Self::Backups => "Backups",
            Self::Checklist => "Checklist",
            Self::Duplicates => "Duplicates",
            Self::Devices => "Devices",
            Self::Monitor => "Monitor",
            Self::ForestApi => "Forest API",
            Self::Prisma => "Prisma",
            Self::Audit => "Audit",
            Self::Report => "Report",
        }
    }

    /// What the page holds, in one or two sentences.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Runbook => {
                "The Phase 0 migration's steps in order (backup, dry run, migrate, verify, \
                 rollback) with their status, the plan, live progress and the history of every run."
            }
            Self::Backups => {
                "Backups in mongodump's layout: take, list, verify, delete, import a mongodump \
                 folder, and restore one (rollback option 2) with live progress."
            }
            Self::Checklist => {
                "The production deployment checklist, each item ticked by a person with name and \
                 time, or proven by the app with a link to its evidence."
            }
            Self::Duplicates => {
                "Duplicated values of every unique key the migration adds (tasks.clientId, \
                 focus_sessions.clientId, devices.deviceId), with nulls and missing fields counted apart."
            }
            Self::Devices => {
                "Device registrations: the total, by platform and app version, new per day, and \
                 active in the last 24 hours and 7 days."
            }
            Self::Monitor => {
                "Live charts of the database server and this app's connection pool: connections, \
                 operations and latency by type, sync activity and device registrations."
            }
            Self::ForestApi => {
                "The Forest API's health endpoint probed on demand and every minute during a \
                 deployment, and its server's logs: errors, warnings, Tasks synced and sync \
                 conflicts per minute, the conflict rate per synced task, the sync routes' \
                 requests per minute, p50/p95/p99 response times and server-error share from \
                 its request logs, with the latest error lines."
            }
            Self::Prisma => {
                "The Forest schema.prisma against the database and the migration: what a later \
                 `prisma db push` would drop, create or fail on, and the schema edit that keeps \
                 the migration's indexes."
            }
            Self::Audit => "Every action taken in the app: who, when, on what, and how it ended.",
            Self::Report => {
                "The whole deployment in time order to share: backups, steps with each change's \
                 timing, ticks, acknowledgements, approvals, rollbacks, failing probes and alerts, \
                 with the Monitor's charts; as one HTML file, Markdown or JSON."
            }
        }
    }
}
