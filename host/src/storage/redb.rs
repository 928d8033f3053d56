//! The persistent backend on redb: each `set`/`delete` is one ACID write
//! transaction, committed durably before the call returns (STO-11).

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition};

use super::backend::{BackendError, Namespace, Quota, StorageBackend, Usage};

/// (namespace, key) -> value. Tuple keys sort by namespace, then key bytes.
const ENTRIES: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("entries");
/// namespace -> (used bytes, key count), updated in the same transaction as `ENTRIES`.
const USAGE: TableDefinition<&str, (u64, u64)> = TableDefinition::new("usage");

type Reopen = Box<dyn Fn() -> Result<Database, DatabaseError> + Send + Sync>;

/// After one I/O error redb refuses every later transaction until the
/// database is opened again, which repairs it. So a failed call is retried
/// once on a reopened database instead of failing every call until the host
/// restarts: the write that met the error failed, and was not acknowledged.
pub struct RedbBackend {
    /// `None` after a reopen failed; the next call tries again.
    db: RwLock<Option<Database>>,
    reopen: Reopen,
}

/// Why a storage call failed inside this backend.
enum Failure {
    Backend(BackendError),
    /// redb's "a previous I/O error occurred": the database must be reopened.
    NeedsReopen,
}

impl From<BackendError> for Failure {
    fn from(error: BackendError) -> Self {
        Failure::Backend(error)
    }
}

fn io(error: impl Into<redb::Error>) -> Failure {
    match error.into() {
        redb::Error::PreviousIo => Failure::NeedsReopen,
        other => Failure::Backend(BackendError::Io(other.to_string())),
    }
}

impl RedbBackend {
    /// Opens the database at `path`, creating it if missing.
    pub fn open(path: &Path) -> Result<Self, BackendError> {
        let shown = path.display().to_string();
        let path: PathBuf = path.to_owned();
        Self::with_reopen(Box::new(move || Database::create(&path))).map_err(|error| match error {
            BackendError::Io(reason) => BackendError::Io(format!("cannot open {shown}: {reason}")),
            other => other,
        })
    }

    /// A database `reopen` opens, now and after an I/O error.
    fn with_reopen(reopen: Reopen) -> Result<Self, BackendError> {
        let db = reopen().map_err(|e| BackendError::Io(e.to_string()))?;
        let backend = Self {
            db: RwLock::new(Some(db)),
            reopen,
        };
        backend.call(|db| {
            let txn = db.begin_write().map_err(io)?;
            txn.open_table(ENTRIES).map_err(io)?;
            txn.open_table(USAGE).map_err(io)?;
            txn.commit().map_err(io)
        })?;
        Ok(backend)
    }

    /// Runs `op` on the database; after an earlier I/O error, reopens it and
    /// runs `op` once more.
    fn call<R>(&self, op: impl Fn(&Database) -> Result<R, Failure>) -> Result<R, BackendError> {
        match self.try_once(&op) {
            Err(Failure::NeedsReopen) => {
                self.reopen()?;
                self.try_once(&op).map_err(|failure| match failure {
                    Failure::Backend(error) => error,
                    Failure::NeedsReopen => BackendError::Io(
                        "the database failed again right after it was reopened".into(),
                    ),
                })
            }
            Err(Failure::Backend(error)) => Err(error),
            Ok(value) => Ok(value),
        }
    }

    fn try_once<R>(&self, op: &impl Fn(&Database) -> Result<R, Failure>) -> Result<R, Failure> {
        let db = self.db.read().unwrap_or_else(|p| p.into_inner());
        op(db.as_ref().ok_or(Failure::NeedsReopen)?)
    }

    fn reopen(&self) -> Result<(), BackendError> {
        let mut db = self.db.write().unwrap_or_else(|p| p.into_inner());
        tracing::warn!("reopening the storage database after an I/O error");
        // redb locks its file: the old handle closes before the new one opens.
        drop(db.take());
        *db = Some((self.reopen)().map_err(|e| {
            BackendError::Io(format!(
                "cannot reopen the database after an I/O error: {e}"
            ))
        })?);
        Ok(())
    }
}

/// Runs `f` in one write transaction, committed only if `f` succeeds.
fn write<R>(
    db: &Database,
    f: impl FnOnce(
        &mut redb::Table<(&str, &str), &[u8]>,
        &mut redb::Table<&str, (u64, u64)>,
    ) -> Result<R, Failure>,
) -> Result<R, Failure> {
    let txn = db.begin_write().map_err(io)?;
    let result = {
        let mut entries = txn.open_table(ENTRIES).map_err(io)?;
        let mut usage = txn.open_table(USAGE).map_err(io)?;
        f(&mut entries, &mut usage)
    };
    match result {
        Ok(value) => {
            txn.commit().map_err(io)?;
            Ok(value)
        }
        Err(error) => {
            txn.abort().map_err(io)?;
            Err(error)
        }
    }
}

fn write_usage(
    table: &mut redb::Table<&str, (u64, u64)>,
    namespace: &Namespace,
    usage: Usage,
) -> Result<(), Failure> {
    table
        .insert(namespace, (usage.used_bytes, usage.key_count))
        .map_err(io)?;
    Ok(())
}

fn read_usage(
    table: &impl ReadableTable<&'static str, (u64, u64)>,
    namespace: &Namespace,
) -> Result<Usage, Failure> {
    Ok(table
        .get(namespace)
        .map_err(io)?
        .map(|guard| {
            let (used_bytes, key_count) = guard.value();
            Usage {
                used_bytes,
                key_count,
            }
        })
        .unwrap_or_default())
}

