//! STO-1..11: each component's own key/value namespace.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use airssys_probe_protocol::{Call, Returned};
use proptest::collection::vec;
use proptest::prelude::{Just, Strategy, any, prop_oneof};

use airssys_contract::StorageFn::{self, Delete, Exists, Get, ListKeys, Set, Usage};
use airssys_contract::{HostFn, limits};

use super::{ClauseCheck, Judge, Needs, Probe, Session, brief, no_part, precondition_failed};
use crate::wire::Id;

pub(super) const CHECKS: &[ClauseCheck] = &[
    ClauseCheck {
        clause: "STO-1",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Get],
        judge: Judge::Storage(sto_1),
    },
    ClauseCheck {
        clause: "STO-2",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Get],
        judge: Judge::Storage(sto_2),
    },
    ClauseCheck {
        clause: "STO-3",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Get, HostFn::Usage],
        judge: Judge::Storage(sto_3),
    },
    ClauseCheck {
        clause: "STO-4",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Delete, HostFn::Get, HostFn::Exists],
        judge: Judge::Storage(sto_4),
    },
    ClauseCheck {
        clause: "STO-5",
        needs: Needs::Linker,
        uses: &[HostFn::Set],
        judge: Judge::Storage(sto_5),
    },
    ClauseCheck {
        clause: "STO-6",
        needs: Needs::Linker,
        uses: &[HostFn::Set],
        judge: Judge::Storage(sto_6),
    },
    ClauseCheck {
        clause: "STO-7",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Delete, HostFn::Usage],
        judge: Judge::Storage(sto_7),
    },
    ClauseCheck {
        clause: "STO-8",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Usage],
        judge: Judge::Storage(sto_8),
    },
    ClauseCheck {
        clause: "STO-9",
        needs: Needs::Linker,
        uses: &[HostFn::Get, HostFn::Usage],
        judge: Judge::Storage(sto_9),
    },
    ClauseCheck {
        clause: "STO-10",
        needs: Needs::Linker,
        uses: &[HostFn::Set, HostFn::Get],
        judge: Judge::Storage(sto_10),
    },
    ClauseCheck {
        clause: "STO-11",
        needs: Needs::Runtime,
        uses: &[HostFn::Set, HostFn::Delete, HostFn::Get],
        judge: Judge::Storage(sto_11),
    },
];

pub(super) fn set(key: &str, value: &[u8]) -> Call {
    Call::Set {
        key: key.into(),
        value: value.to_vec(),
    }
}

pub(super) fn get(key: &str) -> Call {
    Call::Get { key: key.into() }
}

fn delete(key: &str) -> Call {
    Call::Delete { key: key.into() }
}

fn exists(key: &str) -> Call {
    Call::Exists { key: key.into() }
}

fn value(bytes: &[u8]) -> Returned {
    Returned::Value(Some(bytes.to_vec()))
}

/// (used bytes, quota bytes, key count)
fn usage(session: &mut Session, probe: &Id) -> (u64, u64, u64) {
    match session.ok(probe, Call::Usage) {
        Returned::Usage {
            used_bytes,
            quota_bytes,
            key_count,
        } => (used_bytes, quota_bytes, key_count),
        other => panic!("usage returned {other:?}"),
    }
}

fn storage_probe(session: &mut Session) -> Id {
    session.load(Probe::Storage, "storage/1")
}

/// A storage probe no earlier case of a property has used.
fn fresh_probe(session: &mut Session, count: &Cell<u32>) -> Id {
    count.set(count.get() + 1);
    session.load(Probe::Storage, &format!("case-{}/1", count.get()))
}

/// Values a host may mangle: empty, NUL, 0xFF, text, every byte, long.
fn any_value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![Just(0u8), Just(0xFF), any::<u8>()];
    prop_oneof![Just(vec![]), vec(byte.clone(), 1..16), vec(byte, 0..8192),]
}

