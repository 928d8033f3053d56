//! The in-memory backend: the default, nothing to set up, gone when the host stops.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, RwLock};

use super::backend::{BackendError, Namespace, Quota, StorageBackend, Usage};

/// Clones share the same storage: an embedder (or a test) can keep it
/// across a restart of the host. Each namespace has its own lock, so one
/// component's long `list-keys` holds up no other component's storage
/// calls, except a first call in a new namespace, which waits for the
/// namespace map: calls hold its read lock rather than pay for an `Arc`
/// clone each (`docs/performance.md`).
#[derive(Default, Clone)]
pub struct MemoryBackend {
    namespaces: Arc<RwLock<HashMap<String, Arc<Mutex<Entries>>>>>,
}

#[derive(Default)]
struct Entries {
    values: BTreeMap<String, Vec<u8>>,
    usage: Usage,
}

impl MemoryBackend {
    /// An empty backend; its clones share its storage.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, namespace: &Namespace, f: impl FnOnce(&mut Entries) -> R) -> R {
        // A panic while holding the lock cannot leave a half-applied write:
        // every mutation below is computed first and applied last.
        let lock = |entries: &Mutex<Entries>| {
            let mut entries = entries
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut entries)
        };
        {
            let namespaces = self.namespaces.read().unwrap_or_else(|p| p.into_inner());
            if let Some(entries) = namespaces.get(namespace) {
                return lock(entries);
            }
        }
        let entries = {
            let mut namespaces = self.namespaces.write().unwrap_or_else(|p| p.into_inner());
            namespaces.entry(namespace.to_owned()).or_default().clone()
        };
        lock(&entries)
    }
}

impl StorageBackend for MemoryBackend {
    fn get(&self, namespace: &Namespace, key: &str) -> Result<Option<Vec<u8>>, BackendError> {
        Ok(self.with(namespace, |entries| entries.values.get(key).cloned()))
    }

    fn get_many(
        &self,
        namespace: &Namespace,
        keys: &[&str],
    ) -> Result<Vec<Option<Vec<u8>>>, BackendError> {
        Ok(self.with(namespace, |entries| {
            keys.iter()
                .map(|key| entries.values.get(*key).cloned())
                .collect()
        }))
    }

    fn set(
        &self,
        namespace: &Namespace,
        key: &str,
        value: &[u8],
        quota: Quota,
    ) -> Result<(), BackendError> {
        self.with(namespace, |entries| {
            let old_len = entries.values.get(key).map(Vec::len);
            entries.usage = entries.usage.after_set(key, old_len, value.len(), quota)?;
            entries.values.insert(key.to_owned(), value.to_vec());
            Ok(())
        })
    }

    fn delete(&self, namespace: &Namespace, key: &str) -> Result<(), BackendError> {
        self.with(namespace, |entries| {
            if let Some(old) = entries.values.remove(key) {
                entries.usage = entries.usage.after_delete(key, old.len());
            }
            Ok(())
        })
    }

    fn contains(&self, namespace: &Namespace, key: &str) -> Result<bool, BackendError> {
        Ok(self.with(namespace, |entries| entries.values.contains_key(key)))
    }

    fn keys(&self, namespace: &Namespace, prefix: &str) -> Result<Vec<String>, BackendError> {
        Ok(self.with(namespace, |entries| {
            entries
                .values
                .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
                .map(|(key, _)| key)
                .take_while(|key| key.starts_with(prefix))
                .cloned()
                .collect()
        }))
    }

    fn usage(&self, namespace: &Namespace) -> Result<Usage, BackendError> {
        Ok(self.with(namespace, |entries| entries.usage))
    }
}
