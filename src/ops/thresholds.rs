//! The monitor's thresholds: any signed-in person reads them, an admin sets
//! or clears one, and every change is audited.

use super::OpsError;
use super::audit::{self, Actor};
use crate::db::Database;
use crate::model::{Bound, Threshold};

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
    audit::audited(db, actor, "monitor.threshold.set", &target, async {
        let threshold = parse(series, bound, limit)?;
        Ok(db.set_monitor_threshold(&threshold, &actor.name()).await?)
    })
    .await
}

pub async fn clear(db: &Database, actor: &Actor, series: &str) -> Result<(), OpsError> {
    audit::audited(db, actor, "monitor.threshold.clear", series, async {
        if db.clear_monitor_threshold(series).await? {
            Ok(())
        } else {
            Err(OpsError::NotFound(format!("a threshold on {series}")))
        }
    })
    .await
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
}
