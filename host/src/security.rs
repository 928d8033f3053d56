//! Capability grants (deny by default) and the audit log of refused calls (SEC-1).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use airssys_contract::capability::Capability;
use airssys_contract::capability::{part_matches, pattern_parts};

use crate::bindings::airssys::core::types::ComponentId;
use crate::bounded::{Ring, cut};

/// What a component may do. [`Capabilities::default`] grants nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// May call `get`, `exists`, `list-keys` and `usage` (SEC-1.1).
    pub storage_read: bool,
    /// May call `set` (SEC-1.1).
    pub storage_write: bool,
    /// May call `delete` (SEC-1.1).
    pub storage_delete: bool,
    /// Targets `send` may reach.
    pub send: Vec<TargetPattern>,
    /// Targets `request` may reach.
    pub request: Vec<TargetPattern>,
    /// Targets `broadcast` may reach; every listed target must match.
    pub broadcast: Vec<TargetPattern>,
}

impl Capabilities {
    /// Every capability, to every target.
    pub fn all() -> Self {
        Self {
            storage_read: true,
            storage_write: true,
            storage_delete: true,
            send: vec![TargetPattern::any()],
            request: vec![TargetPattern::any()],
            broadcast: vec![TargetPattern::any()],
        }
    }

    /// Storage read, write and delete only.
    pub fn storage() -> Self {
        Self {
            storage_read: true,
            storage_write: true,
            storage_delete: true,
            ..Self::default()
        }
    }
}

/// Matches component ids part by part; a part `*` matches anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPattern {
    /// The namespace an id must have, or `*` for any.
    pub namespace: String,
    /// The name an id must have, or `*` for any.
    pub name: String,
    /// The instance an id must have, or `*` for any.
    pub instance: String,
}

impl TargetPattern {
    /// `*/*/*`: matches every id.
    pub fn any() -> Self {
        Self::parse("*/*/*").expect("a valid pattern")
    }

    /// Reads `namespace/name/instance`, each part a literal or `*`.
    pub fn parse(pattern: &str) -> Result<Self, String> {
        let [namespace, name, instance] = pattern_parts(pattern)?;
        Ok(Self {
            namespace: namespace.into(),
            name: name.into(),
            instance: instance.into(),
        })
    }

    /// Whether every part of `id` equals the pattern's part, or that part is `*`.
    pub fn matches(&self, id: &ComponentId) -> bool {
        part_matches(&self.namespace, &id.namespace)
            && part_matches(&self.name, &id.name)
            && part_matches(&self.instance, &id.instance)
    }
}

/// A refused call, as kept in the [`AuditLog`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Denial {
    /// The component whose call was refused.
    pub caller: ComponentId,
    /// The capability the call needed.
    pub capability: Capability,
    /// The message target, for messaging capabilities.
    pub target: Option<ComponentId>,
    /// Why it was refused, as the caller was told, cut to [`AUDIT_TEXT_BYTES`].
    pub reason: String,
}

impl Capabilities {
    /// `Err(reason)` naming what is missing; the reason says "capability denied".
    pub fn check(
        &self,
        capability: Capability,
        target: Option<&ComponentId>,
    ) -> Result<(), String> {
        let granted = match capability {
            Capability::StorageRead => self.storage_read,
            Capability::StorageWrite => self.storage_write,
            Capability::StorageDelete => self.storage_delete,
            Capability::Send => matches_any(&self.send, target),
            Capability::Request => matches_any(&self.request, target),
            Capability::Broadcast => matches_any(&self.broadcast, target),
        };
        if granted {
            return Ok(());
        }
        Err(capability.denied(target.map(|t| t as &dyn std::fmt::Display)))
    }
}

fn matches_any(patterns: &[TargetPattern], target: Option<&ComponentId>) -> bool {
    target.is_some_and(|target| patterns.iter().any(|p| p.matches(target)))
}

/// One grant-checked call, as an [`AuditSink`] sees it (SEC-1.3).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AuditEvent<'a> {
    /// The component making the call.
    pub caller: &'a ComponentId,
    /// The capability the call needs.
    pub capability: Capability,
    /// The target a messaging call named (each target of a broadcast, one
    /// event each); `None` for storage and for a broadcast's rate check.
    pub target: Option<&'a ComponentId>,
    /// `Err(reason)` when the call was refused: not granted, or over a rate (RES-2).
    pub verdict: &'a Result<(), String>,
}

