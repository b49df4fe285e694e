//! Read-only reports for everyone signed in: the duplicates of each new
//! unique key, and the device registrations.

use crate::model::{AppError, DeviceStats, DuplicateReport};
use leptos::prelude::*;

/// Groups listed per key on one page.
pub const PAGE_SIZE: u64 = 25;

/// Every key's report; the key named `key` lists its groups from `offset`.
#[server(endpoint = "get_duplicates")]
pub async fn get_duplicates(
    #[server(default)] key: String,
    #[server(default)] offset: u64,
) -> Result<Vec<DuplicateReport>, AppError> {
    use super::edge;
    use crate::model::ReportPage;
    use crate::ops::duplicates;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::DuplicatesRead,
    )
    .await?;
    if !key.is_empty() {
        duplicates::unique_key(edge::state()?.migration, &key).map_err(edge::respond)?;
    }
    let page = |of: &str| ReportPage {
        offset: if of == key { offset } else { 0 },
        limit: PAGE_SIZE,
    };
    let reports = duplicates::reports(&edge::state()?.db, edge::state()?.migration, page)
        .await
        .map_err(edge::respond)?;
    Ok(reports)
}

#[server(endpoint = "get_devices")]
pub async fn get_devices() -> Result<DeviceStats, AppError> {
    use super::edge;
    edge::require(
        crate::model::Role::Viewer,
        crate::model::Action::DevicesRead,
    )
    .await?;
    crate::ops::devices::stats(&edge::state()?.db)
        .await
        .map_err(edge::respond)
}
