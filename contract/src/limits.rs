//! The defaults `docs/spec.md` gives the contract's limits. A host may
//! configure others; the conformance suite judges hosts at these defaults,
//! and the SDK's test host and the reference host start from them.

/// The longest key, in bytes (STO-8).
pub const KEY_BYTES: usize = 1024;

/// Keys one component may store (STO-9.1): with the quota, this bounds the
/// host memory a component's keys take, however short they are.
pub const KEYS: usize = 64 * 1024;

/// Each component's storage quota, in bytes: key bytes plus value bytes (STO-7.1).
pub const STORAGE_QUOTA_BYTES: u64 = 10 * 1024 * 1024;

/// The execution budget of a call into a component, `max-execution-time`,
/// in ms (SVC-4.1, SEC-2.1).
pub const EXECUTION_TIME_MS: u64 = 5_000;

/// The longest another component's `get-component-metadata` may run a
/// component's `health` export, in ms (SVC-6.2).
pub const HEALTH_BUDGET_MS: u64 = 100;

/// The largest message payload, in bytes (MSG-9).
pub const MESSAGE_BYTES: usize = 1024 * 1024;

/// Undelivered messages a target's queue holds (MSG-9).
pub const QUEUE_DEPTH: usize = 1024;

/// Undelivered payload bytes one target's queue holds, callbacks included (MSG-9.3).
pub const QUEUED_BYTES: usize = 64 * 1024 * 1024;

/// The longest `timeout-ms` a request may ask for (MSG-6.2): one hour.
pub const REQUEST_TIMEOUT_MS: u64 = 60 * 60 * 1000;

/// Requests one component may have pending at once (MSG-5.2).
pub const PENDING_REQUESTS: usize = 1024;

/// The longest log message kept whole, in bytes; longer ones are cut (SVC-1.1).
pub const LOG_MESSAGE_BYTES: usize = 16 * 1024;

/// Log context kept per record: key and value bytes added up, in order
/// (SVC-1.1). Pairs past it are dropped and the drop is marked.
pub const LOG_CONTEXT_BYTES: usize = 4 * 1024;
