//! What the component under test may do (SEC-1), refused in the reference
//! host's order and words: the grant first, before keys or payloads are
//! looked at.

use airssys_contract::capability::{Capability, part_matches, pattern_parts};

use crate::ComponentId;

/// The capabilities of the component under test. [`TestHost::new`] grants
/// everything, so that tests of other things need no set-up; a host loads a
/// component with nothing but its grant (SEC-1.1), so test what your
/// component does when refused with [`TestHost::grant`]:
///
/// ```
/// use airssys_guest::testing::{Grants, TestHost};
/// use airssys_guest::storage;
///
/// let host = TestHost::new();
/// host.grant(Grants::nothing().storage_read());
/// assert!(storage::get("k").is_ok());
/// let refused = storage::set("k", "v").unwrap_err();
/// assert!(refused.to_string().contains("capability denied: storage write"));
/// ```
///
/// [`TestHost::new`]: super::TestHost::new
/// [`TestHost::grant`]: super::TestHost::grant
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    storage_read: bool,
    storage_write: bool,
    storage_delete: bool,
    send: Vec<String>,
    request: Vec<String>,
    broadcast: Vec<String>,
}

impl Grants {
    /// Every capability, to every target: what [`TestHost::new`](super::TestHost::new) grants.
    pub fn everything() -> Self {
        Self::nothing()
            .storage()
            .send_to("*/*/*")
            .request_to("*/*/*")
            .broadcast_to("*/*/*")
    }

    /// No capability: how a host loads a component it was given no grant for.
    pub fn nothing() -> Self {
        Self {
            storage_read: false,
            storage_write: false,
            storage_delete: false,
            send: Vec::new(),
            request: Vec::new(),
            broadcast: Vec::new(),
        }
    }

    /// Storage read, write and delete.
    pub fn storage(self) -> Self {
        self.storage_read().storage_write().storage_delete()
    }

    /// `get`, `exists`, `list-keys` and `usage`.
    pub fn storage_read(mut self) -> Self {
        self.storage_read = true;
        self
    }

    /// `set`.
    pub fn storage_write(mut self) -> Self {
        self.storage_write = true;
        self
    }

    /// `delete`.
    pub fn storage_delete(mut self) -> Self {
        self.storage_delete = true;
        self
    }

    /// `send` to targets matching `pattern`, `namespace/name/instance` with
    /// `*` for any part. Panics on a pattern of another form.
    pub fn send_to(mut self, pattern: &str) -> Self {
        self.send.push(checked(pattern));
        self
    }

    /// `request` to targets matching `pattern` (see [`Grants::send_to`]).
    pub fn request_to(mut self, pattern: &str) -> Self {
        self.request.push(checked(pattern));
        self
    }

    /// `broadcast` to targets matching `pattern`; a broadcast needs it for
    /// every target it lists (SEC-1.2).
    pub fn broadcast_to(mut self, pattern: &str) -> Self {
        self.broadcast.push(checked(pattern));
        self
    }

    /// `Err` with the reference host's reason when `capability` (to
    /// `target`, for messaging) is not granted.
    pub(crate) fn check(
        &self,
        capability: Capability,
        target: Option<&ComponentId>,
    ) -> Result<(), String> {
        let reaches = |patterns: &[String]| {
            target.is_some_and(|target| patterns.iter().any(|p| matches(p, target)))
        };
        let granted = match capability {
            Capability::StorageRead => self.storage_read,
            Capability::StorageWrite => self.storage_write,
            Capability::StorageDelete => self.storage_delete,
            Capability::Send => reaches(&self.send),
            Capability::Request => reaches(&self.request),
            Capability::Broadcast => reaches(&self.broadcast),
        };
        if granted {
            Ok(())
        } else {
            Err(capability.denied(target.map(|t| t as &dyn std::fmt::Display)))
        }
    }
}

fn checked(pattern: &str) -> String {
    if let Err(why) = pattern_parts(pattern) {
        panic!("{why}");
    }
    pattern.to_owned()
}

fn matches(pattern: &str, id: &ComponentId) -> bool {
    let [namespace, name, instance] =
        pattern_parts(pattern).expect("patterns are checked when granted");
    part_matches(namespace, &id.namespace)
        && part_matches(name, &id.name)
        && part_matches(instance, &id.instance)
}
