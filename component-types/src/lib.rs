//! The `airssys:core@1.0.0` contract as read from `wit/` ([`contract`]), and
//! a built component judged against it by its type alone, without running
//! it: its exports ([`check_exports`]) and its imports ([`ImportChecker`],
//! [`provided`]), told in WIT ([`wit`], [`signature`]).
//!
//! The conformance suite (`airssys-conformance`) and the `airssys` command
//! line (`airssys inspect`, `airssys componentize`) both read components
//! this way; this crate is what they share, so that neither needs the other
//! (nor a host) for it.

#![warn(missing_docs)]

pub mod contract;
mod exports;
mod imports;
pub mod tracks;

pub use contract::Contract;
pub use exports::{ExportVerdict, check_exports, reference_component, signature, wit};
pub use imports::{
    ImportChecker, ImportVerdict, Linked, Provider, interface_of, linked_by, provided, provided_by,
};
