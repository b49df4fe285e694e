//! Where server-side errors become `AppError`: internal causes are logged
//! with an incident id and only the id crosses to the browser.

use crate::model::AppError;
use crate::ops::OpsError;
use crate::server::AppState;
use leptos::prelude::use_context;

/// The app state the router provides to every server function.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| internal(&"the app state is missing from the context"))
}

/// Maps an operation's error to what the browser is shown.
pub fn to_app_error(error: OpsError) -> AppError {
    if error.is_unreachable() {
        return AppError::DatabaseUnreachable {
            message: error.to_string(),
        };
    }
    internal(&error)
}

fn internal(cause: &dyn std::fmt::Display) -> AppError {
    let incident_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(%incident_id, cause = %cause, "internal error answered opaquely");
    AppError::Internal { incident_id }
}
