//! [`Runtime`]: loads components under the ids the host assigns, keeps the
//! registry, and delivers the messages they exchange.

mod dispatch;
pub mod engine;
mod instance;
mod limiter;
pub mod wasi;
pub mod wit_words;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::WasiCtx;

use crate::bindings::RuntimeHostPre;
use crate::bindings::airssys::core::errors::{ComponentError, WasmError};
use crate::bindings::airssys::core::types::{
    ComponentConfig, ComponentHandle, ComponentId, ComponentMessage, HealthStatus, ResourceLimits,
};
use crate::bindings::exports::airssys::core::component_lifecycle::ComponentMetadata;
use crate::component_id::{InvalidComponentId, SharedId, validate_assigned};
use crate::config::{ConfigError, HostConfig, Limits};
use crate::contract_version::ContractVersion;
use crate::ctx::{AirssysCtx, AirssysHost, HostError};
use crate::host_functions::{register_host_functions, register_host_functions_serving};
use crate::registry::{AlreadyLoaded, Registration};
use crate::security::Capabilities;
pub use dispatch::{Delivered, DeliveryProblem, DispatchReport};
use engine::EpochTicker;
use instance::{CallBudget, HealthProbe, LoadedComponent, enforce_budget};
pub use instance::{CallError, ComponentState};
pub use limiter::ComponentLimiter;
use wasi::{GuestOutput, Stdio};

/// How one component is loaded.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// What it may do; nothing unless granted (SEC-1).
    pub capabilities: Capabilities,
    /// Its limits; `None` takes [`HostConfig::default_limits`].
    pub limits: Option<Limits>,
    /// Passed to `initialize` and to its WASI environment.
    pub env_vars: Vec<(String, String)>,
    /// Passed to `initialize`.
    pub config_data: Option<Vec<u8>>,
}

impl LoadOptions {
    /// Options that grant `capabilities` and leave the rest at their defaults.
    pub fn granting(capabilities: Capabilities) -> Self {
        Self {
            capabilities,
            ..Self::default()
        }
    }
}

/// Why a [`Runtime`] could not be built, or a component not compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The host could not be set up: an invalid setting, or storage that did not open.
    #[error(transparent)]
    Host(#[from] HostError),
    /// wasmtime could not create the engine, or could not put WASI or the
    /// host functions on the linker.
    #[error("cannot create the wasmtime engine: {0:#}")]
    Engine(wasmtime::Error),
    /// The engine given to [`RuntimeBuilder::engine`] lacks a setting the
    /// budgets need (HOST-4.1).
    #[error(
        "the engine given to RuntimeBuilder::engine {problem}; build it from `runtime::engine::engine_config(&host_config)`"
    )]
    EngineSettings {
        /// The setting that differs, in words.
        problem: String,
    },
    /// The bytes are not a component this engine can compile.
    #[error("cannot compile the component: {0:#}")]
    Compile(wasmtime::Error),
    /// The component file could not be read ([`Runtime::compile_file`]).
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file, as given.
        path: String,
        /// Why it could not be read.
        source: std::io::Error,
    },
}

/// Why [`Runtime::load`] failed; nothing of the component stays registered (HOST-2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The id breaks the rule for assigned ids (HOST-1).
    #[error(transparent)]
    InvalidId(#[from] InvalidComponentId),
    /// A component with this id is already loaded (HOST-1).
    #[error(transparent)]
    AlreadyLoaded(#[from] AlreadyLoaded),
    /// The limits in [`LoadOptions::limits`] do not fit the host's settings (HOST-4).
    #[error(transparent)]
    Limits(#[from] ConfigError),
    /// The component cannot be instantiated: an import this host does not
    /// give (or gives with another type), a missing or mistyped export, or
    /// more memory or core instances than its limits allow (SEC-2.2).
    #[error(
        "cannot instantiate `{id}`: {reason}. A component must target the world \
         runtime-host of airssys:core at a version this host serves (1.0.0, or the \
         1.1.0 draft unless the host serves 1.0.0 only) and import nothing else but WASI 0.2"
    )]
    Instantiate {
        /// The id it was to be loaded as.
        id: ComponentId,
        /// wasmtime's error, with its causes.
        reason: String,
    },
    /// Its start functions trapped, or ran past its budget or fuel (HOST-2.3).
    #[error("cannot load `{id}`: {problem}")]
    Start {
        /// The id it was to be loaded as.
        id: ComponentId,
        /// What the start functions did, and which bound ended them.
        problem: String,
    },
    /// Its `metadata` `name` or `version` is longer than
    /// [`HostConfig::max_metadata_text_bytes`] (HOST-2.1).
    #[error("cannot load `{id}`: {problem}")]
    Metadata {
        /// The id it was to be loaded as.
        id: ComponentId,
        /// Which field, how long it is, and the limit.
        problem: String,
    },
    /// Its `initialize` returned an error.
    #[error(
        "`{id}` refused to initialize: err({})",
        wit_words::component_error(error)
    )]
    Initialize {
        /// The id it was to be loaded as.
        id: ComponentId,
        /// The error `initialize` returned.
        error: ComponentError,
    },
    /// Its `metadata` or `initialize` trapped (SEC-2).
    #[error(transparent)]
    Trapped(#[from] CallError),
}

