//! The persistent backend on redb: each `set`/`delete` is one ACID write
//! transaction, committed durably before the call returns (STO-11).

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};

use super::backend::{BackendError, Namespace, Quota, StorageBackend, Usage};

/// (namespace, key) -> value. Tuple keys sort by namespace, then key bytes.
const ENTRIES: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("entries");
/// namespace -> (used bytes, key count), updated in the same transaction as `ENTRIES`.
const USAGE: TableDefinition<&str, (u64, u64)> = TableDefinition::new("usage");

pub struct RedbBackend {
    db: Database,
}

fn io(error: impl std::fmt::Display) -> BackendError {
    BackendError::Io(error.to_string())
}

impl RedbBackend {
    /// Opens the database at `path`, creating it if missing.
    pub fn open(path: &Path) -> Result<Self, BackendError> {
        let db = Database::create(path)
            .map_err(|e| BackendError::Io(format!("cannot open {}: {e}", path.display())))?;
        let txn = db.begin_write().map_err(io)?;
        txn.open_table(ENTRIES).map_err(io)?;
        txn.open_table(USAGE).map_err(io)?;
        txn.commit().map_err(io)?;
        Ok(Self { db })
    }

    /// Runs `f` in one write transaction, committed only if `f` succeeds.
    fn write<R>(
        &self,
        f: impl FnOnce(
            &mut redb::Table<(&str, &str), &[u8]>,
            &mut redb::Table<&str, (u64, u64)>,
        ) -> Result<R, BackendError>,
    ) -> Result<R, BackendError> {
        let txn = self.db.begin_write().map_err(io)?;
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
}

fn read_usage(
    table: &impl ReadableTable<&'static str, (u64, u64)>,
    namespace: &Namespace,
) -> Result<Usage, BackendError> {
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
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(ENTRIES).map_err(io)?;
        let value = table.get((namespace, key)).map_err(io)?;
        Ok(value.map(|guard| guard.value().to_vec()))
    }

    fn set(
        &self,
        namespace: &Namespace,
        key: &str,
        value: &[u8],
        quota: Quota,
    ) -> Result<(), BackendError> {
        self.write(|entries, usage| {
            let old_len = entries
                .get((namespace, key))
                .map_err(io)?
                .map(|guard| guard.value().len());
            let next = read_usage(usage, namespace)?.after_set(key, old_len, value.len(), quota)?;
            entries.insert((namespace, key), value).map_err(io)?;
            usage
                .insert(namespace, (next.used_bytes, next.key_count))
                .map_err(io)?;
            Ok(())
        })
    }

    fn delete(&self, namespace: &Namespace, key: &str) -> Result<(), BackendError> {
        self.write(|entries, usage| {
            let removed = entries
                .remove((namespace, key))
                .map_err(io)?
                .map(|guard| guard.value().len());
            if let Some(old_len) = removed {
                let next = read_usage(usage, namespace)?.after_delete(key, old_len);
                usage
                    .insert(namespace, (next.used_bytes, next.key_count))
                    .map_err(io)?;
            }
            Ok(())
        })
    }

    fn keys(&self, namespace: &Namespace, prefix: &str) -> Result<Vec<String>, BackendError> {
        let txn = self.db.begin_read().map_err(io)?;
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
    }

    fn usage(&self, namespace: &Namespace) -> Result<Usage, BackendError> {
        let txn = self.db.begin_read().map_err(io)?;
        let table = txn.open_table(USAGE).map_err(io)?;
        read_usage(&table, namespace)
    }
}
