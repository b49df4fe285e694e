//! Downloads for signed-in people: `GET /audit.csv` (the filtered audit
//! log), `GET /duplicates.csv?key=tasks.clientId` (every duplicate group of
//! one unique key), the deployment report as `GET /report.html` (one file
//! with its charts), `/report.md` and `/report.json`, and, for release
//! managers, `GET /dedupe.csv?keep=oldest` (every document a duplicate
//! cleanup would change).

use super::AppState;
use super::envelope::RouteError;
use super::signed_in::signed_in;
use crate::model::{AuditFilter, DeploymentReport, ReportPage, Role};
use crate::ops::report::Format;
use crate::ops::{OpsError, audit, dedupe, duplicates};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

pub async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<AuditFilter>,
) -> Result<Response, RouteError> {
    let export = async {
        let entries = audit::list(&state.db, &filter).await?;
        audit::to_csv(&entries)
    };
    download(&state, &headers, Role::Viewer, "audit.csv", CSV, export).await
}

#[derive(Debug, Deserialize)]
pub struct DuplicatesQuery {
    key: String,
}

pub async fn duplicates_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DuplicatesQuery>,
) -> Result<Response, RouteError> {
    let export = async {
        let report =
            duplicates::report(&state.db, state.migration, &query.key, ReportPage::ALL).await?;
        duplicates::to_csv(&report)
    };
    let filename = format!(
        "duplicates-{}.csv",
        query.key.replace(['"', '/', '\\'], "_")
    );
    download(&state, &headers, Role::Viewer, &filename, CSV, export).await
}

#[derive(Debug, Deserialize)]
pub struct DedupeQuery {
    #[serde(default)]
    keep: String,
    drop_identical: Option<bool>,
}

pub async fn dedupe_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<DedupeQuery>,
) -> Result<Response, RouteError> {
    let export = async {
        let options = dedupe::Options::parse(&query.keep, query.drop_identical)?;
        let plan = dedupe::plan(&state.db, state.migration, options, ReportPage::ALL).await?;
        dedupe::to_csv(&plan)
    };
    let role = Role::ReleaseManager;
    download(&state, &headers, role, "dedupe-plan.csv", CSV, export).await
}

const CSV: &str = "text/csv; charset=utf-8";

pub async fn report_html(
    state: State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RouteError> {
    report_download(state, headers, Format::Html).await
}

pub async fn report_markdown(
    state: State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RouteError> {
    report_download(state, headers, Format::Markdown).await
}

pub async fn report_json(
    state: State<AppState>,
    headers: HeaderMap,
) -> Result<Response, RouteError> {
    report_download(state, headers, Format::Json).await
}

async fn report_download(
    State(state): State<AppState>,
    headers: HeaderMap,
    format: Format,
) -> Result<Response, RouteError> {
    let export = async {
        let report = state.report().await?;
        render_report(report, format, &state.link_base())
    };
    let (filename, content_type) = format.file();
    download(
        &state,
        &headers,
        Role::Viewer,
        filename,
        content_type,
        export,
    )
    .await
}

/// `report` in `format`; links start with `link_base`. The downloads and
/// `forest-runbook report` write the same.
pub fn render_report(
    report: DeploymentReport,
    format: Format,
    link_base: &str,
) -> Result<String, OpsError> {
    Ok(match format {
        Format::Html => crate::app::report_document(report, link_base),
        Format::Markdown => crate::ops::report::to_markdown(&report, link_base),
        Format::Json => serde_json::to_string_pretty(&report)
            .map_err(|error| OpsError::Internal(error.to_string()))?,
    })
}

/// Answers `export` as an attachment of `content_type` to a caller signed
/// in with at least `role`; 401 or 403 to anyone else, 400 for bad input,
/// 503 when the database cannot be read.
async fn download(
    state: &AppState,
    headers: &HeaderMap,
    role: Role,
    filename: &str,
    content_type: &str,
    export: impl Future<Output = Result<String, OpsError>>,
) -> Result<Response, RouteError> {
    let body = match signed_in(state, headers).await {
        Ok(Some(user)) if user.role.includes(role) => export.await,
        Ok(Some(_)) => return Err(RouteError::forbidden("Your role cannot download this.")),
        Ok(None) => return Err(RouteError::signed_out()),
        Err(error) => Err(error),
    };
    let body = body.map_err(|error| match error {
        OpsError::InvalidInput { field, message } => RouteError::invalid_input(field, &message),
        error => RouteError::unavailable(
            "EXPORT_UNAVAILABLE",
            "The export cannot be read right now.",
            "export failed",
            &error,
        ),
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response())
}
