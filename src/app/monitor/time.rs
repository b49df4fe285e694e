//! Times as the Monitor writes them, in UTC: a clock for the live window,
//! a day and a clock for longer spans.

const DAY_MS: i64 = 86_400_000;
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `HH:MM:SS UTC` of a time in milliseconds since the epoch.
pub fn clock(at_ms: i64) -> String {
    let secs = at_ms.div_euclid(1_000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3_600,
        secs / 60 % 60,
        secs % 60
    )
}

/// `2 Dec 14:05 UTC`.
pub fn day_and_time(at_ms: i64) -> String {
    let (_, month, day) = civil(at_ms.div_euclid(DAY_MS));
    let minutes = at_ms.div_euclid(60_000).rem_euclid(1_440);
    format!(
        "{day} {} {:02}:{:02} UTC",
        MONTHS[month - 1],
        minutes / 60,
        minutes % 60
    )
}

/// A label on a chart's time axis spanning `span_ms`: `14:05` up to two
/// days (`14:05:30` within an hour), with the day beyond; the last one of
/// the shorter formats says the time zone (the longer ones are UTC too).
pub fn tick_label(at_ms: i64, span_ms: i64, last: bool) -> String {
    if span_ms > 2 * DAY_MS {
        return day_and_time(at_ms).trim_end_matches(" UTC").to_owned();
    }
    let label = {
        let text = clock(at_ms);
        let text = text.trim_end_matches(" UTC");
        if span_ms > 3_600_000 {
            text[..5].to_owned()
        } else {
            text.to_owned()
        }
    };
    if last { format!("{label} UTC") } else { label }
}

/// (year, month 1..=12, day 1..=31) of a day counted from 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, usize, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, usize::try_from(month).unwrap_or(1), day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_in_the_calendar() {
        assert_eq!(clock(3_723_000), "01:02:03 UTC");
        assert_eq!(civil(0), (1970, 1, 1));
        // 2026-12-02 is day 20 789 since the epoch.
        assert_eq!(civil(20_789), (2026, 12, 2));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(
            day_and_time(20_789 * DAY_MS + 14 * 3_600_000 + 5 * 60_000),
            "2 Dec 14:05 UTC"
        );
    }

    #[test]
    fn axis_labels_fit_their_span() {
        let at = 20_789 * DAY_MS + 14 * 3_600_000 + 5 * 60_000 + 30_000;
        assert_eq!(tick_label(at, 900_000, false), "14:05:30");
        assert_eq!(tick_label(at, DAY_MS, true), "14:05 UTC");
        assert_eq!(tick_label(at, DAY_MS + 600_000, false), "14:05");
        assert_eq!(tick_label(at, 7 * DAY_MS, true), "2 Dec 14:05");
    }
}