/// The reference host: loads components under the ids it assigns, routes
/// their messages, and runs every call within the component's limits.
pub struct Runtime {
    engine: Engine,
    linker: Linker<ComponentState>,
    prepared: Prepared,
    host: Arc<AirssysHost>,
    components: RwLock<HashMap<SharedId, Arc<LoadedComponent>>>,
    next_handle: AtomicU64,
    /// One dispatcher at a time, so per-pair order holds (MSG-3).
    dispatching: Mutex<()>,
    _ticker: EpochTicker,
}

impl Runtime {
    /// A runtime with the storage backend `config.storage` names.
    pub fn new(config: HostConfig) -> Result<Self, RuntimeError> {
        Self::with_host(AirssysHost::new(config)?)
    }

    /// A runtime over a host the embedder set up (own backend, log sink).
    pub fn with_host(host: AirssysHost) -> Result<Self, RuntimeError> {
        Self::builder(host).build()
    }

    /// A runtime with a shared engine or another registration; see [`RuntimeBuilder`].
    pub fn builder(host: AirssysHost) -> RuntimeBuilder {
        RuntimeBuilder {
            host,
            engine: None,
            registration: None,
        }
    }

    /// The wasmtime engine this runtime compiles and runs components with.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The state every loaded component shares: settings, storage, registry,
    /// router and audit log.
    pub fn host(&self) -> &AirssysHost {
        &self.host
    }

    /// Compiles a component (binary or WAT) for this runtime's engine.
    pub fn compile(&self, wasm: impl AsRef<[u8]>) -> Result<Component, RuntimeError> {
        Component::new(&self.engine, wasm).map_err(RuntimeError::Compile)
    }

    /// Reads the file at `path` and compiles it as [`compile`](Self::compile) does.
    pub fn compile_file(&self, path: impl AsRef<Path>) -> Result<Component, RuntimeError> {
        let path = path.as_ref();
        let wasm = std::fs::read(path).map_err(|source| RuntimeError::Read {
            path: path.display().to_string(),
            source,
        })?;
        self.compile(wasm)
    }

    /// Whether this runtime's linker gives every import of `component`
    /// with the right type; the error names the first it cannot give.
    pub fn links(&self, component: &Component) -> Result<(), String> {
        self.linker
            .instantiate_pre(component)
            .map(drop)
            .map_err(|error| format!("{error:#}"))
    }

    /// Instantiates `component` as `id`, reads its `metadata`, registers it,
    /// and calls its `initialize`. On any failure nothing stays registered.
    pub fn load(
        &self,
        id: ComponentId,
        component: &Component,
        options: LoadOptions,
    ) -> Result<ComponentHandle, LoadError> {
        validate_assigned(&id)?;
        if self.host.registry.contains(&id) {
            return Err(AlreadyLoaded(id).into());
        }
        let config = &self.host.config;
        let limits = options.limits.unwrap_or(config.default_limits);
        config.check_limits("limits", &limits)?;

        let shared = SharedId::new(id.clone());
        let loaded = Arc::new(self.instantiate(&shared, component, &options, &limits)?);
        let metadata = loaded.call("metadata", |store, guest| guest.call_metadata(store))?;
        let limit = config.max_metadata_text_bytes;
        for (field, text) in [("name", &metadata.name), ("version", &metadata.version)] {
            if text.len() > limit {
                return Err(LoadError::Metadata {
                    id,
                    problem: format!(
                        "its metadata {field} is {} bytes long; the host keeps at most {limit} \
                         (HostConfig::max_metadata_text_bytes)",
                        text.len()
                    ),
                });
            }
        }
        self.host.registry.insert(Registration {
            id: shared,
            handle: loaded.handle,
            name: metadata.name,
            version: metadata.version,
            health: Arc::new(HealthProbe {
                component: Arc::downgrade(&loaded),
                budget: self.host.config.health_budget,
            }),
            last_health: Arc::new(Mutex::new(HealthStatus::Unknown)),
        })?;
        self.components_mut()
            .insert(loaded.id.clone(), loaded.clone());

        let component_config = ComponentConfig {
            env_vars: options.env_vars,
            config_data: options.config_data,
            resource_limits: ResourceLimits {
                max_memory_bytes: limits.max_memory_bytes,
                max_execution_time_ms: limits.max_execution_time.as_millis() as u64,
                max_fuel: limits.max_fuel,
            },
        };
        let initialized = loaded.call("initialize", |store, guest| {
            guest.call_initialize(store, &component_config)
        });
        let failure = match initialized {
            Ok(Ok(())) => None,
            Ok(Err(error)) => Some(LoadError::Initialize {
                id: id.clone(),
                error,
            }),
            Err(trap) => Some(trap.into()),
        };
        if let Some(failure) = failure {
            self.forget(&id);
            return Err(failure);
        }
        // The host's own first question, under the component's whole budget:
        // the health budget is for other components' questions (SVC-6.2).
        let health = loaded
            .call("health", |store, guest| guest.call_health(store))
            .unwrap_or(HealthStatus::Unhealthy);
        if let Some(registration) = self.host.registry.get(&id) {
            registration.record_health(health);
        }
        Ok(loaded.handle)
    }

