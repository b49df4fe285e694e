//! Whether one answer of the Forest API passes, and why or why not, in
//! words a person can act on. Pure: no network here.

use serde_json::Value;

/// What came back from one request.
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: &'a str,
    /// The `Location` header of a redirect that was not followed.
    pub location: Option<&'a str>,
    pub body: &'a [u8],
    /// True when the body was longer than the limit and not read to its end.
    pub truncated: bool,
}

/// Judges `answer` against the expected status and, for the health
/// endpoint, the Forest health shape. Returns (passed, reason).
pub fn judge(expected_status: u16, health: bool, answer: &Answer<'_>) -> (bool, String) {
    let json: Option<Value> = serde_json::from_slice(answer.body).ok();
    if answer.status != expected_status {
        let mut reason = format!(
            "answered {}, expected {expected_status}",
            status_words(answer.status)
        );
        if let Some(location) = answer.location {
            reason += &format!(": redirected to {location} on another host, not followed");
        } else if let Some(error) = json.as_ref().filter(|_| health).and_then(error_of) {
            reason += &format!(": success: false: {error}");
        }
        return (false, reason);
    }
    if !health {
        return (
            true,
            format!("answered {} as expected", status_words(answer.status)),
        );
    }
    if answer.truncated {
        return (
            false,
            format!(
                "the body is longer than {} bytes; not read to its end",
                answer.body.len()
            ),
        );
    }
    let Some(json) = json else {
        return (false, not_json(answer));
    };
    match json.get("success") {
        Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => {
            let error = error_of(&json).unwrap_or_else(|| "no error given".to_owned());
            return (false, format!("success: false: {error}"));
        }
        _ => {
            return (
                false,
                "wrong shape: no boolean `success` field (is this the Forest API?)".to_owned(),
            );
        }
    }
    match json.pointer("/data/status").and_then(Value::as_str) {
        Some("healthy") => (true, "healthy".to_owned()),
        Some(other) => (
            false,
            format!("data.status is {other:?}, expected \"healthy\""),
        ),
        None => (false, "wrong shape: no `data.status` string".to_owned()),
    }
}

fn status_words(status: u16) -> String {
    let words = match status {
        200 => "OK",
        204 => "No Content",
        301 | 302 | 303 | 307 | 308 => "redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if words.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status} {words}")
    }
}

/// The error a Forest answer carries: `error` as text or `{message}`, or `message`.
fn error_of(json: &Value) -> Option<String> {
    let error = json.get("error").or_else(|| json.get("message"))?;
    match error {
        Value::String(text) => Some(text.clone()),
        Value::Object(fields) => fields
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| Some(error.to_string())),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn not_json(answer: &Answer<'_>) -> String {
    let text = String::from_utf8_lossy(answer.body);
    if answer.content_type.contains("html") || text.trim_start().starts_with('<') {
        "answered HTML, not JSON: is this address the Forest API (and not a proxy's page)?"
            .to_owned()
    } else if text.trim().is_empty() {
        "answered an empty body, not JSON".to_owned()
    } else {
        format!(
            "answered something that is not JSON: {}",
            excerpt(&text, 80)
        )
    }
}

/// The first `chars` characters of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer<'_> {
        Answer {
            status,
            content_type: "application/json",
            location: None,
            body: body.as_bytes(),
            truncated: false,
        }
    }

    fn reason(status: u16, body: &str) -> (bool, String) {
        judge(200, true, &answer(status, body))
    }

    #[test]
    fn the_forest_health_shape_passes_and_each_departure_says_what_is_wrong() {
        let healthy = r#"{"success":true,"data":{"status":"healthy","uptime":3}}"#;
        assert_eq!(reason(200, healthy), (true, "healthy".into()));
        assert_eq!(
            reason(503, r#"{"success":false,"error":"database unreachable"}"#),
            (
                false,
                "answered HTTP 503 Service Unavailable, expected 200: success: false: database unreachable"
                    .into()
            )
        );
        assert_eq!(
            reason(200, r#"{"success":false,"error":{"message":"db down"}}"#).1,
            "success: false: db down"
        );
        assert!(reason(200, r#"{"ok":true}"#).1.starts_with("wrong shape"));
        assert!(
            reason(200, r#"{"success":true,"data":{}}"#)
                .1
                .contains("data.status")
        );
        assert_eq!(
            reason(200, r#"{"success":true,"data":{"status":"degraded"}}"#).1,
            "data.status is \"degraded\", expected \"healthy\""
        );
        assert!(
            reason(200, "<html><body>502</body></html>")
                .1
                .contains("HTML")
        );
        assert!(reason(200, "{\"success\":tr").1.contains("not JSON"));
    }

    #[test]
    fn other_endpoints_need_only_their_status_and_redirects_name_their_target() {
        assert!(judge(401, false, &answer(401, "")).0);
        let moved = Answer {
            location: Some("https://elsewhere.example/login"),
            ..answer(302, "")
        };
        let (passed, why) = judge(200, true, &moved);
        assert!(!passed);
        assert!(why.contains("elsewhere.example"), "{why}");
        let long = Answer {
            truncated: true,
            ..answer(200, "{")
        };
        assert!(judge(200, true, &long).1.contains("longer than"));
    }

    #[test]
    fn excerpts_cut_on_character_boundaries() {
        assert_eq!(excerpt("héllo", 2), "hé…");
        assert_eq!(excerpt("hi", 5), "hi");
    }
}
