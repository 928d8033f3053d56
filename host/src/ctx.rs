//! The host's shared state and the per-component context its host functions
//! run in. Both hold state from the modules below (storage backends, the
//! router, the registry, the log sink, the audit log); the host functions
//! that use the context are above it, in `host_functions`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bindings::airssys::core::types::ComponentId;
use crate::component_id::{InvalidComponentId, SharedId, validate_assigned};
use crate::config::{HostConfig, StorageConfig};
use crate::log_sink::LogSink;
use crate::messaging::router::Router;
use crate::rate::TokenBucket;
use crate::registry::Registry;
use crate::security::{AuditLog, AuditSink, Capabilities, Capability};
use crate::storage::backend::{BackendError, StorageBackend};
use crate::storage::memory::MemoryBackend;
use crate::storage::redb::RedbBackend;

/// What every component of one host shares: storage, router, registry, log sink, audit log.
pub struct AirssysHost {
    pub(crate) config: HostConfig,
    pub(crate) storage: Box<dyn StorageBackend>,
    pub(crate) router: Router,
    pub(crate) registry: Registry,
    pub(crate) log_sink: Option<Arc<dyn LogSink>>,
    pub(crate) audit: AuditLog,
}

/// Why a host could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// A [`HostConfig`] setting is invalid (HOST-4).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The redb file of [`StorageConfig::Redb`] could not be opened or created.
    #[error("cannot open the storage backend: {0}")]
    Storage(#[from] BackendError),
}

impl AirssysHost {
    /// A host with the storage backend `config.storage` names.
    pub fn new(config: HostConfig) -> Result<Self, HostError> {
        let storage: Box<dyn StorageBackend> = match &config.storage {
            StorageConfig::InMemory => Box::new(MemoryBackend::new()),
            StorageConfig::Redb(path) => Box::new(RedbBackend::open(path)?),
        };
        Self::with_backend(config, storage)
    }

    /// A host on a storage backend of the embedder's own.
    pub fn with_backend(
        config: HostConfig,
        storage: Box<dyn StorageBackend>,
    ) -> Result<Self, HostError> {
        config.validate()?;
        Ok(Self {
            router: Router::new(&config),
            registry: Registry::default(),
            log_sink: None,
            audit: AuditLog::new(config.audit_log_capacity),
            storage,
            config,
        })
    }

    /// Also hands every grant-checked call, allowed or refused, to `sink`
    /// (SEC-1.3); refusals are kept in [`audit_log`](Self::audit_log) either way.
    pub fn with_audit_sink(mut self, sink: Arc<dyn AuditSink>) -> Self {
        self.audit.set_sink(sink);
        self
    }

    /// Also sends every guest log record to `sink` (they always go to `tracing`).
    pub fn with_log_sink(mut self, sink: Arc<dyn LogSink>) -> Self {
        self.log_sink = Some(sink);
        self
    }

    /// The settings this host runs with, as validated at setup.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// The loaded components, in load order, with their metadata and health:
    /// to read only; a component is added and removed by the runtime's
    /// `load` and `unload` alone, after their checks.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The refused grant-checked calls, newest last, and the count of allowed ones (SEC-1.3).
    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }
}

/// The state the host functions see for one component: who is calling,
/// what it may do, and how much of its execution budget is left.
pub struct AirssysCtx {
    pub(crate) host: Arc<AirssysHost>,
    pub(crate) id: SharedId,
    /// The storage namespace: the id, rendered unambiguously.
    pub(crate) namespace: String,
    pub(crate) capabilities: Capabilities,
    budget: Duration,
    /// The budget of the call running now: `budget`, or less (SVC-6.2).
    call_budget: Duration,
    call_started: Option<Instant>,
    /// RES-2: this component's own buckets, so no lock is shared for them.
    messages: TokenBucket,
    storage_writes: TokenBucket,
}

