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
//!
//! It judges built components too ([`GuestSuite`], `--component
//! FILE.wasm`): their exports and imports by name and type, and the GST
//! clauses by running them on the reference host.
//!
//! The source, lowest layer first; each top-level module uses only those
//! above it in this table (the test `modules_depend_one_way` holds them to
//! it, through `airssys-layers`):
//!
//! | module | what it is |
//! |---|---|
//! | `text`, `wire` | words as verdicts show them; ids and grants as every side carries them |
//! | [`contract`] | the contract read from `wit/` (`airssys-component-types`), clause summaries from `docs/spec.md` |
//! | `trials` | what a trial is: function, aspect, outcome, [`TimeLimits`] |
//! | [`report`] | what a run concluded, in every format, and the diff of two runs |
//! | `connection` | the adapter protocol's suite side: processes, threads, a pool; `in_process` serves a [`HostUnderTest`] as an adapter |
//! | `running` | the runner, the suite's options, `--expect`, the command that repeats a trial |
//! | `host_suite` | [`Suite`]: the plan, registration (name and signature), the clause checks |
//! | `guest_suite` | [`GuestSuite`]: built components, on the reference host (feature `reference-host`) or an adapter's |
//! | `command_line` | `airssys-conformance`'s arguments, then a host's suite or a guest suite |
//!
//! Feature `reference-host` (default) builds the reference host in, for
//! `--component` without `--adapter`; without it the suite does not
//! compile `airssys-host` (redb, tokio, wasmtime-wasi).

#![warn(missing_docs)]

mod command_line;
mod connection;
pub mod contract;
mod guest_suite;
mod host_suite;
pub mod report;
mod running;
mod text;
mod trials;
mod wire;

pub use airssys_conformance_adapter as adapter;
pub use airssys_conformance_adapter::suite_id;
pub use connection::in_process::{
    Capabilities, ComponentId, ComponentRuntime, Grant, HostUnderTest, LogRecord, Runtime, Stubs,
    serve,
};
pub use connection::{AdapterError, Failure};
pub use contract::{Contract, HostFunction};
pub use guest_suite::GuestSuite;
pub use host_suite::Suite;
pub use report::diff::{Change, Diff, Judged};
pub use report::{Provenance, Report, Row, Tally, TrialResult};
pub use trials::{Aspect, Outcome, TimeLimits};

/// The old name of [`TimeLimits`], which read as a host's resource limits
/// (`airssys_host::Limits`); kept so that embedders keep compiling.
#[deprecated(note = "renamed `TimeLimits`: how long the suite waits, not a host's limits")]
pub type Limits = TimeLimits;

/// The in-process host API under its old path.
#[deprecated(note = "use the crate root: `airssys_conformance::{HostUnderTest, serve, ...}`")]
pub mod host {
    pub use crate::connection::in_process::{
        Capabilities, ComponentId, ComponentRuntime, Grant, HostUnderTest, LogRecord, Runtime,
        Stubs, serve,
    };
}

/// A component's imports and exports judged by type, under their old path.
#[deprecated(note = "use `airssys_component_types`, which does not build the suite")]
pub mod guest {
    pub use airssys_component_types::{
        ExportVerdict, ImportChecker, ImportVerdict, Provider, check_exports, provided,
        reference_component, signature, wit,
    };
}

#[cfg(test)]
mod layers {
    /// The crate's top-level modules, lowest first: a module may use those
    /// before it, never one after it.
    const ORDER: &[&str] = &[
        "text",
        "wire",
        "contract",
        "trials",
        "report",
        "connection",
        "running",
        "host_suite",
        "guest_suite",
        "command_line",
    ];

    #[test]
    fn modules_depend_one_way() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        airssys_layers::assert_one_way(&src, ORDER);
    }
}
