//! The floor: the contract's 17 functions registered as do-nothing host
//! functions with the same WIT signatures (the bindgen `Host` traits, so a
//! signature cannot differ), answering constants of the same types and
//! sizes as the reference host's answers in the benchmark. What a call
//! costs here is what wasmtime charges for the call and its values.

use airssys_host::ComponentId;
use airssys_host::bindings::RuntimeHost;
use airssys_host::bindings::airssys::core::errors::{
    self, ComponentError, MessagingError, StorageError,
};
use airssys_host::bindings::airssys::core::host_services::ComponentInfo;
use airssys_host::bindings::airssys::core::storage::StorageUsage;
use airssys_host::bindings::airssys::core::types::{self, LogLevel, Timestamp};
use airssys_host::bindings::airssys::core::{host_messaging, host_services, storage};
use airssys_host::runtime::ComponentState;
use wasmtime::component::{HasData, Linker};

/// The constant answers; `get` answers 1 KiB, as the benchmark's stored value.
pub struct Floor;

struct FloorData;

impl HasData for FloorData {
    type Data<'a> = Floor;
}

/// Puts the floor on `linker` in place of the reference host's functions.
pub fn register(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
    RuntimeHost::add_to_linker::<ComponentState, FloorData>(linker, |_| Floor)
}

fn id() -> ComponentId {
    ComponentId::new("bench", "caller", "0")
}

impl types::Host for Floor {}
impl errors::Host for Floor {}

impl storage::Host for Floor {
    fn get(&mut self, _key: String) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(Some(vec![7; 1024]))
    }
    fn set(&mut self, _key: String, _value: Vec<u8>) -> Result<(), StorageError> {
        Ok(())
    }
    fn delete(&mut self, _key: String) -> Result<(), StorageError> {
        Ok(())
    }
    fn exists(&mut self, _key: String) -> Result<bool, StorageError> {
        Ok(true)
    }
    fn list_keys(&mut self, _prefix: Option<String>) -> Result<Vec<String>, StorageError> {
        Ok(vec!["k".into()])
    }
    fn usage(&mut self) -> Result<StorageUsage, StorageError> {
        Ok(StorageUsage {
            used_bytes: 1025,
            quota_bytes: 10 << 20,
            key_count: 1,
        })
    }
}

impl host_messaging::Host for Floor {
    fn send(&mut self, _target: ComponentId, _payload: Vec<u8>) -> Result<(), MessagingError> {
        Ok(())
    }
    fn request(
        &mut self,
        _target: ComponentId,
        _payload: Vec<u8>,
        _timeout_ms: u64,
    ) -> Result<String, MessagingError> {
        Ok("floor-1".into())
    }
    fn cancel_request(&mut self, _request_id: String) -> Result<(), MessagingError> {
        Ok(())
    }
    fn broadcast(
        &mut self,
        _targets: Vec<ComponentId>,
        _payload: Vec<u8>,
    ) -> Result<(), MessagingError> {
        Ok(())
    }
    fn self_id(&mut self) -> ComponentId {
        id()
    }
}

impl host_services::Host for Floor {
    fn log(&mut self, _level: LogLevel, _message: String, _context: Option<Vec<(String, String)>>) {
    }
    fn current_time(&mut self) -> Timestamp {
        Timestamp {
            seconds: 1_700_000_000,
            nanoseconds: 0,
        }
    }
    fn current_time_millis(&mut self) -> u64 {
        1_700_000_000_000
    }
    fn sleep_millis(&mut self, _duration_ms: u64) -> wasmtime::Result<()> {
        Ok(())
    }
    fn list_components(&mut self) -> Vec<ComponentId> {
        vec![id(), ComponentId::new("bench", "target", "0")]
    }
    fn get_component_metadata(&mut self, id: ComponentId) -> Result<ComponentInfo, ComponentError> {
        Ok(ComponentInfo {
            id,
            name: "bench-guest".into(),
            version: "0.1.0".into(),
            health: "healthy".into(),
        })
    }
}
