//! Webhook notifications, for admins: the recent deliveries and a test.

use crate::model::{AppError, NotificationsOverview};
use leptos::prelude::*;

#[server(endpoint = "get_notifications")]
pub async fn get_notifications() -> Result<NotificationsOverview, AppError> {
    use super::edge;
    edge::require(crate::model::Role::Admin, crate::model::Action::NotifyRead).await?;
    crate::ops::notices::overview(&edge::state()?.db)
        .await
        .map_err(edge::respond)
}

#[server(endpoint = "send_test_notification")]
pub async fn send_test_notification() -> Result<(), AppError> {
    use super::edge;
    let actor =
        edge::require_actor(crate::model::Role::Admin, crate::model::Action::NotifyTest).await?;
    crate::ops::notices::send_test(&edge::state()?.db, &actor)
        .await
        .map_err(edge::respond)
}
