//! The two shapes in which the host keeps what guests choose without letting
//! them choose how much: a ring of the newest records, and text cut to a limit.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The newest `capacity` records; older ones are dropped and counted.
#[derive(Debug)]
pub(crate) struct Ring<T> {
    capacity: usize,
    records: Mutex<VecDeque<T>>,
    dropped: AtomicU64,
}

impl<T: Clone> Ring<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            records: Mutex::new(VecDeque::new()),
            dropped: AtomicU64::new(0),
        }
    }

    pub fn push(&self, record: T) {
        let mut records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if records.len() >= self.capacity {
            records.pop_front();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        records.push_back(record);
    }

    /// The records kept, oldest first.
    pub fn records(&self) -> Vec<T> {
        let records = self.records.lock().unwrap_or_else(|p| p.into_inner());
        records.iter().cloned().collect()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// `text`, cut to at most `limit` bytes at a character boundary, the cut
/// marked with `…`; the result never exceeds `limit` bytes.
pub(crate) fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let end = text.floor_char_boundary(limit.saturating_sub('…'.len_utf8()));
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_keeps_the_newest_and_counts_the_rest() {
        let ring = Ring::new(3);
        for n in 0..5 {
            ring.push(n);
        }
        assert_eq!(ring.records(), vec![2, 3, 4]);
        assert_eq!(ring.dropped(), 2);
    }

    #[test]
    fn text_within_the_limit_is_kept_whole() {
        assert_eq!(cut("hello", 5), "hello");
    }

    #[test]
    fn a_cut_falls_on_a_character_and_stays_within_the_limit() {
        let text = "aé".repeat(10);
        let kept = cut(&text, 6);
        assert_eq!(kept, "aé…");
        assert!(kept.len() <= 6);
    }
}
