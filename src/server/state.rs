//! `AppState`: what every page render, server function and route shares.

use crate::auth::LoginLimiter;
use crate::config::Settings;
use crate::db::Database;
use crate::ops::backup::{BackupStore, Jobs};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Database,
    pub settings: Arc<Settings>,
    pub started_at: Instant,
    pub limiter: Arc<LoginLimiter>,
    pub backups: BackupStore,
    /// The latest backup or restore and its progress.
    pub jobs: Arc<Jobs>,
}

impl AppState {
    pub fn new(settings: Settings, db: Database) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("forest-runbook")
            .site_root(settings.site.root.to_string_lossy().into_owned())
            .site_pkg_dir(settings.site.pkg_dir.clone())
            .site_addr(settings.server.address)
            .build();
        let backups = BackupStore::from_settings(&settings);
        Self {
            leptos_options,
            db,
            settings: Arc::new(settings),
            started_at: Instant::now(),
            limiter: Arc::default(),
            backups,
            jobs: Arc::default(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