/// Receives every grant-checked call, allowed or refused. Runs inside the
/// guest's call: it must not block for long, and it decides what it keeps.
pub trait AuditSink: Send + Sync + 'static {
    /// Receives one checked call, allowed or refused, before the call goes on.
    fn record(&self, event: &AuditEvent<'_>);
}

/// The audit trail of grant-checked calls (SEC-1.3): every refusal is kept,
/// newest last, at most [`HostConfig::audit_log_capacity`] of them (the
/// oldest go first, and are counted), so a guest refused in a loop cannot
/// make the host hold more; allowed calls are counted. An embedder that
/// wants every call sets an [`AuditSink`].
///
/// [`HostConfig::audit_log_capacity`]: crate::HostConfig::audit_log_capacity
pub struct AuditLog {
    denials: Ring<Denial>,
    allowed: AtomicU64,
    sink: Option<Arc<dyn AuditSink>>,
}

/// The longest reason an audit record keeps, in bytes; ids are cut to a
/// quarter of it per part. Guests choose both (a target id can be a megabyte).
pub const AUDIT_TEXT_BYTES: usize = 512;

impl AuditLog {
    /// An empty log that keeps at most `capacity` refusals (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            denials: Ring::new(capacity),
            allowed: AtomicU64::new(0),
            sink: None,
        }
    }

    pub(crate) fn set_sink(&mut self, sink: Arc<dyn AuditSink>) {
        self.sink = Some(sink);
    }

    /// Records the outcome of one grant-checked call.
    pub(crate) fn check(
        &self,
        caller: &ComponentId,
        capability: Capability,
        target: Option<&ComponentId>,
        verdict: &Result<(), String>,
    ) {
        if let Some(sink) = &self.sink {
            sink.record(&AuditEvent {
                caller,
                capability,
                target,
                verdict,
            });
        }
        match verdict {
            Ok(()) => {
                self.allowed.fetch_add(1, Ordering::Relaxed);
            }
            Err(reason) => self.record(Denial {
                caller: caller.clone(),
                capability,
                target: target.cloned(),
                reason: reason.clone(),
            }),
        }
    }

    fn record(&self, denial: Denial) {
        let denial = Denial {
            reason: cut(&denial.reason, AUDIT_TEXT_BYTES),
            target: denial.target.map(|id| ComponentId {
                namespace: cut(&id.namespace, AUDIT_TEXT_BYTES / 4),
                name: cut(&id.name, AUDIT_TEXT_BYTES / 4),
                instance: cut(&id.instance, AUDIT_TEXT_BYTES / 4),
            }),
            ..denial
        };
        // Debug formatting escapes what the guest chose, so it cannot forge lines.
        tracing::warn!(
            caller = ?denial.caller.to_string(),
            capability = denial.capability.name(),
            target = ?denial.target.as_ref().map(ToString::to_string),
            "{:?}",
            denial.reason
        );
        self.denials.push(denial);
    }

    /// The refusals kept, oldest first.
    pub fn denials(&self) -> Vec<Denial> {
        self.denials.records()
    }

    /// How many refusals were dropped to keep within the capacity.
    pub fn dropped(&self) -> u64 {
        self.denials.dropped()
    }

    /// How many grant-checked calls were allowed.
    pub fn allowed(&self) -> u64 {
        self.allowed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_granted_by_default() {
        let none = Capabilities::default();
        let target = ComponentId::new("a", "b", "c");
        let reason = none.check(Capability::Send, Some(&target)).unwrap_err();
        assert_eq!(
            reason,
            "capability denied: messaging send to a/b/c is not granted"
        );
        assert!(none.check(Capability::StorageRead, None).is_err());
    }

    #[test]
    fn patterns_match_part_by_part() {
        let pattern = TargetPattern::parse("acme/*/1").unwrap();
        assert!(pattern.matches(&ComponentId::new("acme", "kv", "1")));
        assert!(!pattern.matches(&ComponentId::new("acme", "kv", "2")));
        assert!(!pattern.matches(&ComponentId::new("other", "kv", "1")));
        assert!(
            TargetPattern::parse("acme/kv")
                .unwrap_err()
                .contains("three")
        );
    }
}