impl StorageBackend for RedbBackend {
    fn get(&self, namespace: &Namespace, key: &str) -> Result<Option<Vec<u8>>, BackendError> {
        self.call(|db| {
            let txn = db.begin_read().map_err(io)?;
            let table = txn.open_table(ENTRIES).map_err(io)?;
            let value = table.get((namespace, key)).map_err(io)?;
            Ok(value.map(|guard| guard.value().to_vec()))
        })
    }

    fn get_many(
        &self,
        namespace: &Namespace,
        keys: &[&str],
    ) -> Result<Vec<Option<Vec<u8>>>, BackendError> {
        self.call(|db| {
            // One read transaction: a snapshot no commit changes meanwhile.
            let txn = db.begin_read().map_err(io)?;
            let table = txn.open_table(ENTRIES).map_err(io)?;
            keys.iter()
                .map(|key| {
                    let value = table.get((namespace, *key)).map_err(io)?;
                    Ok(value.map(|guard| guard.value().to_vec()))
                })
                .collect()
        })
    }

    fn set(
        &self,
        namespace: &Namespace,
        key: &str,
        value: &[u8],
        quota: Quota,
    ) -> Result<(), BackendError> {
        self.call(|db| {
            write(db, |entries, usage| {
                let old_len = entries
                    .get((namespace, key))
                    .map_err(io)?
                    .map(|guard| guard.value().len());
                let next =
                    read_usage(usage, namespace)?.after_set(key, old_len, value.len(), quota)?;
                entries.insert((namespace, key), value).map_err(io)?;
                write_usage(usage, namespace, next)
            })
        })
    }

    fn delete(&self, namespace: &Namespace, key: &str) -> Result<(), BackendError> {
        self.call(|db| {
            write(db, |entries, usage| {
                let removed = entries
                    .remove((namespace, key))
                    .map_err(io)?
                    .map(|guard| guard.value().len());
                if let Some(old_len) = removed {
                    let next = read_usage(usage, namespace)?.after_delete(key, old_len);
                    write_usage(usage, namespace, next)?;
                }
                Ok(())
            })
        })
    }

    fn keys(&self, namespace: &Namespace, prefix: &str) -> Result<Vec<String>, BackendError> {
        self.call(|db| {
            let txn = db.begin_read().map_err(io)?;
            let table = txn.open_table(ENTRIES).map_err(io)?;
            let mut keys = Vec::new();
            for entry in table.range((namespace, prefix)..).map_err(io)? {
                let (stored, _) = entry.map_err(io)?;
                let (stored_namespace, key) = stored.value();
                if stored_namespace != namespace || !key.starts_with(prefix) {
                    break;
                }
                keys.push(key.to_owned());
            }
            Ok(keys)
        })
    }

    fn usage(&self, namespace: &Namespace) -> Result<Usage, BackendError> {
        self.call(|db| {
            let txn = db.begin_read().map_err(io)?;
            let table = txn.open_table(USAGE).map_err(io)?;
            read_usage(&table, namespace)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use redb::backends::InMemoryBackend;

    use super::*;

    /// A disk whose writes fail while `failing` is set.
    #[derive(Debug)]
    struct FlakyDisk {
        disk: Arc<InMemoryBackend>,
        failing: Arc<AtomicBool>,
    }

    impl FlakyDisk {
        fn check(&self) -> std::io::Result<()> {
            if self.failing.load(Ordering::Relaxed) {
                Err(std::io::Error::other("the disk is unplugged"))
            } else {
                Ok(())
            }
        }
    }

    impl redb::StorageBackend for FlakyDisk {
        fn len(&self) -> std::io::Result<u64> {
            self.disk.len()
        }
        fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
            self.disk.read(offset, out)
        }
        fn set_len(&self, len: u64) -> std::io::Result<()> {
            self.check()?;
            self.disk.set_len(len)
        }
        fn sync_data(&self) -> std::io::Result<()> {
            self.check()?;
            self.disk.sync_data()
        }
        fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
            self.check()?;
            self.disk.write(offset, data)
        }
    }

    #[test]
    fn one_io_error_fails_one_call_not_every_later_one() {
        let disk = Arc::new(InMemoryBackend::new());
        let failing = Arc::new(AtomicBool::new(false));
        let backend = RedbBackend::with_reopen(Box::new({
            let failing = failing.clone();
            move || {
                redb::Builder::new().create_with_backend(FlakyDisk {
                    disk: disk.clone(),
                    failing: failing.clone(),
                })
            }
        }))
        .unwrap();
        let ns = "ns/a/1".to_string();
        let quota = Quota {
            bytes: 1 << 20,
            keys: 100,
        };
        backend.set(&ns, "before", b"1", quota).unwrap();
        failing.store(true, Ordering::Relaxed);
        assert!(backend.set(&ns, "during", b"2", quota).is_err());
        failing.store(false, Ordering::Relaxed);
        backend.set(&ns, "after", b"3", quota).unwrap();
        assert_eq!(backend.get(&ns, "before").unwrap(), Some(b"1".to_vec()));
        assert_eq!(
            backend.get(&ns, "during").unwrap(),
            None,
            "it was not acknowledged"
        );
        assert_eq!(backend.keys(&ns, "").unwrap(), ["after", "before"]);
        assert_eq!(backend.usage(&ns).unwrap().key_count, 2);
    }
}