/// What a rate limit counts (RES-2).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Rated {
    Messages,
    StorageWrites,
}

impl AirssysCtx {
    /// The context of the component the host assigned `id` to. `budget` is its
    /// `max-execution-time` per call (SVC-4). The id is checked as a load
    /// checks it (HOST-1): the storage namespace is the id as text, so `a/b`+`c`
    /// and `a`+`b/c` would share one.
    ///
    /// Public for embedders that run a component on a store and linker of
    /// their own (with `register_host_functions`),
    /// not in a `Runtime`: such a component is in no registry, so no
    /// message reaches it and `list-components` does not name it.
    pub fn new(
        host: Arc<AirssysHost>,
        id: ComponentId,
        capabilities: Capabilities,
        budget: Duration,
    ) -> Result<Self, InvalidComponentId> {
        Self::with_shared_id(host, SharedId::new(id), capabilities, budget)
    }

    /// [`new`](Self::new), with the id its registration and records share.
    pub(crate) fn with_shared_id(
        host: Arc<AirssysHost>,
        id: SharedId,
        capabilities: Capabilities,
        budget: Duration,
    ) -> Result<Self, InvalidComponentId> {
        validate_assigned(&id)?;
        let rates = host.config.rate_limits;
        Ok(Self {
            messages: TokenBucket::new(rates.messages_per_second),
            storage_writes: TokenBucket::new(rates.storage_writes_per_second),
            namespace: id.to_string(),
            host,
            id,
            capabilities,
            budget,
            call_budget: budget,
            call_started: None,
        })
    }

    /// The id the host assigned to this component; `self-id` returns it (MSG-1).
    pub fn id(&self) -> &ComponentId {
        &self.id
    }

    /// Marks the start of a call into the component; `sleep-millis` measures
    /// the remaining budget from here.
    pub fn begin_call(&mut self) {
        self.begin_call_within(self.budget);
    }

    /// Like [`begin_call`](Self::begin_call), for a call that may run no
    /// longer than `limit` (or the component's budget, if that is shorter).
    pub(crate) fn begin_call_within(&mut self, limit: Duration) {
        self.call_budget = self.budget.min(limit);
        self.call_started = Some(Instant::now());
    }

    pub(crate) fn remaining_budget(&self) -> Duration {
        let used = self.call_started.map_or(Duration::ZERO, |s| s.elapsed());
        self.call_budget.saturating_sub(used)
    }

    /// `Err(reason)` when `capability` is not granted (SEC-1); the check is
    /// audited either way (SEC-1.3).
    pub(crate) fn authorize(
        &self,
        capability: Capability,
        target: Option<&ComponentId>,
    ) -> Result<(), String> {
        let verdict = self.capabilities.check(capability, target);
        self.audit(capability, target, &verdict);
        verdict
    }

    /// `Err(reason)` when this call's `n` would go over the component's rate
    /// (RES-2); a refusal is audited as a capability refusal is.
    pub(crate) fn within_rate(
        &mut self,
        rated: Rated,
        n: usize,
        capability: Capability,
        target: Option<&ComponentId>,
    ) -> Result<(), String> {
        let (bucket, what, field) = match rated {
            Rated::Messages => (&mut self.messages, "messages", "messages_per_second"),
            Rated::StorageWrites => (
                &mut self.storage_writes,
                "storage writes",
                "storage_writes_per_second",
            ),
        };
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        if bucket.take(n, Instant::now()) {
            return Ok(());
        }
        let per_second = bucket.per_second();
        let refusal = Err(format!(
            "rate limit: over {per_second} {what} per second \
             (HostConfig::rate_limits.{field}); this call needed {n}"
        ));
        self.audit(capability, target, &refusal);
        refusal
    }

    fn audit(
        &self,
        capability: Capability,
        target: Option<&ComponentId>,
        verdict: &Result<(), String>,
    ) {
        self.host.audit.check(&self.id, capability, target, verdict);
    }
}
