//! Host settings: limits, budgets and the storage backend, with defaults that
//! need no setup and a check that explains every invalid value.

use std::path::PathBuf;
use std::time::Duration;

use airssys_contract::limits;

/// Where component storage lives.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum StorageConfig {
    /// Lost when the host stops; the default, so nothing needs setting up.
    #[default]
    InMemory,
    /// A redb database file, created if missing; survives restarts (STO-11).
    Redb(PathBuf),
}

/// Settings of a reference host. Every field has a default; see [`HostConfig::validate`].
///
/// `#[non_exhaustive]`, so that a setting more is not a break: outside this
/// crate, start from the defaults and change what you need,
/// `HostConfig::default_with(|config| config.queue_depth = 64)`, or set the
/// fields of a `HostConfig::default()`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostConfig {
    /// Where component storage lives; in memory by default.
    pub storage: StorageConfig,
    /// Per-component storage quota: key bytes plus value bytes (STO-7, STO-9).
    pub storage_quota_bytes: u64,
    /// Keys one component may store (STO-9.1).
    pub max_keys: usize,
    /// Longest accepted storage key, in bytes (STO-8).
    pub max_key_bytes: usize,
    /// Keys one `get-many` (1.1.0, STO-12) may ask for; more fail the call
    /// with `io-error` naming this setting. Default 1024. Its answer is
    /// bounded by `storage_quota_bytes` as well.
    pub max_get_many_keys: usize,
    /// Largest accepted message payload, in bytes (MSG-9).
    pub max_message_bytes: usize,
    /// Undelivered messages a target may have queued (MSG-9).
    pub queue_depth: usize,
    /// Payload bytes undelivered to one target, callbacks included (MSG-9.3).
    pub max_queued_bytes: usize,
    /// The longest `timeout-ms` a request may ask for (MSG-6.2).
    pub max_request_timeout: Duration,
    /// Requests one component may have pending at once (MSG-5.2).
    pub max_pending_requests: usize,
    /// Log messages longer than this are cut, and the cut is marked (SVC-1).
    pub max_log_message_bytes: usize,
    /// Context kept per log record, key and value bytes added up; later pairs
    /// are dropped and the drop is marked (SVC-1.1). 0 keeps none.
    pub max_log_context_bytes: usize,
    /// Limits for components loaded without their own.
    pub default_limits: Limits,
    /// SVC-6.2: the longest `get-component-metadata` runs the target's
    /// `health` export (default 100 ms), in place of the target's own call
    /// budget, so that one component cannot stall another's call for long.
    pub health_budget: Duration,
    /// How often the execution-budget clock ticks; budgets are enforced to this granularity.
    pub epoch_tick: Duration,
    /// Meter fuel, so that `max-fuel` limits can be enforced. Off by default:
    /// every guest instruction pays for it, and the execution budget (epoch
    /// interruption) already ends a guest that runs too long.
    pub fuel_metering: bool,
    /// The longest metadata `name` and `version` a component may have; the
    /// registry keeps both while it is loaded (HOST-2.1).
    pub max_metadata_text_bytes: usize,
    /// Core instances a component may create, and as many memories and
    /// tables (SEC-2.2); its memories and tables share its `max-memory-bytes`.
    pub max_core_instances: usize,
    /// Messages and storage writes each component may make per second (RES-2).
    pub rate_limits: RateLimits,
    /// Refused calls the audit log keeps; older ones are dropped and counted (SEC-1).
    pub audit_log_capacity: usize,
    /// Resource handles a component may hold at once (SEC-2.4): WASI's (a
    /// pollable, a stream) and its own component-model resources, each
    /// counted separately. Creating one more traps.
    pub max_resource_handles: usize,
}

/// The default of [`HostConfig::max_get_many_keys`]: a host's choice, as the
/// 1.1.0 draft gives `get-many` no limit. With keys of at most
/// `max_key_bytes`, one call's keys take at most 1 MiB at the defaults.
pub const GET_MANY_KEYS: usize = 1024;

/// What one host call may copy in beyond its largest argument (SEC-2.4):
/// the ids, the content type and the other small arguments beside it.
pub const HOSTCALL_HEADROOM_BYTES: usize = 1024 * 1024;

/// Per-component rates (RES-2): up to one second's worth at once, then this
/// many per second on average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Deliveries a component may ask for: a `send` or `request` is one, a
    /// `broadcast` one per target.
    pub messages_per_second: u32,
    /// `set` and `delete` calls.
    pub storage_writes_per_second: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            messages_per_second: 10_000,
            storage_writes_per_second: 10_000,
        }
    }
}

