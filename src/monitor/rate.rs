//! Delta and rate math on cumulative counters. A counter that goes down
//! was reset (the server restarted, or the client was recreated): that
//! interval has no rate, never a negative one.

use crate::db::LatencyTotals;

/// How much a cumulative counter grew; `None` when it was reset.
pub fn counter_delta(previous: u64, current: u64) -> Option<u64> {
    current.checked_sub(previous)
}

/// Growth per second over `elapsed_secs`; `None` on a reset or when no
/// time passed.
pub fn rate_per_sec(previous: u64, current: u64, elapsed_secs: f64) -> Option<f64> {
    if elapsed_secs <= 0.0 || !elapsed_secs.is_finite() {
        return None;
    }
    counter_delta(previous, current).map(|delta| as_f64(delta) / elapsed_secs)
}

/// Average time per operation in the interval, in milliseconds:
/// Δ(summed time in µs) / Δops. `None` when no operation finished in the
/// interval (there is no average of nothing) or a counter was reset.
pub fn average_ms(previous: LatencyTotals, current: LatencyTotals) -> Option<f64> {
    let ops = counter_delta(previous.ops, current.ops).filter(|&ops| ops > 0)?;
    let micros = counter_delta(previous.latency_micros, current.latency_micros)?;
    Some(as_f64(micros) / as_f64(ops) / 1_000.0)
}

/// A server whose uptime went down restarted between two readings, and
/// every counter it reports started again from zero.
pub fn restarted(previous_uptime_secs: f64, current_uptime_secs: f64) -> bool {
    current_uptime_secs < previous_uptime_secs
}

/// A count as a double; counts stay far below 2^53, where a double is exact.
pub fn as_f64(count: u64) -> f64 {
    count as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(latency_micros: u64, ops: u64) -> LatencyTotals {
        LatencyTotals {
            latency_micros,
            ops,
        }
    }

    #[test]
    fn a_growing_counter_gives_its_rate_per_second() {
        assert_eq!(counter_delta(10, 25), Some(15));
        assert_eq!(rate_per_sec(100, 160, 2.0), Some(30.0));
        assert_eq!(rate_per_sec(7, 7, 2.0), Some(0.0));
    }

    #[test]
    fn a_reset_counter_gives_no_rate_rather_than_a_negative_one() {
        assert_eq!(counter_delta(1_000, 3), None);
        assert_eq!(rate_per_sec(1_000, 3, 2.0), None);
        assert_eq!(average_ms(totals(9_000, 90), totals(50, 2)), None);
        assert!(restarted(3_600.0, 4.0));
        assert!(!restarted(4.0, 6.0));
    }

    #[test]
    fn no_elapsed_time_gives_no_rate() {
        assert_eq!(rate_per_sec(1, 5, 0.0), None);
        assert_eq!(rate_per_sec(1, 5, -1.0), None);
        assert_eq!(rate_per_sec(1, 5, f64::NAN), None);
    }

    #[test]
    fn average_latency_is_time_over_operations_in_milliseconds() {
        assert_eq!(average_ms(totals(1_000, 10), totals(7_000, 13)), Some(2.0));
        assert_eq!(average_ms(totals(1_000, 10), totals(1_000, 10)), None);
    }
}
