//! The runtime the suite builds itself from a host's `register` and
//! `store_data`, for hosts without a [`Runtime`] of their own: each
//! component in its own store, called directly. Enough for storage, self-id,
//! clocks and sleep; not for delivery, the registry or the log sink.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

use super::{ComponentId, Grant, HostUnderTest, LogRecord, Runtime, Stubs};
use crate::bindings::RuntimeHost;
use crate::bindings::airssys::core::types::{
    self as wit, ComponentConfig, ComponentMessage, MessageMetadata, ResourceLimits, Timestamp,
};

pub(crate) struct LinkerRuntime<H: HostUnderTest> {
    host: Arc<H>,
    engine: Engine,
    linker: Linker<H::Data>,
    loaded: HashMap<ComponentId, (Store<H::Data>, RuntimeHost)>,
}

pub(crate) fn message(payload: &[u8], content_type: &str) -> ComponentMessage {
    let sender = airssys_conformance_adapter::suite_id();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    ComponentMessage {
        sender: wit::ComponentId {
            namespace: sender.namespace,
            name: sender.name,
            instance: sender.instance,
        },
        payload: payload.to_vec(),
        metadata: MessageMetadata {
            correlation_id: None,
            reply_to: None,
            timestamp: Timestamp {
                seconds: now.as_secs(),
                nanoseconds: now.subsec_nanos(),
            },
            content_type: Some(content_type.into()),
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
    ) -> Result<(), String> {
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

    fn invoke(
        &mut self,
        id: &ComponentId,
        payload: &[u8],
        content_type: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        let (store, guest) = self
            .loaded
            .get_mut(id)
            .ok_or_else(|| format!("{id} is not loaded"))?;
        guest
            .airssys_core_component_lifecycle()
            .call_handle_message(store, &message(payload, content_type))
            .map_err(|e| format!("trapped: {e:#}"))?
            .map_err(|e| format!("handle-message returned {e:?}"))
    }

    fn settle(&mut self, _limit: Duration) -> Result<(), String> {
        Err(Self::unsupported("message delivery"))
    }

    fn logs(&mut self) -> Result<Vec<LogRecord>, String> {
        Err(Self::unsupported("reading the log sink"))
    }

    fn unload(&mut self, _id: &ComponentId) -> Result<(), String> {
        Err(Self::unsupported("unloading"))
    }

    fn restart(&mut self) -> Result<(), String> {
        Err(Self::unsupported("a host restart"))
    }
}
