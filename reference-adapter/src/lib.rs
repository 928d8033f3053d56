//! The reference host as a [`HostUnderTest`]: served as an adapter process
//! by this crate's binary, run in process by `cargo conformance`. Its
//! registration is replaceable, so the broken-host fixtures reuse the rest,
//! and it can serve chosen contract versions only ([`ReferenceHost::serving`]):
//! with 1.0.0 alone it is a host that has not updated.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use airssys_conformance::adapter::{AdapterError, Handled, Handler, Message, Metadata};
use airssys_conformance::{
    self as suite, ComponentRuntime, Grant, HostUnderTest, LogRecord, Stubs,
};
use airssys_host::runtime::ComponentState;
use airssys_host::runtime::engine::engine_config;
use airssys_host::storage::memory::MemoryBackend;
use airssys_host::{
    AirssysCtx, AirssysHost, Capabilities, ComponentMessage, ContractVersion, HealthStatus,
    HostConfig, Limits, LoadOptions, LogBuffer, LogLevel, Runtime, StorageConfig, TargetPattern,
    register_host_functions_serving,
};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

/// Puts host functions on a linker: the reference's, or a fixture's.
pub type Registration = fn(&mut Linker<ComponentState>) -> wasmtime::Result<()>;

/// What the host lets the component it loads as the id do for a grant:
/// [`reference_grants`], or a fixture's that grants too much.
pub type Grants = fn(&suite::ComponentId, Grant) -> Capabilities;

/// How a reference host puts host functions on its linkers.
#[derive(Clone)]
enum Registering {
    /// The reference's own, for these versions of the contract.
    Serving(Vec<ContractVersion>),
    /// A fixture's, given to [`ReferenceHost::with_registration`].
    Fixture(Registration),
}

impl Registering {
    fn register(&self, linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
        match self {
            Registering::Serving(versions) => register_host_functions_serving(linker, versions),
            Registering::Fixture(registration) => registration(linker),
        }
    }
}

pub struct ReferenceHost {
    name: String,
    registration: Registering,
    grants: Grants,
    offers_runtime: bool,
    offers_wasi: bool,
    in_memory: bool,
    /// Storage and registry for components the suite instantiates itself.
    shared: Arc<AirssysHost>,
}

impl Default for ReferenceHost {
    fn default() -> Self {
        Self::new()
    }
}

impl ReferenceHost {
    /// The reference host, serving every version of the contract it can
    /// ([`ContractVersion::ALL`]: 1.0.0 and 1.1.0).
    pub fn new() -> Self {
        Self::registering(
            "reference",
            Registering::Serving(ContractVersion::ALL.to_vec()),
        )
    }

    /// The reference host with a fixture's host functions in place of its own.
    pub fn with_registration(name: &str, registration: Registration) -> Self {
        Self::registering(name, Registering::Fixture(registration))
    }

    fn registering(name: &str, registration: Registering) -> Self {
        Self {
            name: name.into(),
            registration,
            grants: |_, grant| reference_grants(grant),
            offers_runtime: true,
            offers_wasi: true,
            in_memory: false,
            shared: Arc::new(AirssysHost::new(HostConfig::default()).expect("default config")),
        }
    }

    /// Its own host functions for `versions` only, on its linker and in its
    /// runtime alike (replacing a fixture's): with `&[ContractVersion::V1_0_0]`
    /// it is a host that has not updated, which the suite judged against
    /// 1.1.0 fails exactly on what 1.1.0 adds. The name says which it serves.
    pub fn serving(mut self, versions: &[ContractVersion]) -> Self {
        self.registration = Registering::Serving(versions.to_vec());
        if versions != ContractVersion::ALL {
            let served: Vec<&str> = versions.iter().map(|v| v.as_str()).collect();
            self.name
                .push_str(&format!(" (serves {} only)", served.join(", ")));
        }
        self
    }

    /// Its runtime on memory storage instead of redb, so that the suite
    /// judges that backend too. A restart keeps the same memory: STO-11 then
    /// judges the runtime's restart, not durability.
    pub fn in_memory(mut self) -> Self {
        self.in_memory = true;
        self.name.push_str(" (memory storage)");
        self
    }

