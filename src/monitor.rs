//! Live monitoring: one sampler task reads the database server's
//! `serverStatus`, this app's driver events, the sync counts and the
//! migration's state every interval, keeps the last 15 minutes as bounded
//! rings, and broadcasts each sample to every subscriber. Knows no HTTP or
//! Leptos; talks to MongoDB only through `db`.

mod hub;
mod prometheus;
pub mod rate;
mod reading;
mod sample;

pub use hub::{Monitor, Published};
pub use prometheus::render as render_prometheus;
pub use reading::Reading;
