//! Component ids and grants as the suite, its probes and the adapter
//! protocol carry them: the same types on every side.

pub use airssys_conformance_adapter::{Capabilities, ComponentId, Grant, LogRecord};