    /// `grants` in place of [`reference_grants`], in the runtime and on the
    /// linker alike.
    pub fn with_grants(mut self, grants: Grants) -> Self {
        self.grants = grants;
        self
    }

    /// Without its `Runtime`: only what the suite can run on the linker alone.
    pub fn linker_only(mut self) -> Self {
        self.offers_runtime = false;
        self.name.push_str(" (linker only)");
        self
    }

    /// The contract alone on its linker, no WASI, as hosts without WASI
    /// register it. Linker only: the reference `Runtime` always adds WASI.
    pub fn without_wasi(mut self) -> Self {
        self.offers_runtime = false;
        self.offers_wasi = false;
        self.name.push_str(" (linker only, no WASI)");
        self
    }
}

/// The reference host's capabilities for each grant (SEC-1.1).
pub fn reference_grants(grant: Grant) -> Capabilities {
    match grant {
        Grant::Everything => Capabilities::all(),
        Grant::Nothing => Capabilities::default(),
        Grant::Only(only) => {
            // The protocol refuses malformed patterns before they get here
            // (`Grant::check`); should one come through, it matches nothing.
            let patterns = |patterns: Vec<String>| {
                patterns
                    .iter()
                    .filter_map(|p| TargetPattern::parse(p).ok())
                    .collect()
            };
            Capabilities {
                storage_read: only.storage_read,
                storage_write: only.storage_write,
                storage_delete: only.storage_delete,
                send: patterns(only.send),
                request: patterns(only.request),
                broadcast: patterns(only.broadcast),
            }
        }
        // A kind of grant a later protocol minor adds (`Grant` is
        // non-exhaustive) and this host does not read yet: deny-by-default,
        // the one reading that never grants more than was meant.
        _ => Capabilities::default(),
    }
}

impl HostUnderTest for ReferenceHost {
    type Data = ComponentState;

    fn name(&self) -> String {
        self.name.clone()
    }

    fn configure_engine(&self, config: &mut Config) {
        *config = engine_config(&HostConfig::default());
    }

    fn register(&self, linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
        if self.offers_wasi {
            // The runtime's WASI: a blocking poll ends with the execution budget.
            airssys_host::runtime::wasi::add_to_linker(linker)?;
        }
        self.registration.register(linker)
    }

    fn store_data(
        &self,
        id: &suite::ComponentId,
        grant: Grant,
        budget: Option<Duration>,
    ) -> ComponentState {
        let budget = budget.unwrap_or(Limits::default().max_execution_time);
        ComponentState::new(
            AirssysCtx::new(
                self.shared.clone(),
                id.clone().into(),
                (self.grants)(id, grant),
                budget,
            )
            .expect("the suite assigns ids a host accepts"),
        )
    }

    fn runtime(&self, engine: &Engine, stubs: &Stubs) -> Option<Box<ComponentRuntime>> {
        if !self.offers_runtime {
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let storage = if self.in_memory {
            Storage::Memory(MemoryBackend::new())
        } else {
            Storage::Redb(dir.path().join("storage.redb"))
        };
        let mut runtime = ReferenceRuntime {
            runtime: None,
            storage,
            _dir: dir,
            logs: Arc::default(),
            engine: engine.clone(),
            stubs: stubs.clone(),
            registration: self.registration.clone(),
            grants: self.grants,
        };
        runtime.start();
        Some(Box::new(runtime))
    }
}

/// Where a reference runtime keeps storage, across its restarts.
enum Storage {
    /// A database file in a temporary directory.
    Redb(PathBuf),
    /// Shared with every runtime started after a restart.
    Memory(MemoryBackend),
}

/// A reference `Runtime` on persistent storage in a temporary directory.
struct ReferenceRuntime {
    runtime: Option<Runtime>,
    storage: Storage,
    _dir: tempfile::TempDir,
    logs: Arc<LogBuffer>,
    engine: Engine,
    stubs: Stubs,
    registration: Registering,
    grants: Grants,
}

impl ReferenceRuntime {
    fn start(&mut self) {
        let host = match &self.storage {
            Storage::Redb(path) => AirssysHost::new(HostConfig::default_with(|config| {
                config.storage = StorageConfig::Redb(path.clone())
            })),
            Storage::Memory(memory) => {
                AirssysHost::with_backend(HostConfig::default(), Box::new(memory.clone()))
            }
        };
        let host = host
            .expect("the reference host starts")
            .with_log_sink(self.logs.clone());
        let (registration, stubs) = (self.registration.clone(), self.stubs.clone());
        let runtime = Runtime::builder(host)
            .engine(self.engine.clone())
            .registration(move |linker| {
                registration.register(linker)?;
                stubs.apply(linker)
            })
            .build()
            .expect("the reference runtime starts");
        self.runtime = Some(runtime);
    }

