//! Makes the storage calls a test asks for and reports what it saw (STO-*).
//! Written with the SDK; `fault-probe` is the raw wit-bindgen counterpart.

use airssys_guest::{Component, Error, Message, Metadata, StorageError, storage};
use airssys_probe_protocol::{self as probe, Call, Reply, Returned, StorageCall, WitError};

/// The probe as a Rust type, for running it natively on the SDK's `TestHost`
/// beside its component on the reference host (`host/tests/clauses/sdk_test_host.rs`).
pub struct StorageProbe;

fn wit_error(error: StorageError) -> WitError {
    match error {
        StorageError::NotFound(s) => WitError::new("not-found", Some(s)),
        StorageError::AlreadyExists(s) => WitError::new("already-exists", Some(s)),
        StorageError::QuotaExceeded => WitError::new("quota-exceeded", None),
        StorageError::InvalidKey(s) => WitError::new("invalid-key", Some(s)),
        StorageError::Io(s) => WitError::new("io-error", Some(s)),
        // The SDK's enum is non-exhaustive; the WIT variant has five cases.
        other => WitError::new("unknown", Some(other.to_string())),
    }
}

fn make(call: &Call) -> Reply {
    let Call::Storage(call) = call else {
        return probe::unsupported(call);
    };
    let returned = match call {
        StorageCall::Get { key } => storage::get(key).map(Returned::Value),
        StorageCall::Set { key, value } => storage::set(key, value).map(|()| Returned::Unit),
        StorageCall::Delete { key } => storage::delete(key).map(|()| Returned::Unit),
        StorageCall::Exists { key } => storage::exists(key).map(Returned::Bool),
        StorageCall::ListKeys { prefix: None } => storage::keys().map(Returned::Keys),
        StorageCall::ListKeys {
            prefix: Some(prefix),
        } => storage::keys_with_prefix(prefix).map(Returned::Keys),
        StorageCall::Usage => storage::usage().map(|u| Returned::Usage {
            used_bytes: u.used_bytes,
            quota_bytes: u.quota_bytes,
            key_count: u.key_count,
        }),
    };
    returned.map_err(wit_error)
}

impl Component for StorageProbe {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let call = probe::decode_call(&message.payload).map_err(Error::payload)?;
        Ok(Some(probe::encode_reply(&make(&call))))
    }

    fn metadata() -> Metadata {
        Metadata::new()
            .description("Makes the storage calls a test asks for")
            .author("airssys")
            .supported_operations(["probe-call"])
    }
}

airssys_guest::export!(StorageProbe);
