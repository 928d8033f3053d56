//! `airssys:core/storage`: per-component key/value storage (STO-1..11).

pub mod backend;
pub mod memory;
pub mod redb;

use crate::bindings::airssys::core::errors::StorageError;
use crate::bindings::airssys::core::storage::{Host, StorageUsage};
use crate::ctx::AirssysCtx;
use crate::security::Capability;
use backend::BackendError;

impl From<BackendError> for StorageError {
    fn from(error: BackendError) -> Self {
        match error {
            BackendError::QuotaExceeded => StorageError::QuotaExceeded,
            BackendError::Io(reason) => StorageError::IoError(reason),
        }
    }
}

impl AirssysCtx {
    /// Checks the grant and the key before any storage call (SEC-1, STO-8).
    fn storage_access(
        &self,
        capability: Capability,
        key: Option<&str>,
    ) -> Result<(), StorageError> {
        self.authorize(capability, None)
            .map_err(StorageError::IoError)?;
        let Some(key) = key else { return Ok(()) };
        let limit = self.host.config.max_key_bytes;
        if key.is_empty() {
            return Err(StorageError::InvalidKey("the key is empty".into()));
        }
        if key.len() > limit {
            return Err(StorageError::InvalidKey(format!(
                "the key is {} bytes; the limit is {limit} bytes",
                key.len()
            )));
        }
        Ok(())
    }
}

impl Host for AirssysCtx {
    fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, StorageError> {
        self.storage_access(Capability::StorageRead, Some(&key))?;
        Ok(self.host.storage.get(&self.namespace, &key)?)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StorageError> {
        self.storage_access(Capability::StorageWrite, Some(&key))?;
        let quota = self.host.config.storage_quota_bytes;
        Ok(self
            .host
            .storage
            .set(&self.namespace, &key, &value, quota)?)
    }

    fn delete(&mut self, key: String) -> Result<(), StorageError> {
        self.storage_access(Capability::StorageDelete, Some(&key))?;
        Ok(self.host.storage.delete(&self.namespace, &key)?)
    }

    fn exists(&mut self, key: String) -> Result<bool, StorageError> {
        self.storage_access(Capability::StorageRead, Some(&key))?;
        Ok(self.host.storage.contains(&self.namespace, &key)?)
    }

    fn list_keys(&mut self, prefix: Option<String>) -> Result<Vec<String>, StorageError> {
        self.storage_access(Capability::StorageRead, None)?;
        let prefix = prefix.unwrap_or_default();
        Ok(self.host.storage.keys(&self.namespace, &prefix)?)
    }

    fn usage(&mut self) -> Result<StorageUsage, StorageError> {
        self.storage_access(Capability::StorageRead, None)?;
        let usage = self.host.storage.usage(&self.namespace)?;
        Ok(StorageUsage {
            used_bytes: usage.used_bytes,
            quota_bytes: self.host.config.storage_quota_bytes,
            key_count: usage.key_count,
        })
    }
}
