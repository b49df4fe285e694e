//! Plain serde types shared by the server and the browser: what the pages
//! show and what the JSON endpoints answer. No behaviour beyond formatting.

mod action;
mod approval;
mod area;
mod audit;
mod auth;
mod backup;
mod checklist;
mod dedupe;
mod devices;
mod duplicates;
mod error;
mod forest_api;
mod forest_pool;
mod health;
mod migration;
mod monitor;
mod notify;
mod prisma;
mod rehearsal;
mod report;
mod setting;
mod status;

pub use action::Action;
pub use approval::{AppSettings, Approval};
pub use area::{Area, Changed};
pub use audit::{AuditEntry, AuditFilter, Outcome};
pub use auth::{CurrentUser, Role, UserSummary};
pub use backup::{
    BackupCollection, BackupFile, BackupState, CollectionProgress, JobKind, JobProgress, JobState,
    Manifest, MigrationAtBackup, OptionNotice, RestoreReport,
};
pub use checklist::{
    Acknowledgement, Checklist, ChecklistItem, Evidence, ItemStatus, Readiness, Tick,
};
pub use dedupe::{
    DedupeAction, DedupeChange, DedupeOutcome, DedupePlan, KeepRule, KeyCleanup, UndoOutcome,
};
pub use devices::{DAYS, DeviceStats, LabelledCount};
pub use duplicates::{
    DuplicateGroup, DuplicateReport, IDS_PER_GROUP, RECOUNT_AFTER, ReportPage, WHY_NOT_COUNTED,
};
pub use error::AppError;
pub use forest_api::{
    ErrorLine, ErrorsSince, LogSnapshot, LogStatus, MinuteCounts, ProbeOverview, ProbeResult,
    RouteStats,
};
pub use forest_pool::{PoolFigures, PoolMinute, PoolReading, PrismaPool};
pub use health::{DatabaseHealth, HealthReport, HealthStatus, MigrationHealth, MigrationState};
pub use migration::{
    Blocker, ChangeOutcome, ChangeResult, ChangeStatus, LockHolder, Plan, PlanRecord,
    PlannedChange, RunKind, RunRecord, RunState, RunbookOverview, Verification, VerifyCheck,
};
pub use monitor::{
    Alert, Bound, Compared, Comparison, HistoryRange, MAX_POINTS, MigrationProgress,
    MonitorHistory, MonitorOverview, Point, Ring, Sample, Series, Span, Summary, Threshold,
    WINDOW_SECS, Window, breaches, group_of,
};
pub use notify::{Notice, NoticeKind, NotificationDelivery, NotificationsOverview};
pub use prisma::{
    FieldRow, IndexRow, ModelComparison, PrismaReport, PrismaVersion, PushAction, PushRule,
    PushStep, SchemaEdit, SchemaState, StepOutcome,
};
pub use rehearsal::{
    Rehearsal, RehearsalOverview, RehearsalPreview, RehearsalState, RehearsalStep, StepRecord,
    StepState,
};
pub use report::{DeploymentReport, EventSource, MAX_EVENTS, ReportEvent, ReportTally, duration};
pub use setting::{ENV_PREFIX, setting_variable};
pub use status::{Call, ChecklistGlance, DeploymentStatus, LogGlance, Verdict, verdict};
