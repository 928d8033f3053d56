//! STO-1..11: each component's own key/value namespace.

use airssys_probe_protocol::{Call, Returned};

use super::{ClauseCheck, Needs, Probe, Session};
use crate::contract::HostFunction;
use crate::host::Id;

pub(super) const CHECKS: &[ClauseCheck] = &[
    ClauseCheck {
        clause: "STO-1",
        needs: Needs::Linker,
        run: sto_1,
    },
    ClauseCheck {
        clause: "STO-2",
        needs: Needs::Linker,
        run: sto_2,
    },
    ClauseCheck {
        clause: "STO-3",
        needs: Needs::Linker,
        run: sto_3,
    },
    ClauseCheck {
        clause: "STO-4",
        needs: Needs::Linker,
        run: sto_4,
    },
    ClauseCheck {
        clause: "STO-5",
        needs: Needs::Linker,
        run: sto_5,
    },
    ClauseCheck {
        clause: "STO-6",
        needs: Needs::Linker,
        run: sto_6,
    },
    ClauseCheck {
        clause: "STO-7",
        needs: Needs::Linker,
        run: sto_7,
    },
    ClauseCheck {
        clause: "STO-8",
        needs: Needs::Linker,
        run: sto_8,
    },
    ClauseCheck {
        clause: "STO-9",
        needs: Needs::Linker,
        run: sto_9,
    },
    ClauseCheck {
        clause: "STO-10",
        needs: Needs::Linker,
        run: sto_10,
    },
    ClauseCheck {
        clause: "STO-11",
        needs: Needs::Runtime,
        run: sto_11,
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
    session.load(Probe::Storage, "conformance/storage/1")
}

fn sto_1(session: &mut Session, _: &HostFunction) {
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

fn sto_2(session: &mut Session, _: &HostFunction) {
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

fn sto_3(session: &mut Session, _: &HostFunction) {
    let probe = storage_probe(session);
    session.ok(&probe, set("k", b"first"));
    let (_, _, count) = usage(session, &probe);
    session.ok(&probe, set("k", b"second, longer"));
    assert_eq!(
        session.ok(&probe, get("k")),
        value(b"second, longer"),
        "set must replace"
    );
    let (used, _, count_after) = usage(session, &probe);
    assert_eq!(
        count_after, count,
        "key-count changed when a key was replaced"
    );
    assert_eq!(
        used,
        1 + 14,
        "used-bytes after replacing: key bytes + new value bytes"
    );
}

fn sto_4(session: &mut Session, _: &HostFunction) {
    let probe = storage_probe(session);
    session.ok(&probe, set("k", b"v"));
    assert_eq!(session.ok(&probe, delete("k")), Returned::Unit);
    assert_eq!(
        session.ok(&probe, get("k")),
        Returned::Value(None),
        "get after delete"
    );
    assert_eq!(
        session.ok(&probe, exists("k")),
        Returned::Bool(false),
        "exists after delete"
    );
    assert_eq!(
        session.ok(&probe, delete("k")),
        Returned::Unit,
        "deleting an absent key"
    );
}

fn sto_5(session: &mut Session, _: &HostFunction) {
    let probe = storage_probe(session);
    session.ok(&probe, set("present", b"x"));
    session.ok(&probe, set("empty", b""));
    for key in ["present", "empty", "absent"] {
        let is_some = session.ok(&probe, get(key)) != Returned::Value(None);
        assert_eq!(
            session.ok(&probe, exists(key)),
            Returned::Bool(is_some),
            "exists({key:?}) disagrees with get"
        );
    }
}

fn sto_6(session: &mut Session, _: &HostFunction) {
    let probe = storage_probe(session);
    for key in ["b", "a/2", "é", "a/1", "B", "a", "a/1"] {
        session.ok(&probe, set(key, b"v"));
    }
    let list = |prefix: Option<&str>| Call::ListKeys {
        prefix: prefix.map(Into::into),
    };
    let all = ["B", "a", "a/1", "a/2", "b", "é"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        session.ok(&probe, list(None)),
        Returned::Keys(all),
        "list-keys(none): every key once, sorted by bytes"
    );
    let under_a = ["a/1", "a/2"].map(String::from).to_vec();
    assert_eq!(
        session.ok(&probe, list(Some("a/"))),
        Returned::Keys(under_a),
        "list-keys(some(\"a/\"))"
    );
}

fn sto_7(session: &mut Session, _: &HostFunction) {
    let probe = storage_probe(session);
    let (used, quota, count) = usage(session, &probe);
    assert_eq!((used, count), (0, 0), "usage of a fresh component");
    assert!(quota > 0, "quota-bytes is 0");
    let steps: [(Call, u64, u64); 4] = [
        (set("alpha", &[0; 10]), 15, 1),
        (set("be", &[0; 3]), 20, 2),
        (set("alpha", &[0; 1]), 11, 2),
        (delete("be"), 6, 1),
    ];
    for (call, used, count) in steps {
        let shown = super::brief(&call);
        session.ok(&probe, call);
        assert_eq!(
            usage(session, &probe),
            (used, quota, count),
            "(used-bytes, quota-bytes, key-count) after {shown}"
        );
    }
}

fn sto_8(session: &mut Session, function: &HostFunction) {
    let probe = storage_probe(session);
    session.ok(&probe, set("kept", b"v"));
    let before = usage(session, &probe);
    let too_long = "k".repeat(1025);
    for key in ["", too_long.as_str()] {
        let call = match function.name.as_str() {
            "get" => get(key),
            "set" => set(key, b"x"),
            "delete" => delete(key),
            _ => exists(key),
        };
        let detail = session.err(&probe, call, "invalid-key").unwrap_or_default();
        assert!(!detail.is_empty(), "invalid-key must carry a reason");
    }
    assert_eq!(
        usage(session, &probe),
        before,
        "a refused key changed the usage"
    );
    session.ok(&probe, set(&"k".repeat(1024), b"v"));
}

fn sto_9(session: &mut Session, _: &HostFunction) {
    let probe = storage_probe(session);
    session.ok(&probe, set("k", b"old"));
    let (used, quota, _) = usage(session, &probe);
    assert!(
        quota <= 256 << 20,
        "a quota of {quota} bytes is too large for the suite to fill (at most 256 MiB)"
    );
    let room = quota - used;
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
    assert_eq!(
        usage(session, &probe).0,
        quota,
        "used-bytes after filling the quota exactly"
    );
}

fn sto_10(session: &mut Session, _: &HostFunction) {
    let alice = session.load(Probe::Storage, "conformance/alice/1");
    let bob = session.load(Probe::Storage, "conformance/bob/1");
    session.ok(&alice, set("shared-name", b"alice's"));
    session.ok(&alice, set("alice-only", b"a"));
    session.ok(&bob, set("shared-name", b"bob's"));
    assert_eq!(
        session.ok(&alice, get("shared-name")),
        value(b"alice's"),
        "bob's set overwrote alice's key"
    );
    assert_eq!(
        session.ok(&bob, get("alice-only")),
        Returned::Value(None),
        "bob sees alice's key"
    );
    assert_eq!(
        session.ok(&bob, exists("alice-only")),
        Returned::Bool(false),
        "bob sees alice's key"
    );
    assert_eq!(
        session.ok(&bob, Call::ListKeys { prefix: None }),
        Returned::Keys(vec!["shared-name".into()]),
        "bob lists alice's keys"
    );
    assert_eq!(
        usage(session, &bob).2,
        1,
        "bob's key-count counts alice's keys"
    );
    session.ok(&bob, delete("alice-only"));
    assert_eq!(
        session.ok(&alice, get("alice-only")),
        value(b"a"),
        "bob deleted alice's key"
    );
}

fn sto_11(session: &mut Session, _: &HostFunction) {
    let path = "conformance/durable/1";
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
