//! The runtime the suite builds itself from a host's `register` and
//! `store_data`, for hosts without a [`Runtime`] of their own: each
//! component in its own store, called directly. Enough for storage, self-id,
//! clocks and sleep; not for delivery, the registry or the log sink.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

use super::bindings::RuntimeHost;
use super::bindings::airssys::core::types::{
    self as wit, ComponentConfig, ComponentMessage, MessageMetadata, ResourceLimits, Timestamp,
};
use super::{ComponentId, Grant, HostUnderTest, LogRecord, Runtime, Stubs};
use airssys_conformance_adapter::{AdapterError, Handled, Handler, Message, Metadata};

pub(crate) struct LinkerRuntime<H: HostUnderTest> {
    host: Arc<H>,
    engine: Engine,
    linker: Linker<H::Data>,
    loaded: HashMap<ComponentId, (Store<H::Data>, RuntimeHost)>,
}

pub(crate) fn message(delivered: &Message) -> ComponentMessage {
    let wit_id = |id: &ComponentId| wit::ComponentId {
        namespace: id.namespace.clone(),
        name: id.name.clone(),
        instance: id.instance.clone(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    ComponentMessage {
        sender: wit_id(&delivered.sender),
        payload: delivered.payload.clone(),
        metadata: MessageMetadata {
            correlation_id: delivered.correlation_id.clone(),
            reply_to: delivered.reply_to.as_ref().map(wit_id),
            timestamp: Timestamp {
                seconds: now.as_secs(),
                nanoseconds: now.subsec_nanos(),
            },
            content_type: Some(delivered.content_type.clone()),
        },
    }
}

impl<H: HostUnderTest> LinkerRuntime<H> {
    pub fn new(host: Arc<H>, engine: &Engine, stubs: &Stubs) -> Result<Self, String> {
        let mut linker = Linker::new(engine);
        host.register(&mut linker)
            .map_err(|e| format!("the host's registration failed: {e:#}"))?;
        stubs
            .apply(&mut linker)
            .map_err(|e| format!("stubbing failed functions: {e:#}"))?;
        Ok(Self {
            host,
            engine: engine.clone(),
            linker,
            loaded: HashMap::new(),
        })
    }

    fn loaded(&mut self, id: &ComponentId) -> Result<&mut (Store<H::Data>, RuntimeHost), String> {
        self.loaded
            .get_mut(id)
            .ok_or_else(|| format!("{id} is not loaded"))
    }

    fn unsupported(what: &str) -> String {
        format!(
            "{what} needs a multi-component runtime; the host's adapter offers none \
             (implement `HostUnderTest::runtime`)"
        )
    }
}

impl<H: HostUnderTest> Runtime for LinkerRuntime<H> {
    type Component = Component;

    fn load(
        &mut self,
        id: &ComponentId,
        component: &Component,
        grant: Grant,
        budget: Option<Duration>,
    ) -> Result<(), AdapterError> {
        // Imports the host does not provide at all trap when called, so that
        // only the trials of those functions fail. Only then: the traps are
        // defined by exact name, and would hide what the host provides under
        // a semver-compatible one (WASI 0.2.x for an import of 0.2.6).
        let mut linker = self.linker.clone();
        if linker.instantiate_pre(component).is_err() {
            linker
                .define_unknown_imports_as_traps(component)
                .map_err(|e| format!("{e:#}"))?;
        }
        let data = self.host.store_data(id, grant, budget);
        let mut store = Store::new(&self.engine, data);
        store.set_epoch_deadline(u64::MAX / 2);
        let _ = store.set_fuel(u64::MAX);
        let guest = RuntimeHost::instantiate(&mut store, component, &linker)
            .map_err(|e| format!("cannot instantiate: {e:#}"))?;
        let config = ComponentConfig {
            env_vars: Vec::new(),
            config_data: None,
            resource_limits: ResourceLimits {
                max_memory_bytes: 64 * 1024 * 1024,
                max_execution_time_ms: 5_000,
                max_fuel: None,
            },
        };
        guest
            .airssys_core_component_lifecycle()
            .call_initialize(&mut store, &config)
            .map_err(|e| format!("initialize trapped: {e:#}"))?
            .map_err(|e| format!("initialize returned {e:?}"))?;
        self.loaded.insert(id.clone(), (store, guest));
        Ok(())
    }

    fn invoke(&mut self, id: &ComponentId, delivered: &Message) -> Result<Handled, AdapterError> {
        let (store, guest) = self.loaded(id)?;
        let lifecycle = guest.airssys_core_component_lifecycle();
        let message = message(delivered);
        let returned = match delivered.export {
            Handler::HandleMessage => lifecycle.call_handle_message(store, &message),
            Handler::HandleCallback => lifecycle
                .call_handle_callback(store, &message)
                .map(|returned| returned.map(|()| None)),
        };
        let returned = returned.map_err(|e| format!("trapped: {e:#}"))?;
        Ok(returned.map_err(|e| format!("{e:?}")))
    }

    fn metadata(&mut self, id: &ComponentId) -> Result<Metadata, AdapterError> {
        let (store, guest) = self.loaded(id)?;
        let metadata = guest
            .airssys_core_component_lifecycle()
            .call_metadata(store)
            .map_err(|e| format!("trapped: {e:#}"))?;
        Ok(Metadata::new(metadata.name, metadata.version)
            .with_texts(metadata.description, metadata.author, metadata.license)
            .with_operations(metadata.supported_operations, metadata.stateful))
    }

    fn health(&mut self, id: &ComponentId) -> Result<String, AdapterError> {
        let (store, guest) = self.loaded(id)?;
        let status = guest
            .airssys_core_component_lifecycle()
            .call_health(store)
            .map_err(|e| format!("trapped: {e:#}"))?;
        Ok(match status {
            wit::HealthStatus::Healthy => "healthy",
            wit::HealthStatus::Degraded => "degraded",
            wit::HealthStatus::Unhealthy => "unhealthy",
            wit::HealthStatus::Unknown => "unknown",
        }
        .into())
    }

    fn settle(&mut self, _limit: Duration) -> Result<(), AdapterError> {
        Err(AdapterError::from(Self::unsupported("message delivery")))
    }

    fn logs(&mut self) -> Result<Vec<LogRecord>, AdapterError> {
        Err(AdapterError::from(Self::unsupported(
            "reading the log sink",
        )))
    }

    fn unload(&mut self, _id: &ComponentId) -> Result<(), AdapterError> {
        Err(AdapterError::from(Self::unsupported("unloading")))
    }

    fn restart(&mut self) -> Result<(), AdapterError> {
        Err(AdapterError::from(Self::unsupported("a host restart")))
    }
}
