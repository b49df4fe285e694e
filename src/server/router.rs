//! The router: pages rendered by Leptos, server functions, JSON routes, and
//! a tracing span with a request id around every request.

use super::AppState;
use super::csrf::same_origin_only;
use super::downloads::{audit_csv, dedupe_csv, duplicates_csv};
use super::health_route::health;
use super::monitor_routes::{events, metrics};
use crate::app::{App, shell};
use axum::Router;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let fallback_state = state.clone();
    Router::new()
        .route("/api/health", get(health))
        .route("/audit.csv", get(audit_csv))
        .route("/duplicates.csv", get(duplicates_csv))
        .route("/dedupe.csv", get(dedupe_csv))
        .route("/api/monitor/events", get(events))
        .route("/metrics", get(metrics))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        // The not-found page renders the app too, and its parts need the state.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || leptos::prelude::provide_context(fallback_state.clone()),
            shell,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(axum::middleware::from_fn(same_origin_only)),
        )
        .with_state(state)
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
}
