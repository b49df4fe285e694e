//! The Forest API's envelope, which the plain routes and the guards (all
//! that is not a server function) answer in: `{"success": true, "data"}`,
//! or a `RouteError` as `{"success": false, "error": {"code", "message"}}`
//! with the status that goes with it. An internal cause goes to the log
//! under an incident id; only the id (`error.incidentId`) reaches the caller.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use std::borrow::Cow;

/// `data` in the envelope, with 200.
pub fn success(data: impl Serialize) -> Response {
    Json(json!({ "success": true, "data": data })).into_response()
}

#[derive(Debug)]
pub struct RouteError {
    status: StatusCode,
    code: &'static str,
    message: Cow<'static, str>,
    incident_id: Option<String>,
    /// Tells the caller a bearer token is accepted (`WWW-Authenticate`).
    bearer: bool,
}

impl RouteError {
    /// A refusal with a fixed status, code and message.
    pub fn refused(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            incident_id: None,
            bearer: false,
        }
    }

    /// 401: no session.
    pub fn signed_out() -> Self {
        Self::refused(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Please sign in first.",
        )
    }

    /// 401 to a caller that may send a bearer token instead of signing in.
    pub fn token_required(message: &'static str) -> Self {
        Self {
            bearer: true,
            ..Self::refused(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", message)
        }
    }

    /// 403: signed in, or local, but not allowed.
    pub fn forbidden(message: &'static str) -> Self {
        Self::refused(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    /// 400: `field` is wrong, as `message` says.
    pub fn invalid_input(field: &str, message: &str) -> Self {
        Self::refused(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            format!("{field}: {message}"),
        )
    }

    /// 500: the route's own work stopped (it panicked). `cause` is logged
    /// under a new incident id, with `context` as the log line.
    pub fn internal(context: &str, cause: &dyn std::fmt::Display) -> Self {
        Self {
            incident_id: Some(crate::telemetry::incident(context, cause)),
            ..Self::refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the server stopped while handling this request",
            )
        }
    }

    /// 503: something this route needs cannot be read. `cause` is logged
    /// under a new incident id, with `context` as the log line.
    pub fn unavailable(
        code: &'static str,
        message: &'static str,
        context: &str,
        cause: &dyn std::fmt::Display,
    ) -> Self {
        Self {
            incident_id: Some(crate::telemetry::incident(context, cause)),
            ..Self::refused(StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(id) = self.incident_id {
            error["incidentId"] = id.into();
        }
        let body = Json(json!({ "success": false, "error": error }));
        if self.bearer {
            (self.status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response()
        } else {
            (self.status, body).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn answer(error: RouteError) -> (StatusCode, Option<String>, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let challenge = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes).expect("a JSON envelope");
        (status, challenge, body)
    }

    #[tokio::test]
    async fn every_refusal_is_the_envelope_with_its_status() {
        let (status, challenge, body) = answer(RouteError::signed_out()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(challenge, None);
        assert_eq!(body["success"], false);
        assert_eq!(body["error"]["code"], "UNAUTHENTICATED");
        assert_eq!(body["error"]["message"], "Please sign in first.");

        let (status, challenge, _) = answer(RouteError::token_required("Send the token.")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(challenge.as_deref(), Some("Bearer"));

        let (status, _, body) = answer(RouteError::invalid_input("key", "no such key")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["message"], "key: no such key");
    }

    #[tokio::test]
    async fn a_failure_shows_an_incident_id_and_not_its_cause() {
        let cause = "connection refused by db.internal:27017";
        let failed =
            RouteError::unavailable("DB_DOWN", "The database does not answer.", "t", &cause);
        let (status, _, body) = answer(failed).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            body["error"]["incidentId"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
        assert!(!body.to_string().contains("db.internal"));
    }
}
