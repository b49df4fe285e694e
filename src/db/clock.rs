//! Time as the app writes it in files and reports: RFC 3339 in UTC, by the
//! same clock and format as the dates it stores.

use mongodb::bson::DateTime;
use std::time::Duration;
use time::OffsetDateTime;

pub fn now_rfc3339() -> String {
    super::error::rfc3339(Some(&DateTime::now()))
}

/// How long ago `at` (RFC 3339) was; `None` when it does not parse or lies ahead.
pub fn age_of(at: &str) -> Option<Duration> {
    let then = DateTime::parse_rfc3339_str(at).ok()?;
    let millis = DateTime::now().timestamp_millis() - then.timestamp_millis();
    u64::try_from(millis).ok().map(Duration::from_millis)
}

/// `at` as the database stores times (milliseconds), saturating far off.
pub(super) fn stored_time(at: OffsetDateTime) -> DateTime {
    let millis = at.unix_timestamp_nanos() / 1_000_000;
    DateTime::from_millis(i64::try_from(millis).unwrap_or(if millis < 0 {
        i64::MIN
    } else {
        i64::MAX
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_reads_back_as_just_now_and_garbage_has_no_age() {
        let age = age_of(&now_rfc3339()).expect("parses");
        assert!(age < Duration::from_secs(5));
        assert!(age_of("2020-01-01T00:00:00Z").expect("parses") > Duration::from_secs(3_600));
        assert_eq!(age_of("yesterday"), None);
    }
}
