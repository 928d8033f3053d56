//! STO-1..11: each component's own key/value namespace.

use airssys_probe_protocol::{Call, Returned};

use airssys_contract::StorageFn::{self, Delete, Exists, Get, ListKeys, Set, Usage};
use airssys_contract::{HostFn, limits};

use super::{ClauseCheck, Judge, Needs, Probe, Session, no_part};
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

fn sto_1(session: &mut Session, _: StorageFn) {
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
