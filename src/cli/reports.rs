//! The reports on the command line: `duplicates` (exit code 1 when a new
//! unique key has duplicated values) and `devices`, as text or JSON, and
//! the deployment `report` as Markdown, one HTML file or JSON.

use crate::cli::StepArgs;
use crate::cli::steps::print;
use crate::config::Settings;
use crate::db::Database;
use crate::model::{DeviceStats, DuplicateReport, LabelledCount, ReportPage};
use crate::ops::report::{self, Format};
use crate::ops::{OpsError, devices, duplicates, migration};

/// Prints every unique key's duplicates; `Ok(false)` when any has some.
pub async fn duplicates(db: &Database, args: &StepArgs) -> Result<bool, OpsError> {
    let migration = migration::find(&args.migration)?;
    let reports = duplicates::reports(db, migration, |_| ReportPage::ALL).await?;
    print(args.json, &reports, render_duplicates)?;
    Ok(reports
        .iter()
        .all(|r| r.duplicated_values == 0 && !r.time_limited))
}

/// The deployment report of the current migration in `format`, as of now.
pub async fn deployment(
    db: &Database,
    settings: &Settings,
    format: Format,
) -> Result<String, OpsError> {
    let now = crate::ops::history::now_ms();
    let keep_days = settings.monitor.history_days;
    let report = report::report(db, migration::current(), now, keep_days).await?;
    let link_base = settings.notify.link_base(settings.server.address);
    crate::server::render_report(report, format, &link_base)
}

pub async fn devices(db: &Database, json: bool) -> Result<(), OpsError> {
    let stats = devices::stats(db).await?;
    print(json, &stats, render_devices)
}

fn render_duplicates(reports: &Vec<DuplicateReport>) -> String {
    let mut out = String::new();
    for report in reports {
        out += &format!("{}\n", report.summary());
        for group in &report.groups {
            out += &format!(
                "  {:>6} × {:?}: {}\n",
                group.count,
                group.value,
                group.ids.join(" ")
            );
        }
    }
    out
}

fn render_devices(stats: &DeviceStats) -> String {
    if !stats.exists {
        return "The devices collection does not exist yet: run the migration first.\n".to_owned();
    }
    let list = |counts: &[LabelledCount]| {
        counts
            .iter()
            .map(|c| format!("{} {}", c.label, c.count))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let new_in_window: u64 = stats.per_day.iter().map(|d| d.count).sum();
    format!(
        "{} devices registered ({} users with at least one)\n\
         active: {} in the last 24 hours, {} in the last 7 days\n\
         new in the last {} days: {new_in_window}\n\
         by platform: {}\nby app version: {}\n",
        stats.total,
        stats.users_with_devices,
        stats.active_day,
        stats.active_week,
        stats.per_day.len(),
        list(&stats.by_platform),
        list(&stats.by_app_version),
    )
}