    fn instantiate(
        &self,
        id: &SharedId,
        component: &Component,
        options: &LoadOptions,
        limits: &Limits,
    ) -> Result<LoadedComponent, LoadError> {
        let config = &self.host.config;
        let state = ComponentState {
            airssys: AirssysCtx::with_shared_id(
                self.host.clone(),
                id.clone(),
                options.capabilities.clone(),
                limits.max_execution_time,
            )?,
            wasi: WasiCtx::builder()
                .stdout(GuestOutput::new(
                    self.host.clone(),
                    id.clone(),
                    Stdio::Stdout,
                ))
                .stderr(GuestOutput::new(
                    self.host.clone(),
                    id.clone(),
                    Stdio::Stderr,
                ))
                .envs(&options.env_vars)
                .build(),
            table: ResourceTable::new(),
            limits: ComponentLimiter::new(
                usize::try_from(limits.max_memory_bytes).unwrap_or(usize::MAX),
                config.max_core_instances,
            ),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        // SEC-2.4: what a call may copy into the host, and the handles a
        // component may make the host keep, follow this host's settings
        // instead of wasmtime's (128 MiB per call, 1,000,000 WASI handles).
        store.set_hostcall_fuel(config.hostcall_bytes());
        store.set_max_component_handles(config.max_resource_handles);
        store
            .data_mut()
            .table
            .set_max_capacity(config.max_resource_handles);
        enforce_budget(&mut store);
        let budget = CallBudget {
            millis: limits.max_execution_time.as_millis(),
            fuel: config
                .fuel_metering
                .then_some(limits.max_fuel.unwrap_or(u64::MAX)),
        };
        if let Some(fuel) = budget.fuel {
            store.set_fuel(fuel).expect("fuel metering is on");
        }
        let link_error = |error: wasmtime::Error| LoadError::Instantiate {
            id: ComponentId::clone(id),
            reason: format!("{error:#}"),
        };
        // Guest code that ran while it was instantiated (its start
        // functions, and the host calls they made) and failed is the
        // component's own defect (HOST-2.3, SEC-2.4); anything else (its
        // exports' types, its declared memories) the host refuses.
        let start_error = |error: wasmtime::Error| {
            let start = |problem: String| LoadError::Start {
                id: ComponentId::clone(id),
                problem,
            };
            match error.downcast_ref::<wasmtime::Trap>() {
                Some(wasmtime::Trap::Interrupt) => start(format!(
                    "its start function ran past its execution budget of {} ms while it was \
                     instantiated (HOST-2.3)",
                    budget.millis
                )),
                Some(wasmtime::Trap::OutOfFuel) => start(
                    "its start function ran out of fuel while it was instantiated (HOST-2.3)"
                        .into(),
                ),
                Some(_) => start(format!(
                    "its start function trapped while it was instantiated (HOST-2.3): {error:#}"
                )),
                None if error.downcast_ref::<wasmtime::WasmBacktrace>().is_some() => {
                    start(format!(
                        "its start function trapped while it was instantiated (HOST-2.3): \
                         {error:#}"
                    ))
                }
                None => link_error(error),
            }
        };
        let prepared = self
            .prepared
            .get_or_prepare(&self.linker, component)
            .map_err(link_error)?;
        // Instantiating runs the component's start functions (a guest's static
        // constructors): they get the budget of a call, so a loop there ends
        // the load instead of hanging the host (HOST-2.3).
        store.data_mut().airssys.begin_call();
        let exports = prepared.instantiate(&mut store).map_err(start_error)?;
        let handle = self.next_handle.fetch_add(1, Ordering::Relaxed);
        Ok(LoadedComponent::new(
            id.clone(),
            handle,
            store,
            exports,
            budget,
        ))
    }

    /// Calls `shutdown` and removes the component; it is removed even if
    /// `shutdown` fails or traps, and that failure is returned.
    pub fn unload(&self, id: &ComponentId) -> Result<(), UnloadError> {
        let component = self.loaded(id)?;
        let result = component.call("shutdown", |store, guest| guest.call_shutdown(store));
        self.forget(id);
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(UnloadError::Shutdown {
                id: id.clone(),
                error,
            }),
            Err(trap) => Err(trap.into()),
        }
    }

