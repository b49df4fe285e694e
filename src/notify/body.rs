//! The body each webhook format is sent: Slack's `{"text": ...}` with the
//! notice in one line and a link, or the notice's fields as JSON.

use crate::config::WebhookFormat;
use crate::model::{Notice, NoticeKind};
use serde_json::json;

/// `notice` as `format`'s JSON body; `link_base` is prefixed to its page.
pub fn render(format: WebhookFormat, notice: &Notice, link_base: &str) -> String {
    let link = format!("{link_base}{}", notice.path);
    let body = match format {
        WebhookFormat::Slack => json!({
            "text": format!(
                "{} {} <{}|Open in forest-runbook>",
                emoji(notice.kind),
                escape_slack(&notice.message),
                escape_slack(&link),
            )
        }),
        WebhookFormat::Json => json!({
            "event": notice.kind.as_str(),
            "step": notice.step,
            "actor": notice.actor,
            "outcome": notice.outcome,
            "message": notice.message,
            "time": notice.at,
            "link": link,
        }),
    };
    body.to_string()
}

fn emoji(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::StepStarted => ":arrow_forward:",
        NoticeKind::StepEnded => ":white_check_mark:",
        NoticeKind::StepFailed | NoticeKind::ProbeFailed => ":x:",
        NoticeKind::ApprovalRequested => ":eyes:",
        NoticeKind::ThresholdBreached => ":warning:",
        NoticeKind::Test => ":bell:",
    }
}

/// Slack reads `<`, `>` and `&` as markup; text from elsewhere (a backup's
/// name, an error) must not become a link or a mention.
fn escape_slack(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn notice() -> Notice {
        Notice {
            kind: NoticeKind::StepFailed,
            step: Some("restore".into()),
            actor: "ada".into(),
            outcome: Some("failed".into()),
            message: "restore of <!channel> & co failed".into(),
            at: "2026-12-02T10:00:00Z".into(),
            path: "/backups".into(),
        }
    }

    #[test]
    fn slack_gets_one_escaped_line_with_the_link() {
        let body: Value = serde_json::from_str(&render(
            WebhookFormat::Slack,
            &notice(),
            "https://rb.example",
        ))
        .expect("json");
        assert_eq!(
            body,
            json!({"text": ":x: restore of &lt;!channel&gt; &amp; co failed \
                            <https://rb.example/backups|Open in forest-runbook>"})
        );
    }

    #[test]
    fn json_gets_every_field() {
        let body: Value = serde_json::from_str(&render(
            WebhookFormat::Json,
            &notice(),
            "http://127.0.0.1:3000",
        ))
        .expect("json");
        assert_eq!(
            body,
            json!({
                "event": "step_failed",
                "step": "restore",
                "actor": "ada",
                "outcome": "failed",
                "message": "restore of <!channel> & co failed",
                "time": "2026-12-02T10:00:00Z",
                "link": "http://127.0.0.1:3000/backups",
            })
        );
    }
}