/// The host's side of the WIT `resource-limits` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes all the component's linear memories and tables may take
    /// together (SEC-2.2); default 64 MiB.
    pub max_memory_bytes: u64,
    /// The execution budget: how long one call into the component may run,
    /// counted from its start (SVC-4.1, SEC-2.1); default 5 s.
    pub max_execution_time: Duration,
    /// Fuel one call may use, if set; needs [`HostConfig::fuel_metering`]
    /// (SEC-2.1). Default `None`: no fuel limit.
    pub max_fuel: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_bytes: 64 * 1024 * 1024,
            max_execution_time: Duration::from_millis(limits::EXECUTION_TIME_MS),
            max_fuel: None,
        }
    }
}

impl HostConfig {
    /// The defaults, with `change` made to them.
    pub fn default_with(change: impl FnOnce(&mut Self)) -> Self {
        let mut config = Self::default();
        change(&mut config);
        config
    }
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            storage: StorageConfig::default(),
            storage_quota_bytes: limits::STORAGE_QUOTA_BYTES,
            max_key_bytes: limits::KEY_BYTES,
            max_keys: limits::KEYS,
            max_get_many_keys: GET_MANY_KEYS,
            max_message_bytes: limits::MESSAGE_BYTES,
            queue_depth: limits::QUEUE_DEPTH,
            max_queued_bytes: limits::QUEUED_BYTES,
            max_request_timeout: Duration::from_millis(limits::REQUEST_TIMEOUT_MS),
            max_pending_requests: limits::PENDING_REQUESTS,
            max_log_message_bytes: limits::LOG_MESSAGE_BYTES,
            max_log_context_bytes: limits::LOG_CONTEXT_BYTES,
            default_limits: Limits::default(),
            health_budget: Duration::from_millis(limits::HEALTH_BUDGET_MS),
            epoch_tick: Duration::from_millis(5),
            fuel_metering: false,
            max_core_instances: 100,
            max_metadata_text_bytes: 1024,
            rate_limits: RateLimits::default(),
            audit_log_capacity: 4096,
            max_resource_handles: 4096,
        }
    }
}

/// A setting the host cannot run with, and what to set instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid host setting `{field}`: {problem}; {fix}")]
#[non_exhaustive]
pub struct ConfigError {
    /// The [`HostConfig`] field at fault, e.g. `"queue_depth"` or
    /// `"rate_limits.messages_per_second"`.
    pub field: &'static str,
    /// What is wrong with its value, e.g. `"is 0"`.
    pub problem: String,
    /// What to set instead, with the default where one applies.
    pub fix: String,
}

impl HostConfig {
    /// The most one host call may copy in from a guest, and one export's
    /// results from it (SEC-2.4): the largest argument this host can accept
    /// (a value that fills the storage quota with the longest key, or a
    /// message at the limit) and [`HOSTCALL_HEADROOM_BYTES`]. 11 MiB at the
    /// defaults; wasmtime's own default is 128 MiB.
    pub fn hostcall_bytes(&self) -> usize {
        let value = usize::try_from(self.storage_quota_bytes).unwrap_or(usize::MAX);
        value
            .saturating_add(self.max_key_bytes)
            .max(self.max_message_bytes)
            .saturating_add(HOSTCALL_HEADROOM_BYTES)
    }

