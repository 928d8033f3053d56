//! The conformance suite of the `airssys:core@1.0.0` component contract.
//!
//! For each of the contract's imported functions, read from `wit/`, the suite
//! runs a **name** trial (registered where components import it from?), a
//! **signature** trial (with the contract's type?), and a **behaviour** trial
//! per clause ID the function's doc comment names (`docs/spec.md`).
//!
//! A host plugs in through [`HostUnderTest`]; see the README's section for
//! host implementers, and `conformance/tests/conformance.rs` for the
//! reference host's twenty lines.

mod behaviour;
mod bindings;
pub mod contract;
mod guests;
pub mod host;
mod linker_runtime;
pub mod plan;
pub mod registration;
pub mod report;
mod run;
mod spec;

pub use contract::{Contract, HostFunction};
pub use host::{ComponentRuntime, Grant, HostUnderTest, Id, LogRecord, Stubs, Unsupported};
pub use linker_runtime::suite_id;
pub use plan::{Aspect, Outcome};
pub use report::{Report, Row, TrialResult};
pub use run::Suite;
