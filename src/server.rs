//! The HTTP server: shared state, the router (pages, server functions,
//! JSON routes, the pages' change events, the monitor's live events and
//! /metrics, request tracing), and starting and stopping it.

mod application;
mod body_limit;
mod changes_route;
mod client;
mod compressed;
mod csrf;
mod downloads;
mod envelope;
mod finish_dropped;
mod health_route;
mod host_check;
mod live_sessions;
mod monitor_routes;
mod router;
mod signed_in;
mod state;
mod status_route;

pub use application::Application;
pub use client::{address_key, client_ip};
pub use downloads::render_report;
pub use monitor_routes::subscription;
pub use router::router;
pub use state::AppState;
