//! The contract's limits, at the defaults `docs/spec.md` gives them: what a
//! host allows unless it is configured otherwise, and what the conformance
//! suite and the [`testing`](crate::testing) host hold to.
//!
//! A host may be configured with other values; the ones a component can
//! ask for at run time, it should: the quota and key count from
//! [`storage::usage`](crate::storage::usage), the execution budget from
//! [`Config::resource_limits`](crate::Config). Use these to size what a
//! component sends or stores up front, e.g. to refuse a payload a peer would
//! never get, with a reason, instead of letting the host refuse it.
//!
//! ```
//! use airssys_guest::limits;
//!
//! let timeout = std::time::Duration::from_secs(90 * 60).min(limits::REQUEST_TIMEOUT);
//! assert_eq!(timeout.as_secs(), 60 * 60);
//! assert_eq!(limits::MESSAGE_BYTES, 1024 * 1024);
//! ```

use std::time::Duration;

pub use airssys_contract::limits::*;

/// [`REQUEST_TIMEOUT_MS`] as a `Duration`: the longest timeout
/// [`messaging::request`](crate::messaging::request) may ask for (MSG-6.2).
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(REQUEST_TIMEOUT_MS);

/// [`EXECUTION_TIME_MS`] as a `Duration`: the budget of one call into the
/// component, sleeps included (SVC-4.1).
pub const EXECUTION_TIME: Duration = Duration::from_millis(EXECUTION_TIME_MS);

/// [`HEALTH_BUDGET_MS`] as a `Duration`: how long
/// [`Component::health`](crate::Component::health) may take when another
/// component asks (SVC-6.2).
pub const HEALTH_BUDGET: Duration = Duration::from_millis(HEALTH_BUDGET_MS);

/// The shortest timeout a request may ask for: one millisecond, as zero is
/// refused (MSG-6) and timeouts are whole milliseconds.
pub const REQUEST_TIMEOUT_MIN: Duration = Duration::from_millis(1);
