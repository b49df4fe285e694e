//! forest-runbook carries the Forest MongoDB database through a schema
//! migration from a browser. This crate root wires the modules together and
//! holds the browser entry point (feature `hydrate`).
//!
//! Modules shared by server and browser: `app` (pages), `api` (server
//! functions), `model` (plain serde types). Server-only modules sit behind
//! the `ssr` feature; see ARCHITECTURE.md for the rules each one keeps.

pub mod api;
pub mod app;
pub mod model;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod changes;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod forest;
#[cfg(feature = "ssr")]
pub mod monitor;
#[cfg(feature = "ssr")]
pub mod notify;
#[cfg(feature = "ssr")]
pub mod ops;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod telemetry;

/// Browser entry point: starts the islands of the server-rendered page (the
/// live refresh, the Monitor's charts); the rest of the page is plain HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
