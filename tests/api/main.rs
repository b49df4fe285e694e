//! Integration tests against a real MongoDB-wire server (`secantusd-rs`),
//! one server per test binary and one database per test.

mod accounts;
mod backup;
mod backup_input;
mod checklist;
mod demo_data;
mod embedded;
mod forest_api;
mod forest_logs;
mod four_eyes;
mod health;
mod helpers;
mod lock;
mod migration;
mod monitor;
mod prisma;
mod prisma_dmmf;
mod process;
mod reports;
mod roles;
mod sign_in;
mod status;
