//! Notices the app sends to webhooks, and the record of each delivery that
//! admins read on the Settings page.

use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    StepStarted,
    StepEnded,
    StepFailed,
    ApprovalRequested,
    ThresholdBreached,
    ProbeFailed,
    /// An admin's "send a test notification".
    Test,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StepStarted => "step_started",
            Self::StepEnded => "step_ended",
            Self::StepFailed => "step_failed",
            Self::ApprovalRequested => "approval_requested",
            Self::ThresholdBreached => "threshold_breached",
            Self::ProbeFailed => "probe_failed",
            Self::Test => "test",
        }
    }
}

/// One event worth telling people about, before it is shaped into a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The step (`migrate`, `backup`, ...) for step notices.
    pub step: Option<String>,
    pub actor: String,
    /// `ok`, `failed`, `denied` once a step has ended.
    pub outcome: Option<String>,
    /// One sentence a person reads in a chat.
    pub message: String,
    /// RFC 3339.
    pub at: String,
    /// The page that shows it, as a path (`/runbook`).
    pub path: String,
}

/// How one notice's delivery to one webhook ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationDelivery {
    /// RFC 3339: when the delivery ended (delivered or given up).
    pub at: String,
    /// The webhook's scheme and host only.
    pub webhook: String,
    pub format: String,
    pub kind: NoticeKind,
    pub step: Option<String>,
    pub message: String,
    pub delivered: bool,
    pub attempts: u32,
    /// The last answer's HTTP status, when one came.
    pub status: Option<u16>,
    pub last_error: Option<String>,
    /// Notices dropped for this webhook (its queue was full) since the
    /// delivery recorded before this one.
    pub dropped_before: u64,
}

/// What the Settings page shows admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsOverview {
    /// Each webhook as `FORMAT scheme://host/…`.
    pub webhooks: Vec<String>,
    /// Notices dropped since the app started, all webhooks together.
    pub dropped: u64,
    /// Newest first.
    pub deliveries: Vec<NotificationDelivery>,
}
