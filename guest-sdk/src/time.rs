//! Between the contract's time values and `std::time`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::bindings::airssys::core::types::Timestamp;

pub(crate) fn system_time(timestamp: Timestamp) -> SystemTime {
    UNIX_EPOCH + Duration::new(timestamp.seconds, timestamp.nanoseconds)
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn timestamp(time: SystemTime) -> Timestamp {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp {
        seconds: since_epoch.as_secs(),
        nanoseconds: since_epoch.subsec_nanos(),
    }
}

/// `duration` in the contract's whole milliseconds, rounded up so that a
/// timeout or sleep is never shorter than asked.
pub(crate) fn whole_millis(duration: Duration) -> u64 {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    u64::try_from(millis).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_up_to_whole_milliseconds() {
        assert_eq!(whole_millis(Duration::ZERO), 0);
        assert_eq!(whole_millis(Duration::from_micros(1)), 1);
        assert_eq!(whole_millis(Duration::from_millis(250)), 250);
        assert_eq!(whole_millis(Duration::MAX), u64::MAX);
    }
}
