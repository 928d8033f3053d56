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
//! Modules depend one way, each only on those before it in this order (the
//! test `modules_depend_one_way` holds them to it): `bindings`, `text`, `wire`,
//! `spec`, `contract`, `trials`, `connection`, `registration`, `host`,
//! `guest`, `behaviour`, `engine`, `expect`, `report`, `diff`, `options`, `repeat` (the command that
//! repeats a failure), `runner`
//! (one way to run a plan of trials), `guest_suite`, `suite`,
//! `command_line`.

#![warn(missing_docs)]

mod behaviour;
mod bindings;
mod command_line;
mod connection;
pub mod contract;
mod diff;
mod engine;
mod expect;
pub mod guest;
mod guest_suite;
pub mod host;
mod options;
mod registration;
mod repeat;
pub mod report;
mod runner;
mod spec;
mod suite;
mod text;
mod trials;
mod wire;

pub use airssys_conformance_adapter as adapter;
pub use airssys_conformance_adapter::suite_id;
pub use connection::{AdapterError, Failure};
pub use contract::{Contract, HostFunction};
pub use diff::{Change, Diff, Judged};
pub use guest_suite::GuestSuite;
pub use host::{
    Capabilities, ComponentId, ComponentRuntime, Grant, HostUnderTest, LogRecord, Runtime, Stubs,
    serve,
};
pub use report::{Provenance, Report, Row, Tally, TrialResult};
pub use suite::Suite;
pub use trials::{Aspect, Limits, Outcome};

#[cfg(test)]
mod layers {
    /// The crate's modules, lowest first, each on a layer of its own: a
    /// module may use those before it, never one after it, so no two
    /// modules use each other.
    const ORDER: &[&str] = &[
        "bindings",
        "text",
        "wire",
        "spec",
        "contract",
        "trials",
        "connection",
        "registration",
        "host",
        "guest",
        "behaviour",
        "engine",
        "expect",
        "report",
        "diff",
        "options",
        "repeat",
        "runner",
        "guest_suite",
        "suite",
        "command_line",
    ];

    fn layer(module: &str) -> usize {
        ORDER
            .iter()
            .position(|m| *m == module)
            .unwrap_or_else(|| panic!("module `{module}` is not in `ORDER`"))
    }

    /// The crate modules `text` names: `crate::a::…` and each path of a
    /// group, `crate::{a::X, b}`.
    fn used(text: &str) -> Vec<String> {
        let first = |path: &str| -> String {
            path.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        };
        let mut used = Vec::new();
        for after in text.split("crate::").skip(1) {
            let Some(group) = after.strip_prefix('{') else {
                used.push(first(after));
                continue;
            };
            // The group's top-level paths, split at commas outside nested braces.
            let mut depth = 0;
            let mut start = 0;
            for (at, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        used.push(first(&group[start..at]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        used.push(first(&group[start..at]));
                        start = at + 1;
                    }
                    _ => {}
                }
            }
        }
        used.retain(|m| !m.is_empty() && m != "self");
        used
    }

    #[test]
    fn grouped_imports_are_read() {
        assert_eq!(
            used(
                "use crate::{report::Report, wire::{Grant, ComponentId}, trials};\nuse crate::host::X;"
            ),
            ["report", "wire", "trials", "host"]
        );
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
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&src).unwrap();
            let module = relative.iter().next().unwrap().to_str().unwrap();
            let module = module.trim_end_matches(".rs");
            if matches!(module, "lib" | "main") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for used in used(&text) {
                if used != module && layer(&used) > layer(module) {
                    wrong.push(format!("{} uses `{used}`", relative.display()));
                }
            }
        }
        assert!(wrong.is_empty(), "upward dependencies: {wrong:#?}");
    }
}
