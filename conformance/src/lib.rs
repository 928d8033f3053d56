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
//! Modules depend one way, from the contract up to the suite (the test
//! `modules_depend_one_way` holds them to it):
//! `contract`, `spec`, `wire`, `bindings` → `trials` → `connection`, `host`,
//! `registration` → `behaviour` → `engine` → `expect`, `report` →
//! `options`, `run`, `guest_suite`.

#![warn(missing_docs)]

mod behaviour;
mod bindings;
mod connection;
pub mod contract;
mod engine;
mod expect;
pub mod guest;
mod guest_suite;
pub mod host;
mod options;
mod registration;
pub mod report;
mod run;
mod spec;
mod trials;
mod wire;

pub use airssys_conformance_adapter as adapter;
pub use airssys_conformance_adapter::suite_id;
pub use connection::{AdapterError, Failure};
pub use contract::{Contract, HostFunction};
pub use guest_suite::GuestSuite;
pub use host::{
    Capabilities, ComponentId, ComponentRuntime, Grant, HostUnderTest, LogRecord, Runtime, Stubs,
    serve,
};
pub use report::{Provenance, Report, Row, TrialResult};
pub use run::Suite;
pub use trials::{Aspect, Limits, Outcome};

#[cfg(test)]
mod layers {
    /// The crate's modules, lowest first; a module may use modules of lower
    /// layers and of its own, never of a higher one.
    const LAYERS: &[&[&str]] = &[
        &["bindings", "contract", "spec", "wire"],
        &["trials"],
        &["connection", "guest", "host", "registration"],
        &["behaviour"],
        &["engine"],
        &["expect", "report"],
        &["options", "run", "guest_suite"],
    ];

    fn layer(module: &str) -> usize {
        LAYERS
            .iter()
            .position(|layer| layer.contains(&module))
            .unwrap_or_else(|| panic!("module `{module}` is in no layer of `LAYERS`"))
    }

    #[test]
    fn modules_depend_one_way() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = vec![src.clone()];
        let mut wrong = Vec::new();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let module = relative.iter().next().unwrap().to_str().unwrap();
            let module = module.trim_end_matches(".rs");
            if matches!(module, "lib" | "main") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for used in text.split("crate::").skip(1) {
                let used: String = used
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if used.is_empty() || used == module {
                    continue;
                }
                if layer(&used) > layer(module) {
                    wrong.push(format!("{} uses `{used}`", relative.display()));
                }
            }
        }
        assert!(wrong.is_empty(), "upward dependencies: {wrong:#?}");
    }
}
