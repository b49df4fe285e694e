//! The monitor's two plain routes: `GET /api/monitor/events`, the live
//! samples as server-sent events for signed-in people, and `GET /metrics`,
//! the same series in Prometheus's text format.
//!
//! Server-sent events rather than a websocket: the data flows one way, the
//! browser's `EventSource` reconnects by itself, it is plain HTTP (proxies,
//! the session cookie and the request-id layer apply unchanged), and axum
//! serves it without another dependency. Each connection first receives
//! the buffered window (`event: window`), then every sample
//! (`event: sample`); a subscriber that falls behind is sent the window again.
//! The stream ends within one sample interval of its session ending: the
//! sessions of all its viewers are checked together once a sample
//! (`live_sessions.rs`), so a hundred viewers cost the database no more
//! than one.
//! (The pages' change announcements are `changes_route.rs`.)

use super::AppState;
use super::client::client_ip;
use super::envelope::RouteError;
use super::signed_in::{bearer_is, watched_session};
use crate::monitor::{Monitor, Published, render_prometheus};
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use secrecy::ExposeSecret;
use std::sync::Arc;
use tokio::sync::broadcast::{Receiver, error::RecvError};

pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RouteError> {
    let session = watched_session(&state, &headers, &state.monitor_sessions).await?;
    let live = subscription(state.monitor.clone()).take_until(session.ended());
    Ok(Sse::new(live)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// The events one subscriber receives: the window, then each sample.
pub fn subscription(
    monitor: Monitor,
) -> impl futures_util::Stream<Item = Result<Event, axum::Error>> + Send + 'static {
    let (window, receiver) = monitor.subscribe();
    let first = Ok(Event::default().event("window").data(&*window));
    stream::unfold(
        (Some(first), receiver, monitor),
        |(first, mut receiver, monitor): (_, Receiver<Arc<Published>>, Monitor)| async move {
            if let Some(first) = first {
                return Some((first, (None, receiver, monitor)));
            }
            let event = match receiver.recv().await {
                Ok(published) => Event::default()
                    .event("sample")
                    .id(published.sample.seq.to_string())
                    .data(&*published.json),
                Err(RecvError::Lagged(_)) => {
                    let (window, fresh) = monitor.subscribe();
                    receiver = fresh;
                    Event::default().event("window").data(&*window)
                }
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(event), (None, receiver, monitor)))
        },
    )
}

/// With no token configured, only this machine may scrape (a proxy on it
/// counts only through `server.trusted_proxies`); with one, every scraper
/// must send it.
pub async fn metrics(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: Extensions,
) -> Result<Response, RouteError> {
    let token = &state.settings.monitor.metrics_token;
    if token.expose_secret().is_empty() {
        let local = client_ip(&state.settings.server, &headers, &extensions)
            .is_some_and(|ip| ip.is_loopback());
        if !local {
            return Err(RouteError::forbidden(
                "Set monitor.metrics_token to scrape /metrics from another machine.",
            ));
        }
    } else if !bearer_is(&headers, token) {
        return Err(RouteError::token_required(
            "This endpoint needs the metrics token.",
        ));
    }
    let monitor = &state.monitor;
    let body = render_prometheus(
        monitor.latest_reading().as_deref(),
        monitor.rounds(),
        monitor.subscribers(),
    );
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}
