//! The reasons hosts give in the contract's error variants, where the spec
//! fixes the variant and the reference host chose the words: shared by the
//! reference host and the SDK's test host, so a component's native tests
//! see what it will see on a host.

/// STO-8: a key that is empty or over `limit` bytes, or `None` when it is valid.
pub fn invalid_key(key: &str, limit: usize) -> Option<String> {
    if key.is_empty() {
        return Some("the key is empty".into());
    }
    (key.len() > limit)
        .then(|| format!("the key is {} bytes; the limit is {limit} bytes", key.len()))
}

/// MSG-9: a payload over the message limit.
pub fn payload_too_large(len: usize, limit: usize) -> String {
    format!("payload is {len} bytes; the limit is {limit} bytes")
}

/// MSG-5: a request with `timeout-ms` 0.
pub fn timeout_zero() -> String {
    "timeout-ms is 0; a request needs at least 1 ms to be answered".into()
}

/// MSG-5: a request with `timeout-ms` over the longest wait.
pub fn timeout_too_long(timeout_ms: u128, limit_ms: u128) -> String {
    format!("timeout-ms is {timeout_ms}; the longest a request may wait is {limit_ms} ms")
}

/// MSG-7: `cancel-request` of a request that was answered.
pub fn already_answered(id: &str) -> String {
    format!("request `{id}` was already answered")
}

/// MSG-7: `cancel-request` of a request that was cancelled.
pub fn already_cancelled(id: &str) -> String {
    format!("request `{id}` was already cancelled")
}

/// MSG-7: `cancel-request` of an id that is no request of the caller.
pub fn unknown_request(id: &str) -> String {
    format!("no pending request `{id}` of the caller")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_judged_by_emptiness_then_length() {
        assert_eq!(invalid_key("", 4).as_deref(), Some("the key is empty"));
        assert_eq!(
            invalid_key("abcde", 4).as_deref(),
            Some("the key is 5 bytes; the limit is 4 bytes")
        );
        assert_eq!(invalid_key("abcd", 4), None);
    }
}