/// Valid keys: short ones of any characters, and ones of one repeated
/// character up to the key limit, multi-byte characters included.
fn any_key() -> impl Strategy<Value = String> {
    let short = vec(any::<char>(), 1..12).prop_map(String::from_iter);
    let near_limit = (any::<char>(), 0..8usize).prop_map(|(c, slack)| {
        let count = (limits::KEY_BYTES - slack) / c.len_utf8();
        c.to_string().repeat(count.max(1))
    });
    prop_oneof![short, near_limit]
}

/// Keys built from a few parts, so that many share a prefix and some hold
/// another key's prefix in the middle.
fn prefixed_key(min_parts: usize) -> impl Strategy<Value = String> {
    let part = prop_oneof![
        Just("a"),
        Just("ab"),
        Just("b"),
        Just("/"),
        Just("é"),
        Just("a/")
    ];
    vec(part, min_parts..4).prop_map(|parts| parts.concat())
}

/// A storage operation of a model-based sequence, on a small set of keys
/// that are prefixes of one another.
#[derive(Debug, Clone)]
enum Op {
    Set(&'static str, usize),
    Delete(&'static str),
}

impl Op {
    fn call(&self) -> Call {
        match self {
            Op::Set(key, len) => set(key, &vec![b'v'; *len]),
            Op::Delete(key) => delete(key),
        }
    }

    fn function(&self) -> StorageFn {
        match self {
            Op::Set(..) => Set,
            Op::Delete(_) => Delete,
        }
    }

    /// Makes the call on `probe`: the judged function must answer `ok`;
    /// another function that does not is a failed precondition.
    fn make(&self, session: &mut Session, probe: &Id, judged: StorageFn) {
        if self.function() == judged {
            session.ok(probe, self.call());
        } else {
            scene(session, probe, self.call());
        }
    }

    fn apply(&self, model: &mut BTreeMap<&'static str, usize>) {
        match self {
            Op::Set(key, len) => model.insert(key, *len),
            Op::Delete(key) => model.remove(key),
        };
    }
}

const MODEL_KEYS: [&str; 4] = ["k", "k2", "kk", "k/"];

/// Random set/delete sequences, each on a fresh probe, kept in a model:
/// `after_each` judges the host against the model after every step.
fn on_model(
    session: &mut Session,
    what: &str,
    judged: StorageFn,
    after_each: impl Fn(&mut Session, &Id, &BTreeMap<&'static str, usize>, &Op),
) {
    let cases = Cell::new(0);
    session.holds(
        &format!("{what}, against a model"),
        any_ops(),
        |session, ops| {
            let probe = fresh_probe(session, &cases);
            let mut model = BTreeMap::new();
            for op in &ops {
                op.make(session, &probe, judged);
                op.apply(&mut model);
                after_each(session, &probe, &model, op);
            }
        },
    );
}

/// A call of another function than the judged one, to set the scene: if it
/// fails, the trial cannot judge its function.
fn scene(session: &mut Session, probe: &Id, call: Call) -> Returned {
    let shown = brief(&call);
    match session.call(probe, call) {
        Ok(returned) => returned,
        Err(error) => precondition_failed(format!("{shown} failed: {error:?}")),
    }
}

/// What `get` says is stored under `key`, as the model writes it: `None`, or
/// the value's length. A `get` that is not `ok` is a failed precondition.
fn stored_len(session: &mut Session, probe: &Id, key: &str) -> Option<usize> {
    match scene(session, probe, get(key)) {
        Returned::Value(value) => value.map(|bytes| bytes.len()),
        other => precondition_failed(format!("get({key:?}) returned {other:?}")),
    }
}

/// Whether `exists` says `key` is stored, as a second path beside `get`.
fn stored(session: &mut Session, probe: &Id, key: &str) -> bool {
    match scene(session, probe, exists(key)) {
        Returned::Bool(there) => there,
        other => precondition_failed(format!("exists({key:?}) returned {other:?}")),
    }
}

/// Holds the scene to the model through `get`, before a read of another
/// function is judged against the same model.
fn expect_scene(session: &mut Session, probe: &Id, model: &BTreeMap<&str, usize>, op: &Op) {
    for key in MODEL_KEYS {
        let got = stored_len(session, probe, key);
        if got != model.get(key).copied() {
            precondition_failed(format!(
                "after {op:?}, get({key:?}) found a value of length {got:?}, where {:?} was \
                 expected: `{}` or `get` misbehaves (see their trials)",
                model.get(key),
                HostFn::from(op.function()).name(),
            ));
        }
    }
}

fn any_ops() -> impl Strategy<Value = Vec<Op>> {
    let key = prop_oneof![
        Just(MODEL_KEYS[0]),
        Just(MODEL_KEYS[1]),
        Just(MODEL_KEYS[2]),
        Just(MODEL_KEYS[3])
    ];
    let op = prop_oneof![
        (key.clone(), 0..40usize).prop_map(|(k, len)| Op::Set(k, len)),
        key.prop_map(Op::Delete),
    ];
    vec(op, 1..16)
}

fn sto_1(session: &mut Session, function: StorageFn) {
    let judging_set = match function {
        Set => true,
        Get => false,
        Delete | Exists | ListKeys | Usage => no_part("STO-1", function),
    };
    let probe = storage_probe(session);
    let every_byte: Vec<u8> = (0..=255).collect();
    let patterned: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    for (key, bytes) in [
        ("one", &b"x"[..]),
        ("bytes", &every_byte),
        ("big", &patterned),
    ] {
        session.ok(&probe, set(key, bytes));
        let got = session.ok(&probe, get(key));
        assert!(
            got == value(bytes),
            "get({key:?}) after set of {} bytes returned other bytes",
            bytes.len()
        );
    }
    session.holds(
        "set, then get of the same key",
        (any_key(), any_value()),
        |session, (key, bytes)| {
            let got = if judging_set {
                session.ok(&probe, set(&key, &bytes));
                scene(session, &probe, get(&key))
            } else {
                scene(session, &probe, set(&key, &bytes));
                session.ok(&probe, get(&key))
            };
            if got == value(&bytes) {
                return;
            }
            // `exists` tells a value set and misread from one never stored.
            let there = stored(session, &probe, &key);
            if judging_set && there && got == Returned::Value(None) {
                precondition_failed(format!(
                    "get({key:?}) returned none for a key that exists says is stored"
                ));
            }
            if !judging_set && !there {
                precondition_failed(format!(
                    "set({key:?}) returned ok, and exists says the key is not stored"
                ));
            }
            panic!("get returned other bytes: {got:?}");
        },
    );
}

fn sto_2(session: &mut Session, _: StorageFn) {
    let probe = storage_probe(session);
    assert_eq!(
        session.ok(&probe, get("never-set")),
        Returned::Value(None),
        "a key never set"
    );
    session.ok(&probe, set("empty", b""));
    assert_eq!(
        session.ok(&probe, get("empty")),
        value(b""),
        "an empty value must be some([]), not none"
    );
}

fn sto_3(session: &mut Session, function: StorageFn) {
    let probe = storage_probe(session);
    session.ok(&probe, set("k", b"first"));
    let (_, _, count) = usage(session, &probe);
    session.ok(&probe, set("k", b"second, longer"));
    let (used, _, count_after) = usage(session, &probe);
    match function {
        Usage => {
            assert_eq!(
                used,
                1 + 14,
                "used-bytes after replacing: key bytes + new value bytes"
            );
            return;
        }
        Set => {}
        Get | Delete | Exists | ListKeys => no_part("STO-3", function),
    }
    assert_eq!(
        session.ok(&probe, get("k")),
        value(b"second, longer"),
        "set must replace"
    );
    assert_eq!(
        count_after, count,
        "key-count changed when a key was replaced"
    );
}

fn sto_4(session: &mut Session, function: StorageFn) {
    let through_exists = match function {
        Exists => true,
        Delete => false,
        Get | Set | ListKeys | Usage => no_part("STO-4", function),
    };
    let probe = storage_probe(session);
    session.ok(&probe, set("k", b"v"));
    // A key that `k` is a prefix of: deleting `k` must leave it alone.
    session.ok(&probe, set("k2", b"w"));
    session.ok(&probe, delete("k"));
    match function {
        Exists => assert_eq!(
            session.ok(&probe, exists("k")),
            Returned::Bool(false),
            "exists after delete"
        ),
        Delete => {
            assert_eq!(
                session.ok(&probe, get("k")),
                Returned::Value(None),
                "get after delete"
            );
            assert_eq!(
                session.call(&probe, delete("k")),
                Ok(Returned::Unit),
                "deleting an absent key"
            );
            assert_eq!(
                session.ok(&probe, get("k2")),
                value(b"w"),
                "delete(\"k\") must delete that key only, not \"k2\""
            );
        }
        Get | Set | ListKeys | Usage => no_part("STO-4", function),
    }
    // Every key after every step: a delete reaches its own key only.
    on_model(
        session,
        "sets and deletes of keys that are prefixes of one another",
        function,
        |session, probe, model, op| {
            if through_exists {
                expect_scene(session, probe, model, op);
                for key in MODEL_KEYS {
                    let got = session.ok(probe, exists(key));
                    let expected = Returned::Bool(model.contains_key(key));
                    assert_eq!(got, expected, "exists({key:?}) after {op:?}");
                }
                return;
            }
            // Judging delete: `get` and `exists` must agree before either
            // can say what a delete did.
            for key in MODEL_KEYS {
                let (by_get, by_exists) = (
                    stored_len(session, probe, key).is_some(),
                    stored(session, probe, key),
                );
                if by_get != by_exists {
                    precondition_failed(format!(
                        "after {op:?}, get and exists disagree whether {key:?} is stored"
                    ));
                }
                let expected = model.contains_key(key);
                if by_get != expected && op.function() != Delete {
                    precondition_failed(format!(
                        "after {op:?}, {key:?} is {}stored: `set` misbehaves",
                        if by_get { "" } else { "not " }
                    ));
                }
                assert_eq!(
                    by_get, expected,
                    "after {op:?}, whether {key:?} is stored (get and exists agree)"
                );
            }
        },
    );
}

fn sto_5(session: &mut Session, function: StorageFn) {
    let probe = storage_probe(session);
    session.ok(&probe, set("present", b"x"));
    session.ok(&probe, set("empty", b""));
    for (key, stored) in [("present", true), ("empty", true), ("absent", false)] {
        match function {
            Get => {
                let is_some = session.ok(&probe, get(key)) != Returned::Value(None);
                assert_eq!(
                    is_some, stored,
                    "get({key:?}) is some exactly when the key was set"
                );
            }
            Exists => assert_eq!(
                session.ok(&probe, exists(key)),
                Returned::Bool(stored),
                "exists({key:?}) must be true exactly when the key was set"
            ),
            Set | Delete | ListKeys | Usage => no_part("STO-5", function),
        }
    }
}

fn sto_6(session: &mut Session, _: StorageFn) {
    let probe = storage_probe(session);
    // `x/a/3` holds the prefix `a/` in its middle: a prefix matches the start only.
    for key in ["b", "a/2", "é", "a/1", "B", "a", "a/1", "x/a/3"] {
        session.ok(&probe, set(key, b"v"));
    }
    let list = |prefix: Option<&str>| Call::ListKeys {
        prefix: prefix.map(Into::into),
    };
    let all = ["B", "a", "a/1", "a/2", "b", "x/a/3", "é"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        session.ok(&probe, list(None)),
        Returned::Keys(all.clone()),
        "list-keys(none): every key once, sorted by bytes"
    );
    assert_eq!(
        session.ok(&probe, list(Some(""))),
        Returned::Keys(all),
        "list-keys(some(\"\")) must equal list-keys(none)"
    );
    let under_a = ["a/1", "a/2"].map(String::from).to_vec();
    assert_eq!(
        session.ok(&probe, list(Some("a/"))),
        Returned::Keys(under_a),
        "list-keys(some(\"a/\"))"
    );
    let longer_than_any_key = "a".repeat(2 * limits::KEY_BYTES);
    assert_eq!(
        session.ok(&probe, list(Some(&longer_than_any_key))),
        Returned::Keys(vec![]),
        "a prefix longer than the key limit matches nothing"
    );
    let probe = session.load(Probe::Storage, "listed/1");
    let stored = RefCell::new(BTreeSet::new());
    session.holds(
        "list-keys of keys that share prefixes",
        (vec(prefixed_key(1), 1..6), prefixed_key(0)),
        |session, (keys, prefix)| {
            let mut stored = stored.borrow_mut();
            for key in keys {
                session.ok(&probe, set(&key, b""));
                stored.insert(key);
            }
            // A `BTreeSet<String>` is sorted by bytes, as list-keys must be.
            let expected: Vec<String> = stored
                .iter()
                .filter(|key| key.starts_with(&prefix))
                .cloned()
                .collect();
            assert_eq!(
                session.ok(&probe, list(Some(&prefix))),
                Returned::Keys(expected),
                "list-keys(some({prefix:?})) with the keys {stored:?}"
            );
        },
    );
}

/// `usage` is judged on its numbers; `set` and `delete` on usage following
/// them: key-count exactly, used-bytes in the right direction.
fn sto_7(session: &mut Session, function: StorageFn) {
    let probe = storage_probe(session);
    let (used, quota, count) = usage(session, &probe);
    let judging_usage = match function {
        Usage => true,
        Set | Delete => false,
        Get | Exists | ListKeys => no_part("STO-7", function),
    };
    if judging_usage {
        assert_eq!((used, count), (0, 0), "usage of a fresh component");
        assert!(quota > 0, "quota-bytes is 0");
    }
    let steps: [(Call, u64, u64); 4] = [
        (set("alpha", &[0; 10]), 15, 1),
        (set("be", &[0; 3]), 20, 2),
        (set("alpha", &[0; 1]), 11, 2),
        (delete("be"), 6, 1),
    ];
    let (mut expected_before, mut before) = (used, used);
    for (call, used, count) in steps {
        let shown = super::brief(&call);
        session.ok(&probe, call);
        let now = usage(session, &probe);
        if judging_usage {
            assert_eq!(
                now,
                (used, quota, count),
                "(used-bytes, quota-bytes, key-count) after {shown}"
            );
        } else {
            assert_eq!(now.2, count, "key-count after {shown}");
            assert_eq!(
                now.0.cmp(&before),
                used.cmp(&expected_before),
                "used-bytes went from {before} to {} after {shown}",
                now.0
            );
        }
        (expected_before, before) = (used, now.0);
    }
    if judging_usage {
        on_model(
            session,
            "usage after sets and deletes",
            Usage,
            |session, probe, model, op| {
                expect_scene(session, probe, model, op);
                let used: usize = model.iter().map(|(key, len)| key.len() + len).sum();
                let (now, _, count) = usage(session, probe);
                assert_eq!(
                    (now, count),
                    (used as u64, model.len() as u64),
                    "(used-bytes, key-count) after {op:?}"
                );
            },
        );
    }
}

fn sto_8(session: &mut Session, function: StorageFn) {
    let probe = storage_probe(session);
    session.ok(&probe, set("kept", b"v"));
    let before = usage(session, &probe);
    let call = |key: &str| match function {
        Get => get(key),
        Set => set(key, b"x"),
        Delete => delete(key),
        Exists => exists(key),
        ListKeys | Usage => no_part("STO-8", function),
    };
    let too_long = "k".repeat(limits::KEY_BYTES + 1);
    for key in ["", too_long.as_str()] {
        let detail = session
            .err(&probe, call(key), "invalid-key")
            .unwrap_or_default();
        assert!(!detail.is_empty(), "invalid-key must carry a reason");
    }
    assert_eq!(
        usage(session, &probe),
        before,
        "a refused key changed the usage"
    );
    let longest = "k".repeat(limits::KEY_BYTES);
    if function != Set {
        session.ok(&probe, set(&longest, b"v"));
    }
    session.ok(&probe, call(&longest));
}

fn sto_9(session: &mut Session, _: StorageFn) {
    let probe = storage_probe(session);
    session.ok(&probe, set("k", b"old"));
    let (_, quota, _) = usage(session, &probe);
    assert!(
        quota <= 256 << 20,
        "a quota of {quota} bytes is too large for the suite to fill (at most 256 MiB)"
    );
    // What STO-7 says "k" = "old" takes; usage's own count is judged there.
    let room = quota - (1 + 3);
    let fill = |key: &str, len: u64| set(key, b"").filled(7, len);
    session.err(&probe, fill("k", room + 3 + 1), "quota-exceeded");
    assert_eq!(
        session.ok(&probe, get("k")),
        value(b"old"),
        "a refused set must keep the old value"
    );
    session.err(&probe, fill("new", room), "quota-exceeded");
    assert_eq!(
        session.ok(&probe, get("new")),
        Returned::Value(None),
        "a refused set must store nothing"
    );
    session.ok(&probe, fill("new", room - 3));
}

/// Alice and bob use the same key names; the judged function, called by
/// bob, must not reach alice's keys.
fn sto_10(session: &mut Session, function: StorageFn) {
    let alice = session.load(Probe::Storage, "alice/1");
    let bob = session.load(Probe::Storage, "bob/1");
    session.ok(&alice, set("shared-name", b"alice's"));
    session.ok(&alice, set("alice-only", b"a"));
    if function != Set {
        session.ok(&bob, set("shared-name", b"bob's"));
    }
    match function {
        Set => {
            session.ok(&bob, set("shared-name", b"bob's"));
            assert_eq!(
                session.ok(&alice, get("shared-name")),
                value(b"alice's"),
                "bob's set overwrote alice's key"
            );
        }
        Get => {
            assert_eq!(
                session.ok(&bob, get("alice-only")),
                Returned::Value(None),
                "bob gets alice's key"
            );
            assert_eq!(
                session.ok(&bob, get("shared-name")),
                value(b"bob's"),
                "bob gets alice's value of a shared key name"
            );
        }
        Exists => assert_eq!(
            session.ok(&bob, exists("alice-only")),
            Returned::Bool(false),
            "bob sees alice's key"
        ),
        ListKeys => assert_eq!(
            session.ok(&bob, Call::ListKeys { prefix: None }),
            Returned::Keys(vec!["shared-name".into()]),
            "bob lists alice's keys"
        ),
        Usage => {
            let (used, _, count) = usage(session, &bob);
            assert_eq!(
                (used, count),
                (11 + 5, 1),
                "bob's (used-bytes, key-count) count alice's keys"
            );
        }
        Delete => {
            session.ok(&bob, delete("alice-only"));
            session.ok(&bob, delete("shared-name"));
            assert_eq!(
                session.ok(&alice, get("alice-only")),
                value(b"a"),
                "bob deleted alice's key"
            );
            assert_eq!(
                session.ok(&alice, get("shared-name")),
                value(b"alice's"),
                "bob's delete of a shared key name deleted alice's"
            );
        }
    }
}

fn sto_11(session: &mut Session, _: StorageFn) {
    let path = "durable/1";
    let probe = session.load(Probe::Storage, path);
    session.ok(&probe, set("kept", b"value"));
    session.ok(&probe, set("replaced", b"old"));
    session.ok(&probe, set("replaced", b"new"));
    session.ok(&probe, set("deleted", b"x"));
    session.ok(&probe, delete("deleted"));
    session.restart();
    let probe = session.load(Probe::Storage, path);
    assert_eq!(
        session.ok(&probe, get("kept")),
        value(b"value"),
        "a set lost in the restart"
    );
    assert_eq!(
        session.ok(&probe, get("replaced")),
        value(b"new"),
        "a replacing set lost in the restart"
    );
    assert_eq!(
        session.ok(&probe, get("deleted")),
        Returned::Value(None),
        "a delete lost in the restart"
    );
}