    /// Calls `target`'s `handle-message` with `message` directly, as the embedder.
    pub fn invoke(
        &self,
        target: &ComponentId,
        message: &ComponentMessage,
    ) -> Result<Result<Option<Vec<u8>>, WasmError>, CallError> {
        self.loaded(target)?.call("handle-message", |store, guest| {
            guest.call_handle_message(store, message)
        })
    }

    /// Calls `target`'s `handle-callback` with `message` directly, as the
    /// embedder: what the dispatcher does with a reply or a timeout notice.
    pub fn invoke_callback(
        &self,
        target: &ComponentId,
        message: &ComponentMessage,
    ) -> Result<Result<(), WasmError>, CallError> {
        self.loaded(target)?
            .call("handle-callback", |store, guest| {
                guest.call_handle_callback(store, message)
            })
    }

    /// Calls `target`'s `metadata` anew (the registry keeps what it said at load).
    pub fn metadata(&self, target: &ComponentId) -> Result<ComponentMetadata, CallError> {
        self.loaded(target)?
            .call("metadata", |store, guest| guest.call_metadata(store))
    }

    /// Calls `target`'s `health`, waiting for a call already running in it
    /// (`get-component-metadata` does not wait: SVC-6.1).
    pub fn health(&self, target: &ComponentId) -> Result<HealthStatus, CallError> {
        self.loaded(target)?
            .call("health", |store, guest| guest.call_health(store))
    }

    fn loaded(&self, id: &ComponentId) -> Result<Arc<LoadedComponent>, CallError> {
        self.component(id)
            .ok_or_else(|| CallError::NotLoaded(id.clone()))
    }

    /// The loaded ids, in load order.
    pub fn ids(&self) -> Vec<ComponentId> {
        self.host.registry.ids()
    }

    fn component(&self, id: &ComponentId) -> Option<Arc<LoadedComponent>> {
        let components = self.components.read().unwrap_or_else(|p| p.into_inner());
        components.get(id).cloned()
    }

    fn components_mut(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, HashMap<SharedId, Arc<LoadedComponent>>> {
        self.components.write().unwrap_or_else(|p| p.into_inner())
    }

    fn forget(&self, id: &ComponentId) {
        self.host.registry.remove(id);
        self.host.router.forget(id);
        self.components_mut().remove(id);
    }
}

/// How many compiled components keep their linked, export-checked form, so
/// that loading one again skips the import type checks (most recent kept).
const PREPARED_COMPONENTS: usize = 16;

/// Components already linked against this runtime's linker. A component is
/// known by the address of its compiled code, which cannot be reused while
/// the entry holds the component.
#[derive(Default)]
struct Prepared(Mutex<Vec<(Component, RuntimeHostPre<ComponentState>)>>);

impl Prepared {
    fn get_or_prepare(
        &self,
        linker: &Linker<ComponentState>,
        component: &Component,
    ) -> wasmtime::Result<RuntimeHostPre<ComponentState>> {
        let code = component.image_range().start;
        let mut entries = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = entries
            .iter()
            .position(|(known, _)| known.image_range().start == code)
        {
            let entry = entries.remove(at);
            let pre = entry.1.clone();
            entries.push(entry);
            return Ok(pre);
        }
        // Linking runs no guest code; holding the lock meanwhile is short.
        let pre = RuntimeHostPre::new(linker.instantiate_pre(component)?)?;
        if entries.len() == PREPARED_COMPONENTS {
            entries.remove(0);
        }
        entries.push((component.clone(), pre.clone()));
        Ok(pre)
    }
}

type RegisterFn = Box<dyn FnOnce(&mut Linker<ComponentState>) -> wasmtime::Result<()>>;

/// Builds a [`Runtime`] with options most embedders never need.
pub struct RuntimeBuilder {
    host: AirssysHost,
    engine: Option<Engine>,
    registration: Option<RegisterFn>,
}

impl RuntimeBuilder {
    /// Runs on `engine`, e.g. one shared by several runtimes so a component
    /// compiles once. Build it from [`engine::engine_config`]: budgets need
    /// epoch interruption.
    pub fn engine(mut self, engine: Engine) -> Self {
        self.engine = Some(engine);
        self
    }