    fn runtime(&self) -> &Runtime {
        self.runtime.as_ref().expect("started")
    }
}

impl suite::Runtime for ReferenceRuntime {
    type Component = Component;

    fn load(
        &mut self,
        id: &suite::ComponentId,
        component: &Component,
        grant: Grant,
        budget: Option<Duration>,
    ) -> Result<(), AdapterError> {
        let options = LoadOptions {
            limits: budget.map(|budget| Limits {
                max_execution_time: budget,
                ..Limits::default()
            }),
            ..LoadOptions::granting((self.grants)(id, grant))
        };
        self.runtime()
            .load(id.clone().into(), component, options)
            .map(drop)
            .map_err(AdapterError::msg)
    }

    fn invoke(
        &mut self,
        id: &suite::ComponentId,
        message: &Message,
    ) -> Result<Handled, AdapterError> {
        let mut delivered =
            ComponentMessage::new(message.sender.clone().into(), message.payload.clone())
                .with_content_type(&message.content_type);
        delivered.metadata.correlation_id = message.correlation_id.clone();
        delivered.metadata.reply_to = message.reply_to.clone().map(Into::into);
        let id = id.clone().into();
        let returned = match message.export {
            Handler::HandleMessage => self.runtime().invoke(&id, &delivered),
            Handler::HandleCallback => self
                .runtime()
                .invoke_callback(&id, &delivered)
                .map(|returned| returned.map(|()| None)),
        };
        match returned {
            Ok(returned) => Ok(returned.map_err(|error| format!("{error:?}"))),
            Err(error) => Err(AdapterError::msg(error)),
        }
    }

    fn metadata(&mut self, id: &suite::ComponentId) -> Result<Metadata, AdapterError> {
        let metadata = self
            .runtime()
            .metadata(&id.clone().into())
            .map_err(AdapterError::msg)?;
        Ok(Metadata::new(metadata.name, metadata.version)
            .with_texts(metadata.description, metadata.author, metadata.license)
            .with_operations(metadata.supported_operations, metadata.stateful))
    }

    fn health(&mut self, id: &suite::ComponentId) -> Result<String, AdapterError> {
        let status = self
            .runtime()
            .health(&id.clone().into())
            .map_err(AdapterError::msg)?;
        Ok(match status {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Degraded => "degraded",
            HealthStatus::Unhealthy => "unhealthy",
            HealthStatus::Unknown => "unknown",
        }
        .into())
    }

    fn settle(&mut self, limit: Duration) -> Result<(), AdapterError> {
        self.runtime().run_until_idle(limit);
        Ok(())
    }

    fn logs(&mut self) -> Result<Vec<LogRecord>, AdapterError> {
        Ok(self
            .logs
            .records()
            .into_iter()
            .map(|record| {
                LogRecord::new(
                    airssys_host::ComponentId::clone(&record.component).into(),
                    level_name(record.level),
                    record.message,
                )
                .with_context(record.context)
            })
            .collect())
    }

    fn unload(&mut self, id: &suite::ComponentId) -> Result<(), AdapterError> {
        self.runtime()
            .unload(&id.clone().into())
            .map_err(AdapterError::msg)
    }

    fn restart(&mut self) -> Result<(), AdapterError> {
        // The database must be closed before it is opened again.
        self.runtime = None;
        self.start();
        Ok(())
    }
}

fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    }
}
