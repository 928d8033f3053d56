//! The storage backend trait and the quota arithmetic every backend shares.

/// One component's storage namespace: its id, rendered unambiguously.
pub type Namespace = str;

/// Totals of one namespace (STO-7).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Sum of key bytes and value bytes.
    pub used_bytes: u64,
    /// Keys stored; a `set` on an existing key leaves it unchanged (STO-3).
    pub key_count: u64,
}

/// What one namespace may hold (STO-9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Key bytes plus value bytes.
    pub bytes: u64,
    /// Keys.
    pub keys: u64,
}

/// Why a backend call failed; the host turns it into the WIT `storage-error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The `set` would take the namespace over its [`Quota`]; nothing was
    /// written (STO-9). Becomes `quota-exceeded`.
    #[error("the write would exceed the storage quota")]
    QuotaExceeded,
    /// The backend itself failed, e.g. the redb file; the text says how.
    /// Becomes `io-error`.
    #[error("storage backend failed: {0}")]
    Io(String),
}

/// Key/value storage partitioned by namespace. Every method is atomic: a
/// failed `set` or `delete` changes nothing (STO-9, STO-11).
pub trait StorageBackend: Send + Sync + 'static {
    /// The value under `key`, byte for byte, or `None` if there is none (STO-1, STO-2).
    fn get(&self, namespace: &Namespace, key: &str) -> Result<Option<Vec<u8>>, BackendError>;

    /// Stores `value` under `key` if the namespace stays within `quota`.
    fn set(
        &self,
        namespace: &Namespace,
        key: &str,
        value: &[u8],
        quota: Quota,
    ) -> Result<(), BackendError>;

    /// What [`get`](Self::get) returns for each of `keys`, in order, read at
    /// one instant: no write to the namespace lands between two of them
    /// (STO-12). The default calls `get` per key, which is one instant only
    /// while nothing else writes the namespace (a component's calls into its
    /// own namespace follow one another); the in-memory and redb backends
    /// read under one lock or one read transaction.
    fn get_many(
        &self,
        namespace: &Namespace,
        keys: &[&str],
    ) -> Result<Vec<Option<Vec<u8>>>, BackendError> {
        keys.iter().map(|key| self.get(namespace, key)).collect()
    }

    /// Removes `key`; an absent key is not an error.
    fn delete(&self, namespace: &Namespace, key: &str) -> Result<(), BackendError>;

    /// Whether `key` holds a value, empty values included (STO-5); by default
    /// through [`get`](Self::get).
    fn contains(&self, namespace: &Namespace, key: &str) -> Result<bool, BackendError> {
        Ok(self.get(namespace, key)?.is_some())
    }

    /// Keys starting with `prefix`, each once, sorted by bytes.
    fn keys(&self, namespace: &Namespace, prefix: &str) -> Result<Vec<String>, BackendError>;

    /// The namespace's current totals (STO-7); zero for one never written.
    fn usage(&self, namespace: &Namespace) -> Result<Usage, BackendError>;
}

/// Bytes one entry counts against the quota.
pub(crate) fn entry_bytes(key: &str, value_len: usize) -> u64 {
    (key.len() + value_len) as u64
}

impl Usage {
    /// The usage after storing a `new_len`-byte value under `key`, which held
    /// `old_len` bytes before (or nothing), or `QuotaExceeded`.
    pub(crate) fn after_set(
        self,
        key: &str,
        old_len: Option<usize>,
        new_len: usize,
        quota: Quota,
    ) -> Result<Usage, BackendError> {
        let released = old_len.map_or(0, |len| entry_bytes(key, len));
        let used_bytes = self.used_bytes - released + entry_bytes(key, new_len);
        let key_count = self.key_count + u64::from(old_len.is_none());
        if used_bytes > quota.bytes || key_count > quota.keys {
            return Err(BackendError::QuotaExceeded);
        }
        Ok(Usage {
            used_bytes,
            key_count,
        })
    }

    /// The usage after removing `key`, which held `old_len` bytes.
    pub(crate) fn after_delete(self, key: &str, old_len: usize) -> Usage {
        Usage {
            used_bytes: self.used_bytes - entry_bytes(key, old_len),
            key_count: self.key_count - 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN_BYTES: Quota = Quota { bytes: 10, keys: 2 };

    #[test]
    fn replacing_counts_only_the_difference() {
        let usage = Usage {
            used_bytes: 10,
            key_count: 1,
        };
        let after = usage.after_set("k", Some(9), 4, TEN_BYTES).unwrap();
        assert_eq!(
            after,
            Usage {
                used_bytes: 5,
                key_count: 1
            }
        );
    }

    #[test]
    fn a_new_key_over_quota_is_refused() {
        let usage = Usage::default();
        assert_eq!(
            usage.after_set("key", None, 8, TEN_BYTES),
            Err(BackendError::QuotaExceeded)
        );
        assert!(usage.after_set("key", None, 7, TEN_BYTES).is_ok());
    }

    #[test]
    fn a_key_over_the_key_limit_is_refused_a_replacement_is_not() {
        let full = Usage {
            used_bytes: 2,
            key_count: 2,
        };
        assert_eq!(
            full.after_set("c", None, 0, TEN_BYTES),
            Err(BackendError::QuotaExceeded)
        );
        assert!(full.after_set("a", Some(0), 1, TEN_BYTES).is_ok());
    }
}
