//! Server functions: each checks the caller, calls `ops`, and maps the
//! error to `AppError`. A few lines each; the logic lives in `ops`.

#[cfg(feature = "ssr")]
mod edge;
mod health;

pub use health::get_health;
