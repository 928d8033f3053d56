//! The reference host of the `airssys:core@1.0.0` component contract, on wasmtime.
//!
//! Two ways in:
//! - [`Runtime`]: loads components under assigned ids, routes their messages,
//!   and runs them within their resource limits. Start here.
//! - [`register_host_functions`]: puts the 17 host functions on a `Linker<T>`
//!   of your own, for an embedder with its own store data (see [`AirssysView`]).
//!
//! Module per WIT interface: [`storage`], [`messaging`] (`host-messaging`),
//! [`services`] (`host-services`). The behaviour clauses they implement
//! (STO-*, MSG-*, SVC-*, SEC-*) are in `docs/spec.md`.

#![deny(missing_docs)]

// The generated glue has no WIT docs to carry; the WIT's own items are documented in wit/.
#[allow(missing_docs)]
pub mod bindings;
mod bounded;
pub mod component_id;
pub mod config;
mod ctx;
mod log_sink;
pub mod messaging;
mod rate;
pub mod registry;
pub mod runtime;
pub mod security;
pub mod services;
pub mod storage;

pub use bindings::airssys::core::types::{ComponentId, ComponentMessage, HealthStatus, LogLevel};
pub use config::{ConfigError, HostConfig, Limits, RateLimits, StorageConfig};
pub use ctx::{AirssysCtx, AirssysHost, AirssysView, HostError, register_host_functions};
pub use log_sink::{LogBuffer, LogRecord, LogSink};
pub use runtime::{LoadOptions, Runtime};
pub use security::{AuditEvent, AuditSink, Capabilities, TargetPattern};
