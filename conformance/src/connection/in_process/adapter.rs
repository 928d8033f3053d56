//! A [`HostUnderTest`] as an [`Adapter`]: what an adapter process on the
//! suite's own wasmtime would do, run on a thread of the suite. The in-process
//! path goes through the same protocol, so both paths judge alike.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use airssys_conformance_adapter::{
    About, Adapter, AdapterError, ComponentId, Grant, Handled, Import, LogRecord, Message,
    Metadata, Runtime, Supports,
};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

use super::linker_runtime::LinkerRuntime;
use super::{ComponentRuntime, Components, HostUnderTest, Stubs};
use super::{exact_names, linker_refusal};

/// The wasmtime the suite is built on: the only major an in-process host can
/// use. A unit test keeps it equal to `Cargo.lock`.
pub(crate) const WASMTIME_VERSION: &str = "48.0.8";

/// What every connection to one in-process host shares.
struct Shared<H: HostUnderTest> {
    host: Arc<H>,
    engine: Engine,
    /// The host's registration, for `check`.
    linker: Linker<H::Data>,
    components: Components,
    has_runtime: bool,
}

pub(crate) struct InProcess<H: HostUnderTest> {
    shared: Arc<Shared<H>>,
    /// How `hello` names this adapter.
    name: String,
    runtime: Option<Box<ComponentRuntime>>,
}

impl<H: HostUnderTest> InProcess<H> {
    /// A maker of adapters for `host`, each with state of its own.
    #[allow(clippy::type_complexity)]
    pub fn maker(
        host: H,
        name: String,
    ) -> Result<impl Fn() -> Result<Box<dyn Adapter>, String>, String> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        host.configure_engine(&mut config);
        let engine = Engine::new(&config).map_err(|e| format!("engine: {e:#}"))?;
        let mut linker = Linker::new(&engine);
        host.register(&mut linker)
            .map_err(|e| format!("the host's registration failed: {e:#}"))?;
        let has_runtime = host.runtime(&engine, &Stubs::default()).is_some();
        let shared = Arc::new(Shared {
            host: Arc::new(host),
            components: Components::new(engine.clone()),
            engine,
            linker,
            has_runtime,
        });
        Ok(move || {
            Ok(Box::new(InProcess {
                shared: shared.clone(),
                name: name.clone(),
                runtime: None,
            }) as Box<dyn Adapter>)
        })
    }
}

impl<H: HostUnderTest> Adapter for InProcess<H> {
    fn about(&self) -> About {
        About::new(
            self.name.clone(),
            env!("CARGO_PKG_VERSION"),
            self.shared.host.name(),
            WASMTIME_VERSION,
        )
        // `HostUnderTest::store_data` and `ComponentRuntime::load` take
        // every `Grant`, partial ones included; every `ComponentRuntime`
        // answers the lifecycle operations; the suite owns the linker, so
        // it sees whether a name was registered exactly (`check_exact`).
        .supporting(Supports::EVERYTHING.with_runtime(self.shared.has_runtime))
    }

    fn check(&mut self, component: &Path) -> Result<(), AdapterError> {
        let component =
            Component::from_file(&self.shared.engine, component).map_err(AdapterError::chain)?;
        self.shared
            .linker
            .instantiate_pre(&component)
            .map(drop)
            .map_err(|e| linker_refusal::read(&e))
    }

    /// Protocol 1.4, observed on a clone of the host's registration.
    fn check_exact(&mut self, component: &Path) -> Result<(), AdapterError> {
        let component =
            Component::from_file(&self.shared.engine, component).map_err(AdapterError::chain)?;
        exact_names::check_exact(&self.shared.linker, &component)
    }

    fn reset(&mut self, traps: &[Import]) -> Result<(), AdapterError> {
        let shared = &self.shared;
        let stubs = Stubs {
            functions: traps
                .iter()
                .map(|i| (i.instance.clone(), i.name.clone()))
                .collect(),
        };
        // The old runtime goes first: it may hold files the new one opens.
        self.runtime = None;
        self.runtime = Some(match shared.host.runtime(&shared.engine, &stubs) {
            Some(runtime) => runtime,
            None => Box::new(LinkerRuntime::new(
                shared.host.clone(),
                &shared.engine,
                &stubs,
            )?),
        });
        Ok(())
    }

    fn runtime(&mut self) -> Option<&mut dyn Runtime<Component = Path>> {
        self.runtime.is_some().then_some(self)
    }
}

/// Each operation on the runtime `reset` started, with component files
/// compiled once for every connection.
impl<H: HostUnderTest> Runtime for InProcess<H> {
    type Component = Path;

    fn load(
        &mut self,
        id: &ComponentId,
        component: &Path,
        grant: Grant,
        budget: Option<Duration>,
    ) -> Result<(), AdapterError> {
        let component = self.shared.components.get(component)?;
        self.started()?.load(id, &component, grant, budget)
    }

    fn invoke(&mut self, id: &ComponentId, message: &Message) -> Result<Handled, AdapterError> {
        self.started()?.invoke(id, message)
    }

    fn metadata(&mut self, id: &ComponentId) -> Result<Metadata, AdapterError> {
        self.started()?.metadata(id)
    }

    fn health(&mut self, id: &ComponentId) -> Result<String, AdapterError> {
        self.started()?.health(id)
    }

    fn settle(&mut self, limit: Duration) -> Result<(), AdapterError> {
        self.started()?.settle(limit)
    }

    fn logs(&mut self) -> Result<Vec<LogRecord>, AdapterError> {
        self.started()?.logs()
    }

    fn unload(&mut self, id: &ComponentId) -> Result<(), AdapterError> {
        self.started()?.unload(id)
    }

    fn restart(&mut self) -> Result<(), AdapterError> {
        self.started()?.restart()
    }
}

impl<H: HostUnderTest> InProcess<H> {
    /// The runtime `reset` started (always one: [`Adapter::runtime`] hands
    /// out this adapter only once there is).
    fn started(&mut self) -> Result<&mut ComponentRuntime, String> {
        self.runtime
            .as_deref_mut()
            .ok_or_else(|| "no `reset` before this request".into())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_wasmtime_version_is_the_one_in_cargo_lock() {
        let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
            .expect("the workspace's Cargo.lock");
        let entry = format!(
            "name = \"wasmtime\"\nversion = \"{}\"",
            super::WASMTIME_VERSION
        );
        assert!(
            lock.contains(&entry),
            "Cargo.lock has another wasmtime than {}",
            super::WASMTIME_VERSION
        );
    }
}
