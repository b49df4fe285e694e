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
//! The stream ends within one sample interval of its session ending.
//! (The pages' change announcements are `changes_route.rs`.)

use super::AppState;
use super::client::client_ip;
use super::signed_in::{bearer_is, refuse_signed_out, session_ends};
use crate::monitor::{Monitor, render_prometheus};
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use std::sync::Arc;
use tokio::sync::broadcast::{Receiver, error::RecvError};

pub async fn events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refuse_signed_out(&state, &headers).await {
        return refusal;
    }
    let every = state.settings.sample_interval();
    let live = subscription(state.monitor.clone()).take_until(session_ends(state, headers, every));
    Sse::new(live)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The events one subscriber receives: the window, then each sample.
pub fn subscription(
    monitor: Monitor,
) -> impl futures_util::Stream<Item = Result<Event, axum::Error>> + Send + 'static {
    let (window, receiver) = monitor.subscribe();
    let first = Event::default().event("window").json_data(&window);
    stream::unfold(
        (Some(first), receiver, monitor),
        |(first, mut receiver, monitor): (_, Receiver<Arc<_>>, Monitor)| async move {
            if let Some(first) = first {
                return Some((first, (None, receiver, monitor)));
            }
            let event = match receiver.recv().await {
                Ok(sample) => Event::default()
                    .event("sample")
                    .id(sample.seq.to_string())
                    .json_data(&*sample),
                Err(RecvError::Lagged(_)) => {
                    let (window, fresh) = monitor.subscribe();
                    receiver = fresh;
                    Event::default().event("window").json_data(&window)
                }
                Err(RecvError::Closed) => return None,
            };
            Some((event, (None, receiver, monitor)))
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
) -> Response {
    let token = &state.settings.monitor.metrics_token;
    if token.is_empty() {
        let local = client_ip(&state.settings.server, &headers, &extensions)
            .is_some_and(|ip| ip.is_loopback());
        if !local {
            return (
                StatusCode::FORBIDDEN,
                "Set monitor.metrics_token to scrape /metrics from another machine.",
            )
                .into_response();
        }
    } else if !bearer_is(&headers, token) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "This endpoint needs the metrics token.",
        )
            .into_response();
    }
    let monitor = &state.monitor;
    let body = render_prometheus(
        monitor.latest_reading().as_deref(),
        monitor.rounds(),
        monitor.subscribers(),
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
