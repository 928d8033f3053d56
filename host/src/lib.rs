//! The reference host of the `airssys:core` component contract, on wasmtime:
//! it serves guests of 1.0.0 and of the 1.1.0 draft, each interface under
//! both names ([`ContractVersion`]).
//!
//! Two ways in:
//! - [`Runtime`]: loads components under assigned ids, routes their messages,
//!   and runs them within their resource limits. Start here.
//! - [`register_host_functions`]: puts the host functions on a `Linker<T>`
//!   of your own, for an embedder with its own store data (see [`AirssysView`]);
//!   [`register_host_functions_serving`] for chosen versions only.
//!
//! The modules depend one way, as `wasmtime-wasi`'s do: what the host keeps
//! per WIT interface is below the context ([`storage`]'s backends,
//! [`messaging`]'s router, [`services`]' words, the [`registry`]); the
//! context (`AirssysHost`, `AirssysCtx`) holds it; the host functions that
//! answer a guest through the context are above it, one file per interface
//! (`host_functions/{storage,messaging,services}.rs`); the [`runtime`] is on
//! top. The behaviour clauses they implement (STO-*, MSG-*, SVC-*, SEC-*)
//! are in `docs/spec.md`.

#![deny(missing_docs)]

// The generated glue has no WIT docs to carry; the WIT's own items are documented in wit/.
#[allow(missing_docs)]
pub mod bindings;
mod bounded;
pub mod component_id;
pub mod config;
pub mod contract_version;
mod ctx;
mod host_functions;
mod log_sink;
pub mod messaging;
mod rate;
pub mod registry;
pub mod runtime;
pub mod security;
pub mod services;
pub mod storage;
mod view;

pub use bindings::airssys::core::types::{ComponentId, ComponentMessage, HealthStatus, LogLevel};
pub use config::{ConfigError, HostConfig, Limits, RateLimits, StorageConfig};
pub use contract_version::{ContractVersion, UnknownContractVersion};
pub use ctx::{AirssysCtx, AirssysHost, HostError};
pub use host_functions::{register_host_functions, register_host_functions_serving};
pub use log_sink::{LogBuffer, LogRecord, LogSink};
pub use runtime::{LoadOptions, Runtime};
pub use security::{AuditEvent, AuditSink, Capabilities, TargetPattern};
pub use view::AirssysView;

/// The modules of `src/`, lowest first: each may use those before it,
/// never one after it, so state sits below the context and the code that
/// answers guests above it.
#[cfg(test)]
const LAYERS: &[&str] = &[
    "bindings",
    "contract_version",
    "bounded",
    "config",
    "rate",
    "component_id",
    "log_sink",
    "security",
    "registry",
    "messaging",
    "storage",
    "services",
    "ctx",
    "view",
    "host_functions",
    "runtime",
];

#[cfg(test)]
#[test]
fn modules_depend_one_way() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    airssys_layers::assert_one_way(&src, LAYERS);
}
