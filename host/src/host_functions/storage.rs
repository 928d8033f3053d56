//! `airssys:core/storage` for a component: its grant, key and write rate
//! are checked here, then its namespace of the host's backend is read or
//! written (STO-1..11). 1.1.0's `storage` is 1.0.0's and `get-many` (STO-12).

use std::collections::HashMap;

use airssys_contract::reasons;

use crate::bindings::airssys::core::errors::StorageError;
use crate::bindings::airssys::core::storage::{Host, StorageUsage};
use crate::bindings::v1_1::airssys::core::storage as v1_1;
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

    /// `get-many`'s checks after the grant (STO-12, STO-8): at most
    /// `max_get_many_keys` keys, then every key valid, or the whole call fails.
    fn get_many_keys(&self, keys: &[String]) -> Result<(), StorageError> {
        let limit = self.host.config.max_get_many_keys;
        if keys.len() > limit {
            return Err(StorageError::IoError(format!(
                "get-many asked for {} keys; the limit is {limit} keys per call \
                 (HostConfig::max_get_many_keys): ask in calls of at most {limit}",
                keys.len()
            )));
        }
        for (at, key) in keys.iter().enumerate() {
            if let Some(reason) = reasons::invalid_key(key, self.host.config.max_key_bytes) {
                return Err(StorageError::InvalidKey(format!("keys[{at}]: {reason}")));
            }
        }
        Ok(())
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

/// 1.1.0's `storage`: 1.0.0's functions as they are, and `get-many`.
impl v1_1::Host for AirssysCtx {
    fn get(&mut self, key: String) -> Result<Option<Vec<u8>>, StorageError> {
        Host::get(self, key)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StorageError> {
        Host::set(self, key, value)
    }

    fn delete(&mut self, key: String) -> Result<(), StorageError> {
        Host::delete(self, key)
    }

    fn exists(&mut self, key: String) -> Result<bool, StorageError> {
        Host::exists(self, key)
    }

    /// STO-12: what `get` returns for each key, in order, read in one
    /// backend call (one lock, one read transaction). A key asked for twice
    /// is read once and copied for its repeats; the answer is refused if its
    /// values would add up to more than the storage quota, which only
    /// repeats can make it do. So the values the host holds for one call
    /// never exceed the quota: each read value moves into the answer.
    fn get_many(&mut self, keys: Vec<String>) -> Result<Vec<Option<Vec<u8>>>, StorageError> {
        self.storage_access(Capability::StorageRead, None)?;
        self.get_many_keys(&keys)?;
        // Each distinct key with how many times it was asked for.
        let mut asked: HashMap<&str, usize> = HashMap::new();
        for key in &keys {
            *asked.entry(key).or_default() += 1;
        }
        let distinct: Vec<&str> = asked.keys().copied().collect();
        let values = self.host.storage.get_many(&self.namespace, &distinct)?;
        let answer_bytes: u64 = distinct
            .iter()
            .zip(&values)
            .map(|(key, value)| value.as_ref().map_or(0, Vec::len) as u64 * asked[key] as u64)
            .sum();
        let quota = self.host.config.storage_quota_bytes;
        if answer_bytes > quota {
            return Err(StorageError::IoError(format!(
                "get-many's answer would be {answer_bytes} bytes of values, more than the \
                 storage quota of {quota} bytes (HostConfig::storage_quota_bytes): ask for \
                 each key once"
            )));
        }
        let mut found: HashMap<&str, (Option<Vec<u8>>, usize)> = distinct
            .into_iter()
            .zip(values)
            .map(|(key, value)| (key, (value, asked[key])))
            .collect();
        Ok(keys
            .iter()
            .map(|key| {
                let (value, left) = found
                    .get_mut(key.as_str())
                    .expect("every key asked for was read");
                *left -= 1;
                // The last time a key is asked for takes its value; earlier ones copy it.
                if *left == 0 {
                    value.take()
                } else {
                    value.clone()
                }
            })
            .collect())
    }

    /// Never called by a component: `compare-and-swap` is behind
    /// `@unstable(feature = compare-and-swap)` and `register_host_functions`
    /// leaves the feature off, so it is not on the linker. Called from Rust,
    /// it refuses in words rather than pretend to implement STO-13.
    fn compare_and_swap(
        &mut self,
        _key: String,
        _expected: Option<Vec<u8>>,
        _value: Vec<u8>,
    ) -> Result<bool, StorageError> {
        Err(StorageError::IoError(
            "compare-and-swap is behind @unstable(feature = compare-and-swap), \
             which the reference host does not serve"
                .into(),
        ))
    }

    fn list_keys(&mut self, prefix: Option<String>) -> Result<Vec<String>, StorageError> {
        Host::list_keys(self, prefix)
    }

    fn usage(&mut self) -> Result<v1_1::StorageUsage, StorageError> {
        let StorageUsage {
            used_bytes,
            quota_bytes,
            key_count,
        } = Host::usage(self)?;
        Ok(v1_1::StorageUsage {
            used_bytes,
            quota_bytes,
            key_count,
        })
    }
}
