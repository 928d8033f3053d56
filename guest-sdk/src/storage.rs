//! The component's own key/value namespace (`airssys:core/storage`).
//!
//! ```no_run
//! use airssys_guest::storage;
//!
//! # fn main() -> Result<(), airssys_guest::StorageError> {
//! storage::set("greeting", "hello")?;
//! assert_eq!(storage::get("greeting")?.as_deref(), Some(&b"hello"[..]));
//! for key in storage::keys_with_prefix("greet")? {
//!     storage::delete(key)?;
//! }
//! # Ok(())
//! # }
//! ```

use crate::StorageError;
use crate::imports::storage as host;

/// Bytes used, quota and key count of the component's namespace (STO-7).
pub use crate::bindings::airssys::core::storage::StorageUsage as Usage;

/// The value under `key`, or `None` if there is none (STO-1, STO-2).
pub fn get(key: impl AsRef<str>) -> Result<Option<Vec<u8>>, StorageError> {
    Ok(host::get(key.as_ref())?)
}

/// Stores `value` under `key`, replacing any old value (STO-1, STO-3, STO-9).
pub fn set(key: impl AsRef<str>, value: impl AsRef<[u8]>) -> Result<(), StorageError> {
    Ok(host::set(key.as_ref(), value.as_ref())?)
}

/// Removes `key`; removing an absent key is not an error (STO-4).
pub fn delete(key: impl AsRef<str>) -> Result<(), StorageError> {
    Ok(host::delete(key.as_ref())?)
}

/// Whether `key` holds a value (STO-5).
pub fn exists(key: impl AsRef<str>) -> Result<bool, StorageError> {
    Ok(host::exists(key.as_ref())?)
}

/// Every key of the component, sorted by bytes (STO-6).
pub fn keys() -> Result<Vec<String>, StorageError> {
    Ok(host::list_keys(None)?)
}

/// The keys that start with `prefix`, sorted by bytes (STO-6).
pub fn keys_with_prefix(prefix: impl AsRef<str>) -> Result<Vec<String>, StorageError> {
    Ok(host::list_keys(Some(prefix.as_ref()))?)
}

/// How much of the quota the component uses (STO-7).
pub fn usage() -> Result<Usage, StorageError> {
    Ok(host::usage()?)
}

/// The JSON value under `key`, decoded as `T`.
#[cfg(feature = "json")]
pub fn get_json<T: serde::de::DeserializeOwned>(
    key: impl AsRef<str>,
) -> Result<Option<T>, crate::Error> {
    let key = key.as_ref();
    match get(key)? {
        None => Ok(None),
        Some(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            crate::Error::payload(format!(
                "the value under `{key}` is not the expected JSON: {e}"
            ))
        }),
    }
}

/// Stores `value` as JSON under `key`.
#[cfg(feature = "json")]
pub fn set_json<T: serde::Serialize + ?Sized>(
    key: impl AsRef<str>,
    value: &T,
) -> Result<(), crate::Error> {
    set(key, serde_json::to_vec(value)?)?;
    Ok(())
}
