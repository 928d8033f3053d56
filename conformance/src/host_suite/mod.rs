//! The suite for a host ([`Suite`]): the [`plan`] of trials derived from the
//! contract (for each imported function a name trial, a signature trial, and
//! one behaviour trial per clause), the name and signature verdicts read
//! from which probe components the host instantiates ([`registration`]),
//! and one check per behaviour clause ([`clauses`]).

pub(crate) mod clauses;
pub(crate) mod plan;
pub(crate) mod registration;
mod suite;

pub use suite::Suite;
