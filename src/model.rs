//! Plain serde types shared by the server and the browser: what the pages
//! show and what the JSON endpoints answer. No behaviour beyond formatting.

mod error;
mod health;

pub use error::AppError;
pub use health::{DatabaseHealth, HealthReport, HealthStatus, MigrationHealth, MigrationState};
