//! Where a log record is cut (SVC-1.1): the message at a byte limit, the
//! context at a total of key and value bytes, each pair counted with its
//! overhead. One implementation, so that the reference host and the SDK's
//! test host cut the same way.

/// What one context pair counts for besides its key and value bytes: about
/// what a host holds per pair (two string headers), so that empty pairs are
/// not free. Without it one record could keep millions of `("", "")` pairs.
pub const CONTEXT_PAIR_OVERHEAD: usize = 32;

/// The context pairs, in order, while their keys and values, plus
/// [`CONTEXT_PAIR_OVERHEAD`] for each pair, add up to at most `limit`
/// bytes; the pairs past that are dropped, and a last pair
/// `("…", "N of M context pairs dropped")` says so (SVC-1.1).
pub fn bound_context(pairs: Vec<(String, String)>, limit: usize) -> Vec<(String, String)> {
    let given = pairs.len();
    let mut used = 0usize;
    let mut kept: Vec<(String, String)> = pairs
        .into_iter()
        .take_while(|(key, value)| {
            used = used.saturating_add(key.len() + value.len() + CONTEXT_PAIR_OVERHEAD);
            used <= limit
        })
        .collect();
    // `collect` may reuse the guest's list, with room for every pair given.
    kept.shrink_to_fit();
    if kept.len() < given {
        let dropped = given - kept.len();
        kept.push((
            "…".into(),
            format!("{dropped} of {given} context pairs dropped"),
        ));
    }
    kept
}

/// `message`, cut to at most `limit` bytes on a character boundary and
/// ended with [`cut_marker`] when it was longer.
/// The result is a new string: truncating in place would keep the whole
/// original allocation alive in every record a buffer holds.
pub fn cut_message(message: String, limit: usize) -> String {
    if message.len() <= limit {
        return message;
    }
    let end = message.floor_char_boundary(limit);
    let marker = cut_marker(message.len(), end);
    let mut kept = String::with_capacity(end + marker.len());
    kept.push_str(&message[..end]);
    kept.push_str(&marker);
    kept
}

/// What ends a cut message: how long it was, and how much of it is kept.
pub fn cut_marker(original: usize, kept: usize) -> String {
    format!("… [cut: {original} bytes, first {kept} kept]")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(n: usize, len: usize) -> Vec<(String, String)> {
        (0..n).map(|i| (format!("{i}"), "v".repeat(len))).collect()
    }

    /// What `n` pairs of one-byte keys and `len`-byte values count for.
    fn cost(n: usize, len: usize) -> usize {
        n * (1 + len + CONTEXT_PAIR_OVERHEAD)
    }

    #[test]
    fn context_within_the_limit_is_kept_whole() {
        assert_eq!(bound_context(pairs(4, 9), cost(4, 9)), pairs(4, 9));
    }

    #[test]
    fn empty_pairs_are_not_free() {
        let empty = vec![(String::new(), String::new()); 1_000_000];
        let kept = bound_context(empty, 4096);
        assert_eq!(
            kept.len(),
            4096 / CONTEXT_PAIR_OVERHEAD + 1,
            "the pairs that fit, and the marker"
        );
    }

    #[test]
    fn context_past_the_limit_is_dropped_in_order_and_marked() {
        let kept = bound_context(pairs(5, 9), cost(2, 9) + 5);
        assert_eq!(kept[..2], pairs(2, 9)[..]);
        assert_eq!(kept[2], ("…".into(), "3 of 5 context pairs dropped".into()));
        assert_eq!(kept.len(), 3);
    }

    #[test]
    fn short_messages_are_kept_whole() {
        assert_eq!(cut_message("hello".into(), 5), "hello");
    }

    #[test]
    fn cuts_on_a_char_boundary_and_marks_the_cut() {
        let cut = cut_message("aé".repeat(10), 4);
        assert!(cut.starts_with("aéa…"), "{cut}");
        assert!(cut.contains("[cut: 30 bytes, first 4 kept]"), "{cut}");
    }
}
