//! The audit log, readable by every signed-in person.

use crate::model::{AppError, AuditEntry, AuditFilter};
use leptos::prelude::*;

#[server(endpoint = "list_audit")]
pub async fn list_audit(filter: AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
    use super::edge;
    edge::require(crate::model::Role::Viewer, crate::model::Action::AuditList).await?;
    crate::ops::audit::list(&edge::state()?.db, &filter)
        .await
        .map_err(edge::respond)
}
