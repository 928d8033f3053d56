//! The runtime the suite builds itself from a host's `register` and
//! `store_data`, for hosts without a [`ComponentRuntime`] of their own: each
//! component in its own store, called directly. Enough for storage, self-id,
//! clocks and sleep; not for delivery, the registry or the log sink.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

use super::{ComponentRuntime, Grant, HostUnderTest, Id, LogRecord, Stubs, Unsupported};
use crate::bindings::RuntimeHost;
use crate::bindings::airssys::core::types::{
    ComponentConfig, ComponentId, ComponentMessage, MessageMetadata, ResourceLimits, Timestamp,
};

pub(crate) struct LinkerRuntime<H: HostUnderTest> {
    host: Arc<H>,
    engine: Engine,
    linker: Linker<H::Data>,
    loaded: HashMap<Id, (Store<H::Data>, RuntimeHost)>,
}

/// The id the suite sends its own messages under.
pub fn suite_id() -> Id {
    crate::wire::from_wire(&airssys_conformance_adapter::suite_id())
}

pub(crate) fn message(payload: &[u8], content_type: &str) -> ComponentMessage {
    let sender = suite_id();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    ComponentMessage {
        sender: ComponentId {
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

    fn unsupported(what: &str) -> Unsupported {
        Unsupported(format!(
            "{what} needs a multi-component runtime; the host's adapter offers none \
             (implement `HostUnderTest::runtime`)"
        ))
    }
}

impl<H: HostUnderTest> ComponentRuntime for LinkerRuntime<H> {
    fn load(&mut self, id: &Id, component: &Component, grant: Grant) -> Result<(), String> {
        self.load_within(id, component, grant, None)
    }

    fn load_within(
        &mut self,
        id: &Id,
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
        let data = self.host.store_data_within(id, grant, budget);
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
        id: &Id,
        payload: &[u8],
        content_type: &str,
    ) -> Result<Option<Vec<u8>>, String> {
        let (store, guest) = self
            .loaded
            .get_mut(id)
            .ok_or_else(|| format!("{id:?} is not loaded"))?;
        guest
            .airssys_core_component_lifecycle()
            .call_handle_message(store, &message(payload, content_type))
            .map_err(|e| format!("trapped: {e:#}"))?
            .map_err(|e| format!("handle-message returned {e:?}"))
    }

    fn settle(&mut self, _limit: Duration) -> Result<(), Unsupported> {
        Err(Self::unsupported("message delivery"))
    }

    fn log_records(&self) -> Result<Vec<LogRecord>, Unsupported> {
        Err(Self::unsupported("reading the log sink"))
    }

    fn unload(&mut self, _id: &Id) -> Result<(), String> {
        Err(Self::unsupported("unloading").0)
    }

    fn restart(&mut self) -> Result<(), Unsupported> {
        Err(Self::unsupported("a host restart"))
    }
}
