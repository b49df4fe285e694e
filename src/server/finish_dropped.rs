//! A change (any request but GET, HEAD or OPTIONS) runs on a task of its
//! own and the request waits for it. A browser that goes away mid-request
//! (a closed tab, a page navigated away while its form was posting) drops
//! the request, but not the change: it is neither stopped between two of
//! its writes (a tick written and its audit record not, a backup's folder
//! made and its lock never released) nor left for the lock's lease to
//! expire. Whoever opens the page again sees how it ended.

use super::envelope::RouteError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

pub async fn finished_when_dropped(request: Request, next: Next) -> Response {
    if request.method().is_safe() {
        return next.run(request).await;
    }
    let change = next.run(request).instrument(tracing::Span::current());
    match tokio::spawn(change).await {
        Ok(response) => response,
        Err(stopped) => {
            RouteError::internal("a change's handler stopped", &stopped).into_response()
        }
    }
}
