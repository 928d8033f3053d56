//! Component ids and grants as the suite, its probes and the adapter
//! protocol carry them.

pub use airssys_conformance_adapter::{Capabilities, ComponentId, Grant, LogRecord};
pub use airssys_probe_protocol::Id;

/// An id as the adapter protocol carries it.
pub(crate) fn to_wire(id: &Id) -> ComponentId {
    ComponentId {
        namespace: id.namespace.clone(),
        name: id.name.clone(),
        instance: id.instance.clone(),
    }
}

/// An id from the adapter protocol, as probe calls carry it.
pub(crate) fn from_wire(id: &ComponentId) -> Id {
    Id {
        namespace: id.namespace.clone(),
        name: id.name.clone(),
        instance: id.instance.clone(),
    }
}
