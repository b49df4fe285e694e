//! The HTTP server: shared state, the router (pages, server functions,
//! JSON routes, request tracing), and starting and stopping it.

mod application;
mod csrf;
mod downloads;
mod health_route;
mod router;
mod state;

pub use application::Application;
pub use router::router;
pub use state::AppState;
