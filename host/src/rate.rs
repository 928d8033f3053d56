//! Per-component rate limits (RES-2): how many messages and storage writes a
//! component may make per second, so that one busy or hostile component
//! cannot take the router or the storage backend from the others.

use std::time::Instant;

/// Up to one second's worth at once, then `per_second` on average.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    per_second: u32,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second,
            tokens: f64::from(per_second),
            refilled: Instant::now(),
        }
    }

    /// Takes `n` tokens if there are that many; else takes none.
    pub fn take(&mut self, n: u32, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        let capacity = f64::from(self.per_second);
        self.tokens = (self.tokens + elapsed * capacity).min(capacity);
        self.refilled = now;
        if self.tokens >= f64::from(n) {
            self.tokens -= f64::from(n);
            true
        } else {
            false
        }
    }

    pub fn per_second(&self) -> u32 {
        self.per_second
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_seconds_worth_at_once_then_the_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket {
            per_second: 10,
            tokens: 10.0,
            refilled: start,
        };
        assert!(bucket.take(10, start));
        assert!(!bucket.take(1, start), "the burst is spent");
        assert!(bucket.take(1, start + Duration::from_millis(100)));
        assert!(!bucket.take(1, start + Duration::from_millis(150)));
        assert!(bucket.take(10, start + Duration::from_secs(60)), "refilled");
        assert!(
            !bucket.take(1, start + Duration::from_secs(60)),
            "never over a second's worth"
        );
    }

    #[test]
    fn more_than_a_seconds_worth_never_passes() {
        let mut bucket = TokenBucket::new(5);
        assert!(!bucket.take(6, Instant::now() + Duration::from_secs(10)));
        assert!(bucket.take(5, Instant::now()));
    }
}
