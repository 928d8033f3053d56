//! `airssys:core/storage` for a component: its grant, key and write rate
//! are checked here, then its namespace of the host's backend is read or
//! written (STO-1..11).

use airssys_contract::reasons;

use crate::bindings::airssys::core::errors::StorageError;
use crate::bindings::airssys::core::storage::{Host, StorageUsage};
use crate::ctx::{AirssysCtx, Rated};
use crate::security::Capability;
use crate::storage::backend::Quota;

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
        match reasons::invalid_key(key, self.host.config.max_key_bytes) {
            Some(reason) => Err(StorageError::InvalidKey(reason)),
            None => Ok(()),
        }
    }

    /// RES-2, after the grant and the key are checked.
    fn within_write_rate(&mut self, capability: Capability) -> Result<(), StorageError> {
        self.within_rate(Rated::StorageWrites, 1, capability, None)
            .map_err(StorageError::IoError)
    }
}

impl Host for AirssysCtx {
    fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, StorageError> {
        self.storage_access(Capability::StorageRead, Some(&key))?;
        Ok(self.host.storage.get(&self.namespace, &key)?)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StorageError> {
        self.storage_access(Capability::StorageWrite, Some(&key))?;
        self.within_write_rate(Capability::StorageWrite)?;
        let quota = Quota {
            bytes: self.host.config.storage_quota_bytes,
            keys: self.host.config.max_keys as u64,
        };
        Ok(self
            .host
            .storage
            .set(&self.namespace, &key, &value, quota)?)
    }

    fn delete(&mut self, key: String) -> Result<(), StorageError> {
        self.storage_access(Capability::StorageDelete, Some(&key))?;
        self.within_write_rate(Capability::StorageDelete)?;
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
