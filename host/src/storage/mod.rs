//! What `airssys:core/storage` keeps for a host: the backends of
//! per-component key/value storage (STO-1..11). A component's calls are
//! answered above the context, in `host_functions/storage.rs`.

pub mod backend;
pub mod memory;
pub mod redb;

#[cfg(test)]
mod model;

use crate::bindings::airssys::core::errors::StorageError;
use backend::BackendError;

impl From<BackendError> for StorageError {
    fn from(error: BackendError) -> Self {
        match error {
            BackendError::QuotaExceeded => StorageError::QuotaExceeded,
            BackendError::Io(reason) => StorageError::IoError(reason),
        }
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
