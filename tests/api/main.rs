//! Integration tests against a real MongoDB-wire server (`secantusd-rs`),
//! one server per test binary and one database per test.

mod accounts;
mod backup;
mod backup_input;
mod checklist;
mod checklist_live;
mod dedupe;
mod demo_data;
mod embedded;
mod forest_api;
mod forest_logs;
mod four_eyes;
mod health;
mod helpers;
mod migrate_guard;
mod migration;
mod monitor;
mod process;
mod reports;
mod roles;
