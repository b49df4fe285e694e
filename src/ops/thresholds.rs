//! The monitor's thresholds: any signed-in person reads them, an admin sets
//! or clears one, and every change is audited. A threshold that the newest
//! sample breaches, when the one before did not, is announced and recorded
//! in the audit log.

use super::audit::{self, Actor};
use super::{OpsError, notices};
use crate::db::Database;
use crate::model::Action;
use crate::model::{Alert, AuditEntry, Bound, Outcome, Threshold, breaches};
use crate::monitor::Monitor;
use std::collections::HashSet;
use tokio::sync::broadcast::error::RecvError;

/// The chart groups a threshold can watch.
pub const GROUPS: [&str; 7] = [
    "connections",
    "ops",
    "latency",
    "pool",
    "commands",
    "devices",
    "sync",
];

pub async fn list(db: &Database) -> Result<Vec<Threshold>, OpsError> {
    Ok(db.monitor_thresholds().await?)
}

pub async fn set(
    db: &Database,
    actor: &Actor,
    series: &str,
    bound: &str,
    limit: f64,
) -> Result<(), OpsError> {
    let target = format!("{series} {bound} {limit}");
    audit::audited(db, actor, Action::MonitorThresholdSet, &target, async {
        let threshold = parse(series, bound, limit)?;
        Ok(db.set_monitor_threshold(&threshold, &actor.name()).await?)
    })
    .await
}

pub async fn clear(db: &Database, actor: &Actor, series: &str) -> Result<(), OpsError> {
    audit::audited(db, actor, Action::MonitorThresholdClear, series, async {
        if db.clear_monitor_threshold(series).await? {
            Ok(())
        } else {
            Err(OpsError::NotFound(format!("a threshold on {series}")))
        }
    })
    .await
}

/// Announces each threshold as it becomes breached, for as long as
/// `monitor` samples: one notice per breach, not one per sample, and
/// another once it has cleared and is breached again.
pub async fn announce_breaches(db: Database, monitor: Monitor) {
    let (_, mut samples) = monitor.subscribe();
    let mut in_breach = HashSet::new();
    loop {
        match samples.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
        let thresholds = match db.monitor_thresholds().await {
            Ok(thresholds) => thresholds,
            Err(error) => {
                tracing::warn!(%error, "could not read the thresholds to announce breaches");
                continue;
            }
        };
        for alert in newly_breached(&mut in_breach, &breaches(&monitor.window(), &thresholds)) {
            let notice = notices::breached(alert);
            if let Err(error) = db.append_audit(&breach_entry(alert, &notice.message)).await {
                tracing::warn!(%error, "could not record a threshold breach in the audit log");
            }
            db.announce(&notice);
        }
    }
}

/// A breach as the audit log keeps it, for the deployment report.
fn breach_entry(alert: &Alert, message: &str) -> AuditEntry {
    AuditEntry {
        at: String::new(),
        actor: notices::THE_APP.to_owned(),
        action: Action::MonitorBreach.as_str().to_owned(),
        target: alert.threshold.series.clone(),
        outcome: Outcome::Failed,
        error_code: None,
        detail: Some(message.to_owned()),
        address: None,
        count: 1,
    }
}

/// The active alerts not in `in_breach`, which becomes the active ones.
fn newly_breached<'a>(in_breach: &mut HashSet<String>, alerts: &'a [Alert]) -> Vec<&'a Alert> {
    let active: Vec<&Alert> = alerts.iter().filter(|alert| alert.active).collect();
    let fresh = active
        .iter()
        .copied()
        .filter(|alert| !in_breach.contains(&alert.threshold.describe()))
        .collect();
    *in_breach = active.iter().map(|a| a.threshold.describe()).collect();
    fresh
}

fn parse(series: &str, bound: &str, limit: f64) -> Result<Threshold, OpsError> {
    let invalid = |field, message: &str| OpsError::InvalidInput {
        field,
        message: message.to_owned(),
    };
    let known = series
        .split_once('/')
        .is_some_and(|(group, name)| GROUPS.contains(&group) && !name.is_empty());
    if !known || series.len() > 200 {
        return Err(invalid(
            "series",
            "name a series as <group>/<name>, for example ops/insert",
        ));
    }
    let bound = Bound::parse(bound).ok_or_else(|| invalid("bound", "choose above or below"))?;
    if !limit.is_finite() {
        return Err(invalid("limit", "must be a number"));
    }
    Ok(Threshold {
        series: series.to_owned(),
        bound,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_groups_bounds_and_finite_limits_are_accepted() {
        assert!(parse("ops/insert", "above", 10.0).is_ok());
        assert!(parse("pool/127.0.0.1:27017/waiting", "below", 0.5).is_ok());
        assert!(parse("ops", "above", 1.0).is_err());
        assert!(parse("secrets/x", "above", 1.0).is_err());
        assert!(parse("ops/insert", "around", 1.0).is_err());
        assert!(parse("ops/insert", "above", f64::NAN).is_err());
    }

    #[test]
    fn a_breach_is_announced_once_until_it_clears() {
        let alert = |active| Alert {
            threshold: parse("ops/insert", "above", 10.0).expect("valid"),
            first_at_ms: 0,
            last_at_ms: 0,
            value: 20.0,
            active,
        };
        let mut in_breach = HashSet::new();
        assert_eq!(newly_breached(&mut in_breach, &[alert(true)]).len(), 1);
        assert!(newly_breached(&mut in_breach, &[alert(true)]).is_empty());
        assert!(newly_breached(&mut in_breach, &[alert(false)]).is_empty());
        assert_eq!(newly_breached(&mut in_breach, &[alert(true)]).len(), 1);
    }
}
