//! `AppState`: what every page render, server function and route shares.

use super::live_sessions::LiveSessions;
use crate::auth::LoginLimiter;
use crate::changes::{CHANGES_EVERY, Changes, Watched};
use crate::config::Settings;
use crate::db::Database;
use crate::forest::{LogWatcher, Prober};
use crate::model::Checklist;
use crate::monitor::Monitor;
use crate::ops::Coalesced;
use crate::ops::backup::{BackupStore, Jobs};
use crate::ops::migration::Migration;
use crate::ops::prisma::PrismaSource;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub settings: Arc<Settings>,
    /// The migration this deployment carries (`ops::migration::current`).
    pub migration: &'static Migration,
    pub started_at: Instant,
    pub limiter: LoginLimiter,
    /// The one sampler every dashboard and `/metrics` read from.
    pub monitor: Monitor,
    /// The one watcher that tells every page which of its areas changed.
    pub changes: Changes,
    /// The Forest API's prober and the Forest server's log watcher.
    pub prober: Prober,
    pub forest_logs: LogWatcher,
    pub backups: BackupStore,
    /// Where the Forest schema.prisma is.
    pub prisma: PrismaSource,
    /// Backup and restore jobs of every instance, and their progress.
    pub jobs: Jobs,
    /// The sessions of the monitor's streams, checked once a sample, and
    /// of the pages' change streams, checked every `PAGE_SESSION_CHECK`.
    pub monitor_sessions: LiveSessions,
    pub page_sessions: LiveSessions,
    /// The checklist reads under way, shared by the pages that ask at once.
    pub checklist_reads: Arc<Coalesced<Checklist>>,
}

/// How often the sessions of the pages' change streams are checked again.
pub const PAGE_SESSION_CHECK: Duration = Duration::from_secs(30);

impl AppState {
    /// Also starts the monitor's sampler, the change watcher, the live
    /// streams' session checks and the webhooks' delivery tasks, so it must run inside a tokio runtime.
    /// `db` is given the webhooks' outbox, so every step run through this
    /// state is announced.
    pub fn new(settings: Settings, db: Database) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("forest-runbook")
            .site_root(settings.site.root.to_string_lossy().into_owned())
            .site_pkg_dir(settings.site.pkg_dir.clone())
            .site_addr(settings.server.address)
            .build();
        let link_base = settings.notify.link_base(settings.server.address);
        let outbox = crate::notify::start(&settings.notify, &link_base, &db);
        let db = db.with_outbox(outbox);
        let migration = crate::ops::migration::current();
        let monitor = Monitor::start(
            db.clone(),
            migration,
            settings.sample_interval(),
            settings.count_interval(),
            settings.history_kept(),
        );
        let backups = BackupStore::from_settings(&settings);
        let prisma = PrismaSource::from_settings(&settings);
        let forest_logs = LogWatcher::new(&settings.forest_logs);
        let changes = Changes::start(
            Watched {
                db: db.clone(),
                backups: backups.clone(),
                logs: forest_logs.clone(),
            },
            CHANGES_EVERY,
        );
        Self {
            monitor_sessions: LiveSessions::start(db.clone(), settings.sample_interval()),
            page_sessions: LiveSessions::start(db.clone(), PAGE_SESSION_CHECK),
            prober: Prober::new(settings.forest_api.clone()),
            forest_logs,
            leptos_options,
            monitor,
            changes,
            jobs: Jobs::new(db.clone()),
            db,
            settings: Arc::new(settings),
            migration,
            started_at: Instant::now(),
            limiter: LoginLimiter::default(),
            backups,
            prisma,
            checklist_reads: Arc::default(),
        }
    }

    /// Starts the background watchers: the log folder, and the probe
    /// rounds while a deployment is in progress.
    /// What the checklist reads its evidence from besides the database.
    pub fn watched(&self) -> crate::ops::checklist::Watched<'_> {
        crate::ops::checklist::Watched {
            logs: &self.forest_logs,
            backups: &self.backups,
            reads: &self.checklist_reads,
        }
    }

    /// What a rehearsal reads and where its copy goes.
    pub fn rehearsing(&self) -> crate::ops::rehearsal::Rehearsing {
        crate::ops::rehearsal::Rehearsing {
            db: self.db.clone(),
            backups: self.backups.clone(),
            prisma: self.prisma.clone(),
            staging: crate::ops::rehearsal::Staging::new(&self.settings.staging.uri),
        }
    }

    /// The deployment at a glance, as the Home page and `/api/status` show it.
    pub async fn status(&self) -> Result<crate::model::DeploymentStatus, crate::ops::OpsError> {
        crate::ops::status::status(
            &self.db,
            self.migration,
            self.watched(),
            &self.monitor.window(),
        )
        .await
    }

    pub async fn report(&self) -> Result<crate::model::DeploymentReport, crate::ops::OpsError> {
        crate::ops::report::report(
            &self.db,
            self.migration,
            crate::ops::history::now_ms(),
            self.settings.monitor.history_days,
        )
        .await
    }

    /// Where links in what the app writes for elsewhere (notices, the
    /// report's downloads) point.
    pub fn link_base(&self) -> String {
        self.settings.notify.link_base(self.settings.server.address)
    }

    pub fn start_watchers(&self) {
        self.forest_logs.spawn();
        tokio::spawn(crate::ops::forest_api::probe_during_deployments(
            self.db.clone(),
            self.migration,
            self.prober.clone(),
        ));
        if !self.db.outbox().webhooks().is_empty() {
            tokio::spawn(crate::ops::thresholds::announce_breaches(
                self.db.clone(),
                self.monitor.clone(),
            ));
        }
        tokio::spawn(crate::ops::forest_api::keep_error_counts(
            self.db.clone(),
            self.migration,
            self.forest_logs.clone(),
            std::time::Duration::from_secs(30),
        ));
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
