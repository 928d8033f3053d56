//! What a grant allows (SEC-1.1), and the words a refusal uses: shared by
//! the reference host and the SDK's test host, so that both refuse alike.

/// An operation that needs a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `get`, `exists`, `list-keys`, `usage`.
    StorageRead,
    /// `set`.
    StorageWrite,
    /// `delete`.
    StorageDelete,
    /// `send`, to a target.
    Send,
    /// `request`, to a target.
    Request,
    /// `broadcast`, to each listed target.
    Broadcast,
}

impl Capability {
    /// How refusals and audit records name it, e.g. `storage read`.
    pub fn name(self) -> &'static str {
        match self {
            Self::StorageRead => "storage read",
            Self::StorageWrite => "storage write",
            Self::StorageDelete => "storage delete",
            Self::Send => "messaging send",
            Self::Request => "messaging request",
            Self::Broadcast => "messaging broadcast",
        }
    }

    /// The reason a refused call gets; it says "capability denied" (SEC-1).
    /// `target` is the message target, shown `namespace/name/instance`.
    pub fn denied(self, target: Option<&dyn std::fmt::Display>) -> String {
        match target {
            Some(target) => format!(
                "capability denied: {} to {target} is not granted",
                self.name()
            ),
            None => format!("capability denied: {} is not granted", self.name()),
        }
    }
}

impl crate::HostFn {
    /// The capability a call of this function needs (SEC-1.1); `None` for
    /// `self-id`, `cancel-request` and the host services.
    pub fn capability(self) -> Option<Capability> {
        use crate::HostFn;
        match self {
            HostFn::Get | HostFn::Exists | HostFn::ListKeys | HostFn::Usage => {
                Some(Capability::StorageRead)
            }
            HostFn::Set => Some(Capability::StorageWrite),
            HostFn::Delete => Some(Capability::StorageDelete),
            HostFn::Send => Some(Capability::Send),
            HostFn::Request => Some(Capability::Request),
            HostFn::Broadcast => Some(Capability::Broadcast),
            HostFn::CancelRequest
            | HostFn::SelfId
            | HostFn::Log
            | HostFn::CurrentTime
            | HostFn::CurrentTimeMillis
            | HostFn::SleepMillis
            | HostFn::ListComponents
            | HostFn::GetComponentMetadata => None,
        }
    }
}

/// The three parts of a target pattern `namespace/name/instance`, each a
/// literal or `*`.
pub fn pattern_parts(pattern: &str) -> Result<[&str; 3], String> {
    match pattern.split('/').collect::<Vec<_>>().as_slice() {
        [namespace, name, instance] => Ok([namespace, name, instance]),
        _ => Err(format!(
            "target pattern `{pattern}` must have three `/`-separated parts, \
             e.g. `acme/*/*` or `acme/kv/1`"
        )),
    }
}

/// Whether one part of a pattern matches one part of an id.
pub fn part_matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern == value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_capability_and_the_target() {
        assert_eq!(
            Capability::Send.denied(Some(&"a/b/c")),
            "capability denied: messaging send to a/b/c is not granted"
        );
        assert_eq!(
            Capability::StorageRead.denied(None),
            "capability denied: storage read is not granted"
        );
    }

    #[test]
    fn patterns_have_three_parts_and_stars_match_anything() {
        assert_eq!(pattern_parts("acme/*/1"), Ok(["acme", "*", "1"]));
        assert!(pattern_parts("acme/kv").unwrap_err().contains("three"));
        assert!(part_matches("*", "x") && part_matches("x", "x") && !part_matches("x", "y"));
    }
}
