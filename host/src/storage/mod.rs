//! `airssys:core/storage`: per-component key/value storage (STO-1..11).

pub mod backend;
pub mod memory;
pub mod redb;

#[cfg(test)]
mod model;

use airssys_contract::reasons;

use crate::bindings::airssys::core::errors::StorageError;
use crate::bindings::airssys::core::storage::{Host, StorageUsage};
use crate::ctx::{AirssysCtx, Rated};
use crate::security::Capability;
use backend::{BackendError, Quota};

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

/// The same checks against every backend: what the trait promises.
#[cfg(test)]
mod backend_contract {
    use super::backend::{BackendError, Quota, StorageBackend, Usage};

    const QUOTA: Quota = Quota {
        bytes: 1000,
        keys: 3,
    };
    use super::memory::MemoryBackend;
    use super::redb::RedbBackend;

    fn check(backend: &dyn StorageBackend) {
        // Namespaces that sort next to each other must not leak into one another.
        for namespace in ["a", "a/", "a/b", "ab", "b"] {
            backend
                .set(namespace, "key", namespace.as_bytes(), QUOTA)
                .unwrap();
            backend.set(namespace, "key2", b"", QUOTA).unwrap();
        }
        assert_eq!(backend.keys("a", "").unwrap(), ["key", "key2"]);
        assert_eq!(backend.keys("a/", "key2").unwrap(), ["key2"]);
        assert_eq!(
            backend.get("ab", "key").unwrap().as_deref(),
            Some(&b"ab"[..])
        );
        assert_eq!(backend.get("c", "key").unwrap(), None);
        assert_eq!(
            backend.usage("a/b").unwrap(),
            Usage {
                used_bytes: 3 + 3 + 4,
                key_count: 2
            }
        );

        assert_eq!(
            backend.set("a", "big", &[0; 1000], QUOTA),
            Err(BackendError::QuotaExceeded)
        );
        assert_eq!(backend.get("a", "big").unwrap(), None);
        assert_eq!(backend.usage("a").unwrap().key_count, 2);

        backend.delete("a", "key").unwrap();
        backend.delete("a", "never").unwrap();
        assert!(!backend.contains("a", "key").unwrap());
        assert!(backend.contains("a/", "key").unwrap());
        assert_eq!(
            backend.usage("a").unwrap(),
            Usage {
                used_bytes: 4,
                key_count: 1
            }
        );
    }

    #[test]
    fn memory_backend_keeps_the_contract() {
        check(&MemoryBackend::new());
    }

    #[test]
    fn redb_backend_keeps_the_contract() {
        let dir = tempfile::tempdir().unwrap();
        check(&RedbBackend::open(&dir.path().join("db.redb")).unwrap());
    }

    #[test]
    fn redb_open_failure_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let error = RedbBackend::open(dir.path())
            .err()
            .expect("a directory is no database");
        assert!(
            error
                .to_string()
                .contains(&dir.path().display().to_string()),
            "{error}"
        );
    }
}
