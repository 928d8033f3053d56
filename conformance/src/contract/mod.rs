//! Reading the contract: the functions, types and clause IDs of `wit/`
//! (from `airssys-component-types`, which the `airssys` command line shares),
//! and the clauses' summaries from `docs/spec.md` ([`spec`]), for failure
//! messages.

pub(crate) mod spec;

pub use airssys_component_types::contract::*;
