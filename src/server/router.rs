//! The router: pages rendered by Leptos, server functions, JSON routes, and
//! around every request a tracing span with a request id, then the guards:
//! a known host, a same-site origin for changes, a bounded body; a change
//! then runs to its end even when its request is dropped.

use super::AppState;
use super::body_limit::bounded_body;
use super::changes_route::changes;
use super::compressed::bundle;
use super::csrf::same_origin_only;
use super::downloads::{
    audit_csv, dedupe_csv, duplicates_csv, report_html, report_json, report_markdown,
};
use super::finish_dropped::finished_when_dropped;
use super::health_route::health;
use super::host_check::known_host_only;
use super::monitor_routes::{events, metrics};
use super::status_route::status;
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
        .route("/api/status", get(status))
        .route("/audit.csv", get(audit_csv))
        .route("/duplicates.csv", get(duplicates_csv))
        .route("/dedupe.csv", get(dedupe_csv))
        .route("/report.html", get(report_html))
        .route("/report.md", get(report_markdown))
        .route("/report.json", get(report_json))
        .route("/api/changes", get(changes))
        .route("/api/monitor/events", get(events))
        .route("/metrics", get(metrics))
        .nest_service(
            &format!("/{}", state.settings.site.pkg_dir),
            bundle(&state.settings.site),
        )
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
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    known_host_only,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    same_origin_only,
                ))
                .layer(axum::middleware::from_fn(bounded_body))
                .layer(axum::middleware::from_fn(finished_when_dropped)),
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