    /// Checks every setting; the error names the field and a value that works.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let defaults = Self::default();
        let at_least_one = |field: &'static str, value: u64, default: u64| {
            if value == 0 {
                Err(ConfigError {
                    field,
                    problem: "is 0".into(),
                    fix: format!("set it to at least 1 (the default is {default})"),
                })
            } else {
                Ok(())
            }
        };
        at_least_one(
            "storage_quota_bytes",
            self.storage_quota_bytes,
            defaults.storage_quota_bytes,
        )?;
        at_least_one(
            "max_key_bytes",
            self.max_key_bytes as u64,
            defaults.max_key_bytes as u64,
        )?;
        at_least_one(
            "max_message_bytes",
            self.max_message_bytes as u64,
            defaults.max_message_bytes as u64,
        )?;
        at_least_one(
            "queue_depth",
            self.queue_depth as u64,
            defaults.queue_depth as u64,
        )?;
        if self.max_queued_bytes < self.max_message_bytes {
            return Err(ConfigError {
                field: "max_queued_bytes",
                problem: format!(
                    "is {}, less than max_message_bytes {}, so a message of the limit could never be queued",
                    self.max_queued_bytes, self.max_message_bytes
                ),
                fix: format!(
                    "set it to at least max_message_bytes (the default is {})",
                    defaults.max_queued_bytes
                ),
            });
        }
        at_least_one("max_keys", self.max_keys as u64, defaults.max_keys as u64)?;
        at_least_one(
            "max_get_many_keys",
            self.max_get_many_keys as u64,
            defaults.max_get_many_keys as u64,
        )?;
        at_least_one(
            "max_pending_requests",
            self.max_pending_requests as u64,
            defaults.max_pending_requests as u64,
        )?;
        at_least_one(
            "max_request_timeout",
            self.max_request_timeout.as_millis() as u64,
            defaults.max_request_timeout.as_millis() as u64,
        )?;
        at_least_one(
            "audit_log_capacity",
            self.audit_log_capacity as u64,
            defaults.audit_log_capacity as u64,
        )?;
        at_least_one(
            "rate_limits.messages_per_second",
            self.rate_limits.messages_per_second.into(),
            defaults.rate_limits.messages_per_second.into(),
        )?;
        at_least_one(
            "rate_limits.storage_writes_per_second",
            self.rate_limits.storage_writes_per_second.into(),
            defaults.rate_limits.storage_writes_per_second.into(),
        )?;
        at_least_one(
            "max_metadata_text_bytes",
            self.max_metadata_text_bytes as u64,
            defaults.max_metadata_text_bytes as u64,
        )?;
        at_least_one(
            "max_core_instances",
            self.max_core_instances as u64,
            defaults.max_core_instances as u64,
        )?;
        at_least_one(
            "max_log_message_bytes",
            self.max_log_message_bytes as u64,
            defaults.max_log_message_bytes as u64,
        )?;
        at_least_one(
            "max_resource_handles",
            self.max_resource_handles as u64,
            defaults.max_resource_handles as u64,
        )?;
        at_least_one(
            "health_budget",
            self.health_budget.as_millis() as u64,
            defaults.health_budget.as_millis() as u64,
        )?;
        if self.epoch_tick.is_zero() || self.epoch_tick > Duration::from_secs(1) {
            return Err(ConfigError {
                field: "epoch_tick",
                problem: format!("is {:?}", self.epoch_tick),
                fix: format!(
                    "choose between 1 ms and 1 s (the default is {:?})",
                    defaults.epoch_tick
                ),
            });
        }
        self.check_limits("default_limits", &self.default_limits)
    }

    /// Checks limits given to one component against these settings.
    pub fn check_limits(&self, field: &'static str, limits: &Limits) -> Result<(), ConfigError> {
        if limits.max_memory_bytes == 0 {
            return Err(ConfigError {
                field,
                problem: "max_memory_bytes is 0".into(),
                fix: "allow at least the guest's initial memory, e.g. 16 MiB".into(),
            });
        }
        if limits.max_execution_time < self.epoch_tick {
            return Err(ConfigError {
                field,
                problem: format!(
                    "max_execution_time {:?} is shorter than epoch_tick {:?}",
                    limits.max_execution_time, self.epoch_tick
                ),
                fix: "raise max_execution_time or lower epoch_tick".into(),
            });
        }
        if limits.max_fuel.is_some() && !self.fuel_metering {
            return Err(ConfigError {
                field,
                problem: "max_fuel is set but fuel_metering is off".into(),
                fix: "turn fuel_metering on or leave max_fuel as None".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        HostConfig::default().validate().unwrap();
    }

    #[test]
    fn zero_quota_names_field_and_default() {
        let config = HostConfig {
            storage_quota_bytes: 0,
            ..HostConfig::default()
        };
        let error = config.validate().unwrap_err();
        assert_eq!(error.field, "storage_quota_bytes");
        assert!(
            error.to_string().contains("the default is 10485760"),
            "{error}"
        );
    }

    #[test]
    fn fuel_limit_without_metering_is_refused() {
        let config = HostConfig {
            fuel_metering: false,
            default_limits: Limits {
                max_fuel: Some(1_000),
                ..Limits::default()
            },
            ..HostConfig::default()
        };
        assert!(config.validate().unwrap_err().problem.contains("fuel"));
    }

    #[test]
    fn budget_shorter_than_tick_is_refused() {
        let config = HostConfig {
            epoch_tick: Duration::from_millis(50),
            default_limits: Limits {
                max_execution_time: Duration::from_millis(10),
                ..Limits::default()
            },
            ..HostConfig::default()
        };
        assert_eq!(config.validate().unwrap_err().field, "default_limits");
    }
}
