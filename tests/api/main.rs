//! Integration tests against a real MongoDB-wire server (`secantusd-rs`),
//! one server per test binary and one database per test.

mod accounts;
mod allocations;
mod backup;
mod backup_input;
mod backup_room;
mod bomb;
mod bundle;
mod changes;
mod checklist;
mod checklist_live;
mod client_gone;
mod dedupe;
mod demo_data;
mod deployment_cli;
mod dump_reader;
mod duplicate_count;
mod embedded;
mod forest_api;
mod forest_logs;
mod four_eyes;
mod health;
mod helpers;
mod lock;
mod migrate_guard;
mod migration;
mod monitor;
mod monitor_history;
mod notify;
mod prisma;
mod prisma_dmmf;
mod process;
mod rehearsal;
mod report;
mod reports;
mod restore_guard;
mod roles;
mod sign_in;
mod status;
mod stopping;
mod two_instances;

/// Notes allocation sizes for `allocations::largest_allocation`.
#[global_allocator]
static ALLOCATOR: allocations::Probe = allocations::Probe;
