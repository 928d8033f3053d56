//! Makes the storage calls a test asks for and reports what it saw (STO-*).

wit_bindgen::generate!({ path: "../../wit", world: "runtime-host" });

use airssys::core::errors::{StorageError, WasmError};
use airssys::core::storage;
use airssys::core::types::{ComponentConfig, ComponentMessage, HealthStatus};
use airssys_probe_protocol::{self as probe, Call, Reply, Returned, WitError};
use exports::airssys::core::component_lifecycle::{ComponentError, ComponentMetadata, Guest};

struct StorageProbe;

fn wit_error(error: StorageError) -> WitError {
    match error {
        StorageError::NotFound(s) => WitError::new("not-found", Some(s)),
        StorageError::AlreadyExists(s) => WitError::new("already-exists", Some(s)),
        StorageError::QuotaExceeded => WitError::new("quota-exceeded", None),
        StorageError::InvalidKey(s) => WitError::new("invalid-key", Some(s)),
        StorageError::IoError(s) => WitError::new("io-error", Some(s)),
    }
}

fn make(call: &Call) -> Reply {
    let returned = match call {
        Call::Get { key } => storage::get(key).map(Returned::Value),
        Call::Set { key, value } => storage::set(key, value).map(|()| Returned::Unit),
        Call::Delete { key } => storage::delete(key).map(|()| Returned::Unit),
        Call::Exists { key } => storage::exists(key).map(Returned::Bool),
        Call::ListKeys { prefix } => storage::list_keys(prefix.as_deref()).map(Returned::Keys),
        Call::Usage => storage::usage().map(|u| Returned::Usage {
            used_bytes: u.used_bytes,
            quota_bytes: u.quota_bytes,
            key_count: u.key_count,
        }),
        other => return probe::unsupported(other),
    };
    returned.map_err(wit_error)
}

impl Guest for StorageProbe {
    fn initialize(_config: ComponentConfig) -> Result<(), ComponentError> {
        Ok(())
    }

    fn handle_message(msg: ComponentMessage) -> Result<Option<Vec<u8>>, WasmError> {
        let call = probe::decode_call(&msg.payload).map_err(WasmError::InvalidComponent)?;
        Ok(Some(probe::encode_reply(&make(&call))))
    }

    fn handle_callback(_msg: ComponentMessage) -> Result<(), WasmError> {
        Ok(())
    }

    fn metadata() -> ComponentMetadata {
        ComponentMetadata {
            name: "storage-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Makes the storage calls a test asks for".into(),
            author: "airssys".into(),
            license: "Apache-2.0".into(),
            supported_operations: vec!["probe-call".into()],
            stateful: false,
        }
    }

    fn health() -> HealthStatus {
        HealthStatus::Healthy
    }

    fn shutdown() -> Result<(), ComponentError> {
        Ok(())
    }
}

export!(StorageProbe);
