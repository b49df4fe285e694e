//! `GET /api/changes`: the change watcher's announcements as server-sent
//! events, for signed-in people. Each event is `event: changed` with
//! `{"version": n, "areas": [...]}`: area names only, never data, so the
//! sessions are re-checked only every `PAGE_SESSION_CHECK`, all together
//! (`live_sessions.rs`), and a viewer adds no database read. The first event has no areas and
//! the current version: a browser that reconnects and sees another
//! version than its last one missed announcements and reads every area
//! again. It is its own stream, not events on the monitor's, because
//! every page listens to it and the monitor's starts with its whole
//! window; both share the sign-in check and the end with the session.

use super::AppState;
use super::envelope::RouteError;
use super::signed_in::watched_session;
use crate::changes::Changes;
use crate::model::{Area, Changed};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use tokio::sync::broadcast::error::RecvError;

pub async fn changes(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RouteError> {
    let session = watched_session(&state, &headers, &state.page_sessions).await?;
    let live = announcements(state.changes.clone()).take_until(session.ended());
    Ok(Sse::new(live)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The events one subscriber receives: the version, then each announcement.
fn announcements(
    changes: Changes,
) -> impl futures_util::Stream<Item = Result<Event, axum::Error>> + Send + 'static {
    let (version, receiver) = changes.subscribe();
    let greeting = Changed {
        version,
        areas: Vec::new(),
    };
    stream::unfold(
        (Some(greeting), receiver, changes),
        |(greeting, mut receiver, changes)| async move {
            let changed = match greeting {
                Some(greeting) => greeting,
                None => match receiver.recv().await {
                    Ok(changed) => (*changed).clone(),
                    // Fell behind: any area may have changed.
                    Err(RecvError::Lagged(_)) => {
                        let (version, fresh) = changes.subscribe();
                        receiver = fresh;
                        Changed {
                            version,
                            areas: Area::ALL.to_vec(),
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
            };
            let event = Event::default().event("changed").json_data(&changed);
            Some((event, (None, receiver, changes)))
        },
    )
}
