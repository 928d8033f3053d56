//! The conformance suite of the `airssys:core@1.0.0` component contract.
//!
//! For each of the contract's imported functions, read from `wit/`, the suite
//! runs a **name** trial (registered where components import it from?), a
//! **signature** trial (with the contract's type?), and a **behaviour** trial
//! per clause ID the function's doc comment names (`docs/spec.md`).
//!
//! The suite reaches a host through the adapter protocol
//! (`docs/adapter-protocol.md`): an adapter process written against the
//! host's own wasmtime with the `airssys-conformance-adapter` crate
//! ([`Suite::adapter`]), or, for a host on the suite's own wasmtime, a
//! [`HostUnderTest`] run in this process ([`Suite::new`]) and driven through
//! the same protocol. See the README's section for host implementers.

mod behaviour;
mod bindings;
mod connection;
pub mod contract;
mod expect;
pub mod host;
mod options;
pub mod plan;
pub mod registration;
pub mod report;
mod run;
mod spec;

pub use airssys_conformance_adapter as adapter;
pub use connection::{AdapterError, Failure};
pub use contract::{Contract, HostFunction};
pub use host::linker_runtime::suite_id;
pub use host::{
    ComponentId, ComponentRuntime, Grant, HostUnderTest, Id, LogRecord, Stubs, Unsupported, serve,
};
pub use plan::{Aspect, Limits, Outcome};
pub use report::{Provenance, Report, Row, TrialResult};
pub use run::Suite;