    /// Puts the host functions on the linker with `register` instead of
    /// [`register_host_functions`]: to run another registration of them, such
    /// as a conformance fixture. WASI is added before `register` runs.
    pub fn registration(
        mut self,
        register: impl FnOnce(&mut Linker<ComponentState>) -> wasmtime::Result<()> + 'static,
    ) -> Self {
        self.registration = Some(Box::new(register));
        self
    }

    /// Serves only `versions` of the contract instead of every one
    /// ([`ContractVersion::ALL`]): with `&[ContractVersion::V1_0_0]` the
    /// runtime is a host that has not updated, and a component importing a
    /// 1.1.0 function fails to load, wasmtime's error naming the function.
    /// Replaces a [`registration`](Self::registration) given before it.
    pub fn serving(mut self, versions: &[ContractVersion]) -> Self {
        let versions = versions.to_vec();
        self.registration = Some(Box::new(move |linker| {
            register_host_functions_serving(linker, &versions)
        }));
        self
    }

    /// The runtime: checks the given engine (or makes one from the host's
    /// settings), puts WASI and the host functions on its linker, and starts
    /// the clock that enforces execution budgets.
    pub fn build(self) -> Result<Runtime, RuntimeError> {
        let engine = match self.engine {
            Some(engine) => engine::check(&engine, &self.host.config)
                .map(|()| engine)
                .map_err(|problem| RuntimeError::EngineSettings { problem })?,
            None => engine::new_engine(&self.host.config).map_err(RuntimeError::Engine)?,
        };
        let mut linker = Linker::new(&engine);
        wasi::add_to_linker(&mut linker).map_err(RuntimeError::Engine)?;
        let registered = match self.registration {
            Some(register) => register(&mut linker),
            None => register_host_functions(&mut linker),
        };
        registered.map_err(RuntimeError::Engine)?;
        Ok(Runtime {
            _ticker: EpochTicker::start(&engine, self.host.config.epoch_tick),
            engine,
            linker,
            prepared: Prepared::default(),
            host: Arc::new(self.host),
            components: RwLock::default(),
            next_handle: AtomicU64::new(1),
            dispatching: Mutex::new(()),
        })
    }
}

/// Why [`Runtime::unload`] failed; a component that was loaded is removed
/// all the same (HOST-3).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UnloadError {
    /// No component with this id is loaded, it was retired, or its
    /// `shutdown` trapped.
    #[error(transparent)]
    Call(#[from] CallError),
    /// Its `shutdown` returned an error.
    #[error(
        "`{id}` failed to shut down (it was unloaded anyway): err({})",
        wit_words::component_error(error)
    )]
    Shutdown {
        /// The component unloaded.
        id: ComponentId,
        /// The error `shutdown` returned.
        error: ComponentError,
    },
}

#[cfg(test)]
mod prepared {
    use super::*;

    fn name_of(runtime: &Runtime, id: &ComponentId) -> String {
        runtime.host().registry().get(id).expect("loaded").name
    }

    #[test]
    fn each_component_keeps_its_own_prepared_form_and_the_cache_stays_bounded() {
        let runtime = Runtime::new(HostConfig::default()).unwrap();
        let storage = runtime.compile_file(airssys_guests::STORAGE_PROBE).unwrap();
        let messaging = runtime
            .compile_file(airssys_guests::MESSAGING_PROBE)
            .unwrap();
        let load = |name: &str, component: &Component| {
            let id = ComponentId::new("test", name, "0");
            runtime
                .load(id.clone(), component, LoadOptions::default())
                .unwrap();
            name_of(&runtime, &id)
        };
        let first = load("a", &storage);
        let other = load("b", &messaging);
        assert_ne!(first, other);
        assert_eq!(
            load("c", &storage),
            first,
            "the storage probe's own exports"
        );
        assert_eq!(load("d", &messaging), other);
        for n in 0..PREPARED_COMPONENTS + 4 {
            let fresh = runtime.compile_file(airssys_guests::COUNTER).unwrap();
            load(&format!("counter{n}"), &fresh);
        }
        let kept = runtime.prepared.0.lock().unwrap().len();
        assert_eq!(kept, PREPARED_COMPONENTS);
    }
}
