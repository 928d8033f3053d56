//! Helpers on the WIT `component-id` record: construction, display, validation.

use std::fmt;
use std::sync::Arc;

use airssys_contract::component_id::{self, PartProblem};

use crate::bindings::airssys::core::types::ComponentId;

/// A loaded component's id, held once: its registration, its context, the
/// router's records and its log records share one allocation, so a `send`
/// or a `request` copies no id (it clones the `Arc`).
pub type SharedId = Arc<ComponentId>;

impl ComponentId {
    /// An id from its three parts, as given; [`validate_assigned`] checks
    /// one the host is about to assign (HOST-1).
    pub fn new(
        namespace: impl Into<String>,
        name: impl Into<String>,
        instance: impl Into<String>,
    ) -> Self {
        airssys_contract::ComponentId::new(namespace, name, instance).into()
    }
}

/// The kit's one id type ([`airssys_contract::ComponentId`]), which the
/// suite, the probes and the adapter protocol carry: the WIT bindings'
/// record cannot be that type itself (wasmtime lowers its own types).
impl From<airssys_contract::ComponentId> for ComponentId {
    fn from(id: airssys_contract::ComponentId) -> Self {
        let airssys_contract::ComponentId {
            namespace,
            name,
            instance,
        } = id;
        ComponentId {
            namespace,
            name,
            instance,
        }
    }
}

impl From<ComponentId> for airssys_contract::ComponentId {
    fn from(id: ComponentId) -> Self {
        let ComponentId {
            namespace,
            name,
            instance,
        } = id;
        airssys_contract::ComponentId {
            namespace,
            name,
            instance,
        }
    }
}

/// `namespace/name/instance`; unambiguous for ids accepted by [`validate_assigned`].
impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&component_id::render(
            &self.namespace,
            &self.name,
            &self.instance,
        ))
    }
}

/// Why the host refuses to assign an id to a component it loads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("component id `{id}` is not valid: its {part} {problem}")]
#[non_exhaustive]
pub struct InvalidComponentId {
    /// The refused id, as `namespace/name/instance` text.
    pub id: String,
    /// The part at fault: `"namespace"`, `"name"` or `"instance"`.
    pub part: &'static str,
    /// What is wrong with that part under HOST-1: empty, a `/`, or a control character.
    pub problem: PartProblem,
}

/// Checks an id the host is about to assign. Ids other components merely name
/// (message targets) are never validated: an unknown one is `target-not-found`.
pub fn validate_assigned(id: &ComponentId) -> Result<(), InvalidComponentId> {
    component_id::check_parts([&id.namespace, &id.name, &id.instance]).map_err(|(part, problem)| {
        InvalidComponentId {
            id: id.to_string(),
            part,
            problem,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_slash_separated_path() {
        assert_eq!(ComponentId::new("acme", "kv", "1").to_string(), "acme/kv/1");
    }

    #[test]
    fn rejects_empty_slash_and_control_parts() {
        assert!(validate_assigned(&ComponentId::new("acme", "kv", "1")).is_ok());
        let empty = validate_assigned(&ComponentId::new("", "kv", "1")).unwrap_err();
        assert_eq!(empty.part, "namespace");
        let slash = validate_assigned(&ComponentId::new("acme", "k/v", "1")).unwrap_err();
        assert_eq!(slash.part, "name");
        let control = validate_assigned(&ComponentId::new("acme", "kv", "1\n")).unwrap_err();
        assert_eq!(control.part, "instance");
        assert!(control.to_string().contains("control character"));
    }
}
