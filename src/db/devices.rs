//! Device-registration counts in one aggregation (`$facet`) over `devices`.

use super::error::rfc3339;
use super::numbers::as_count;
use super::{Collection, Database, DbError};
use crate::model::{DAYS, DeviceStats, LabelledCount};
use mongodb::bson::{Bson, DateTime, Document, doc};

const DAY_MS: i64 = 86_400_000;

/// `[{_id, n}]` of a facet, as counts; a missing `_id` becomes "(none)".
fn labelled(facet: &Document, name: &str) -> Vec<LabelledCount> {
    facet
        .get_array(name)
        .map(|rows| {
            rows.iter()
                .filter_map(Bson::as_document)
                .map(|row| LabelledCount {
                    label: match row.get("_id") {
                        Some(Bson::String(text)) => text.clone(),
                        None | Some(Bson::Null) => "(none)".to_owned(),
                        Some(other) => other.to_string(),
                    },
                    count: as_count(row.get("n")),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `[{n}]` of a `$count` facet; an empty facet means zero.
fn counted(facet: &Document, name: &str) -> u64 {
    facet
        .get_array(name)
        .ok()
        .and_then(|rows| rows.first())
        .and_then(Bson::as_document)
        .map_or(0, |row| as_count(row.get("n")))
}

/// `YYYY-MM-DD` of a time, in UTC.
fn day_of(millis: i64) -> String {
    let text = rfc3339(Some(&DateTime::from_millis(millis)));
    text.get(..10).unwrap_or_default().to_owned()
}

/// Every day of the window, oldest first, with the counts found (zero
/// for a day without registrations).
fn every_day(now: i64, found: &[LabelledCount]) -> Vec<LabelledCount> {
    (0..DAYS as i64)
        .rev()
        .map(|back| {
            let label = day_of(now - back * DAY_MS);
            let count = found
                .iter()
                .find(|f| f.label == label)
                .map_or(0, |f| f.count);
            LabelledCount { label, count }
        })
        .collect()
}

impl Database {
    /// The registration counts as of `now` (milliseconds since the epoch).
    pub async fn device_stats(&self, now: i64) -> Result<DeviceStats, DbError> {
        let counted_at = rfc3339(Some(&DateTime::from_millis(now)));
        if !self.collection_exists(Collection::Devices).await? {
            return Ok(DeviceStats {
                counted_at,
                ..DeviceStats::default()
            });
        }
        let since = |ms: i64| DateTime::from_millis(now - ms);
        let first_day = DateTime::from_millis((now / DAY_MS - (DAYS as i64 - 1)) * DAY_MS);
        let by = |field: &str| {
            vec![
                doc! { "$group": { "_id": format!("${field}"), "n": { "$sum": 1 } } },
                doc! { "$sort": { "n": -1, "_id": 1 } },
            ]
        };
        let seen_since = |ms: i64| {
            vec![
                doc! { "$match": { "lastSeenAt": { "$gte": since(ms) } } },
                doc! { "$count": "n" },
            ]
        };
        let mut cursor = self
            .collection(Collection::Devices)
            .aggregate([doc! { "$facet": {
                "total": [{ "$count": "n" }],
                "platform": by("platform"),
                "appVersion": by("appVersion"),
                "day": [
                    { "$match": { "createdAt": { "$gte": first_day } } },
                    { "$group": {
                        "_id": { "$dateToString": { "format": "%Y-%m-%d", "date": "$createdAt" } },
                        "n": { "$sum": 1 },
                    } },
                ],
                "activeDay": seen_since(DAY_MS),
                "activeWeek": seen_since(7 * DAY_MS),
                "users": [{ "$group": { "_id": "$userId" } }, { "$count": "n" }],
            } }])
            .await?;
        let facet = if cursor.advance().await? {
            cursor.deserialize_current()?
        } else {
            Document::new()
        };
        Ok(DeviceStats {
            exists: true,
            total: counted(&facet, "total"),
            by_platform: labelled(&facet, "platform"),
            by_app_version: labelled(&facet, "appVersion"),
            per_day: every_day(now, &labelled(&facet, "day")),
            active_day: counted(&facet, "activeDay"),
            active_week: counted(&facet, "activeWeek"),
            users_with_devices: counted(&facet, "users"),
            counted_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_has_every_day_oldest_first_with_gaps_as_zero() {
        // 2026-11-27, shortly after noon UTC
        let now = 1_795_780_800_000;
        let found = vec![LabelledCount {
            label: "2026-11-25".into(),
            count: 4,
        }];
        let days = every_day(now, &found);
        assert_eq!(days.len(), DAYS);
        assert_eq!(days[0].label, "2026-10-29");
        assert_eq!(days[DAYS - 1].label, "2026-11-27");
        assert_eq!(days[DAYS - 3].count, 4);
        assert_eq!(days.iter().map(|d| d.count).sum::<u64>(), 4);
    }
}
