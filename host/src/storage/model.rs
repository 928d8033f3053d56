//! Both backends against a `BTreeMap` model over random operation
//! sequences: quota edges, keys that prefix one another, namespaces that
//! sort next to each other, and (redb) reopening the file mid-sequence.

use std::collections::BTreeMap;
use std::path::Path;

use proptest::collection::vec;
use proptest::prelude::*;

use super::backend::{BackendError, Quota, StorageBackend, Usage, entry_bytes};
use super::memory::MemoryBackend;
use super::redb::RedbBackend;

/// Small enough that sequences reach both limits.
const QUOTA: Quota = Quota { bytes: 64, keys: 3 };

#[derive(Debug, Clone)]
enum Op {
    Set(&'static str, &'static str, Vec<u8>),
    Delete(&'static str, &'static str),
    /// Close the backend and open it again on the same file (redb only).
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    let namespace = prop_oneof![Just("a"), Just("a/"), Just("ab")];
    let key = prop_oneof![Just("k"), Just("k2"), Just("kk"), Just("é")];
    let value = prop_oneof![
        Just(vec![]),
        vec(any::<u8>(), 0..8),
        vec(Just(0xFFu8), 40..70)
    ];
    prop_oneof![
        4 => (namespace.clone(), key.clone(), value).prop_map(|(n, k, v)| Op::Set(n, k, v)),
        2 => (namespace, key).prop_map(|(n, k)| Op::Delete(n, k)),
        1 => Just(Op::Reopen),
    ]
}

#[derive(Default)]
struct Model(BTreeMap<(&'static str, &'static str), Vec<u8>>);

impl Model {
    fn usage(&self, namespace: &str) -> Usage {
        let entries = self.0.iter().filter(|((n, _), _)| *n == namespace);
        entries.fold(Usage::default(), |usage, ((_, key), value)| Usage {
            used_bytes: usage.used_bytes + entry_bytes(key, value.len()),
            key_count: usage.key_count + 1,
        })
    }

    fn set(
        &mut self,
        namespace: &'static str,
        key: &'static str,
        value: &[u8],
    ) -> Result<(), BackendError> {
        let old = self
            .0
            .get(&(namespace, key))
            .map_or(0, |v| entry_bytes(key, v.len()));
        let usage = self.usage(namespace);
        let used = usage.used_bytes - old + entry_bytes(key, value.len());
        let keys = usage.key_count + u64::from(!self.0.contains_key(&(namespace, key)));
        if used > QUOTA.bytes || keys > QUOTA.keys {
            return Err(BackendError::QuotaExceeded);
        }
        self.0.insert((namespace, key), value.to_vec());
        Ok(())
    }
}

/// Runs `ops` on the backend `open` makes, checking every read after each
/// step; `Reopen` opens it again if `reopens`.
fn run(
    ops: &[Op],
    reopens: bool,
    mut open: impl FnMut() -> Box<dyn StorageBackend>,
) -> Result<(), TestCaseError> {
    let mut backend = open();
    let mut model = Model::default();
    for op in ops {
        match op {
            Op::Set(namespace, key, value) => {
                let expected = model.set(namespace, key, value);
                prop_assert_eq!(
                    backend.set(namespace, key, value, QUOTA),
                    expected,
                    "{:?}",
                    op
                );
            }
            Op::Delete(namespace, key) => {
                model.0.remove(&(*namespace, *key));
                prop_assert_eq!(backend.delete(namespace, key), Ok(()), "{:?}", op);
            }
            Op::Reopen if reopens => {
                drop(backend);
                backend = open();
            }
            Op::Reopen => {}
        }
        for namespace in ["a", "a/", "ab"] {
            prop_assert_eq!(
                backend.usage(namespace),
                Ok(model.usage(namespace)),
                "after {:?}",
                op
            );
            let keys: Vec<String> = model
                .0
                .keys()
                .filter(|(n, _)| *n == namespace)
                .map(|(_, k)| k.to_string())
                .collect();
            prop_assert_eq!(
                backend.keys(namespace, ""),
                Ok(keys.clone()),
                "after {:?}",
                op
            );
            let under_k: Vec<String> = keys.into_iter().filter(|k| k.starts_with('k')).collect();
            prop_assert_eq!(backend.keys(namespace, "k"), Ok(under_k), "after {:?}", op);
            // STO-12: one answer per key asked, in order, repeats included.
            let asked = ["é", "k", "absent", "k"];
            let answers: Vec<Option<Vec<u8>>> = asked
                .iter()
                .map(|key| model.0.get(&(namespace, *key)).cloned())
                .collect();
            prop_assert_eq!(
                backend.get_many(namespace, &asked),
                Ok(answers),
                "after {:?}",
                op
            );
            for key in ["k", "k2", "kk", "é"] {
                let stored = model.0.get(&(namespace, key)).cloned();
                prop_assert_eq!(
                    backend.get(namespace, key),
                    Ok(stored.clone()),
                    "after {:?}",
                    op
                );
                prop_assert_eq!(
                    backend.contains(namespace, key),
                    Ok(stored.is_some()),
                    "after {:?}",
                    op
                );
            }
        }
    }
    Ok(())
}

fn open_redb(path: &Path) -> Box<dyn StorageBackend> {
    Box::new(RedbBackend::open(path).expect("the database opens"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn memory_backend_follows_the_model(ops in vec(op(), 1..40)) {
        run(&ops, false, || Box::new(MemoryBackend::new()))?;
    }

    #[test]
    fn redb_backend_follows_the_model_across_reopening(ops in vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.redb");
        run(&ops, true, || open_redb(&path))?;
    }
}
