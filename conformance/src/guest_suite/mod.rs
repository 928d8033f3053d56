//! The suite for built components ([`GuestSuite`], `--component
//! FILE.wasm`): the [`plan`] of trials, with the names and types of each
//! component's exports and imports judged from its type alone
//! (`airssys-component-types`), and the GST clauses judged by running it
//! ([`behaviour`]) in a place: the reference host in this process
//! (`on_reference_host`, feature `reference-host`) or any host through its
//! adapter ([`on_adapter`]).

mod behaviour;
mod host_lack;
mod lack_probes;
mod on_adapter;
#[cfg(feature = "reference-host")]
mod on_reference_host;
mod plan;
mod suite;
#[cfg(not(feature = "reference-host"))]
mod without_reference_host;

pub(crate) use plan::GuestPlan;
pub use suite::GuestSuite;
