//! STO-1..11: each component's own key/value namespace. The checks are
//! here and in [`quota`] (STO-7 and STO-9: usage and the quota); the
//! [`oracle`] decides, from reads that may disagree, whom a wrong answer
//! blames; the [`model`] is what random set/delete sequences should leave.

mod model;
mod oracle;
mod quota;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use airssys_probe_protocol::{Call, Returned, StorageCall, wit_bytes};
use proptest::collection::vec;
use proptest::prelude::{Just, Strategy, any, prop_oneof};

use airssys_contract::StorageFn::{self, Delete, Exists, Get, ListKeys, Set, Usage};
use airssys_contract::{HostFn, limits};

use super::wit_text::{Wit as _, expect_eq};
use super::{ClauseCheck, Judge, Needs, Probe, Session, brief, gist, no_part, precondition_failed};
use crate::wire::ComponentId;

use model::{MODEL_KEYS, Op, any_key, any_value, on_model, prefixed_key};
use oracle::{
    Agreement, agreement, as_expected, expect_scene, hold_scene, look, read_back,
    replace_and_read_back, set_and_read_back, stored, stored_len, wanted,
};
use quota::{sto_7, sto_9};

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

fn value(bytes: &[u8]) -> Returned {
    Returned::Value(Some(bytes.to_vec()))
}

/// (used bytes, quota bytes, key count); `usage` is the judged call only
/// when `judged` is `usage`, a call to set the scene otherwise.
fn usage(session: &mut Session, probe: &ComponentId, judged: StorageFn) -> (u64, u64, u64) {
    match answer(
        session,
        probe,
        Call::Storage(StorageCall::Usage),
        judged == Usage,
    ) {
        Returned::Usage {
            used_bytes,
            quota_bytes,
            key_count,
        } => (used_bytes, quota_bytes, key_count),
        other if judged == Usage => panic!("usage() returned {other}, a value of another type"),
        other => precondition_failed(format!("usage() returned {other}, a value of another type")),
    }
}

fn storage_probe(session: &mut Session) -> ComponentId {
    session.load(Probe::Storage, "storage/1")
}

/// A storage probe no earlier case of a property has used.
fn fresh_probe(session: &mut Session, count: &Cell<u32>) -> ComponentId {
    count.set(count.get() + 1);
    session.load(Probe::Storage, &format!("case-{}/1", count.get()))
}

/// A call of another function than the judged one, to set the scene: if it
/// fails or traps, the trial cannot judge its function.
fn scene(session: &mut Session, probe: &ComponentId, call: Call) -> Returned {
    let shown = brief(&call);
    match session.invoke(probe, &call) {
        Ok(Ok(returned)) => returned,
        Ok(Err(error)) => precondition_failed(format!("{shown} returned err({error})")),
        Err(trap) => precondition_failed(format!("{shown} failed: {}", gist(&trap))),
    }
}

/// `call` as the judged one, which must answer `ok`, or, when not
/// `judged`, as a call that sets the scene ([`scene`]).
fn answer(session: &mut Session, probe: &ComponentId, call: Call, judged: bool) -> Returned {
    if judged {
        session.ok(probe, call)
    } else {
        scene(session, probe, call)
    }
}

fn sto_1(session: &mut Session, function: StorageFn) {
    match function {
        Set | Get => {}
        Delete | Exists | ListKeys | Usage => no_part("STO-1", function),
    }
    let probe = storage_probe(session);
    let every_byte: Vec<u8> = (0..=255).collect();
    let patterned: Vec<u8> = (0..64 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    // A leading U+FEFF is part of the key: a UTF-8 decoder that drops a
    // byte-order mark (JavaScript's default `TextDecoder`, as jco used it)
    // stores another key, and the reads disagree.
    for (key, bytes) in [
        ("one", &b"x"[..]),
        ("bytes", &every_byte),
        ("big", &patterned),
        ("\u{feff}marked", &b"bom"[..]),
    ] {
        set_and_read_back(session, &probe, key, bytes, function);
    }
    session.holds(
        "set, then get of the same key",
        (any_key(), any_value()),
        |session, (key, bytes)| set_and_read_back(session, &probe, &key, &bytes, function),
    );
}

fn sto_2(session: &mut Session, _: StorageFn) {
    let probe = storage_probe(session);
    expect_eq!(
        session.ok(&probe, Call::get("never-set")),
        Returned::Value(None),
        "get of a key never set"
    );
    // An empty value is some([]), not none.
    set_and_read_back(session, &probe, "empty", b"", Get);
}

fn sto_3(session: &mut Session, function: StorageFn) {
    match function {
        Set | Usage => {}
        Get | Delete | Exists | ListKeys => no_part("STO-3", function),
    }
    let probe = storage_probe(session);
    set_and_read_back(session, &probe, "k", b"first", function);
    let (used, quota, count) = usage(session, &probe, function);
    let one_key = "with one key of 1 byte holding 5 bytes";
    if function == Usage {
        expect_eq!(
            (used, count),
            (1 + 5, 1),
            "(used-bytes, key-count) {one_key}"
        );
    } else if (used, count) != (1 + 5, 1) {
        precondition_failed(format!(
            "usage answered {} {one_key}: `usage` misbehaves (see its trials)",
            Returned::Usage {
                used_bytes: used,
                quota_bytes: quota,
                key_count: count
            }
        ));
    }
    replace_and_read_back(
        session,
        &probe,
        "k",
        (b"first", b"second, longer"),
        function,
    );
    let (used, _, count_after) = usage(session, &probe, function);
    match function {
        Usage => expect_eq!(
            (used, count_after),
            (1 + 14, 1),
            "(used-bytes, key-count) after replacing the one key: key bytes + new value bytes"
        ),
        _ => expect_eq!(
            count_after,
            count,
            "key-count changed when a key was replaced"
        ),
    }
}

fn sto_4(session: &mut Session, function: StorageFn) {
    let through_exists = match function {
        Exists => true,
        Delete => false,
        Get | Set | ListKeys | Usage => no_part("STO-4", function),
    };
    let probe = storage_probe(session);
    set_and_read_back(session, &probe, "k", b"v", function);
    // A key that `k` is a prefix of: deleting `k` must leave it alone.
    set_and_read_back(session, &probe, "k2", b"w", function);
    match function {
        Exists => scene(session, &probe, Call::delete("k")),
        Delete => session.ok(&probe, Call::delete("k")),
        Get | Set | ListKeys | Usage => no_part("STO-4", function),
    };
    let deleted = (Delete, r#"delete("k") returned ok"#);
    read_back(session, &probe, "k", None, deleted, function);
    if function == Delete {
        let answer = session.call(&probe, Call::delete("k"));
        assert!(
            answer == Ok(Returned::Unit),
            "delete of an absent key returned {}, not ok",
            airssys_probe_protocol::wit_reply(&answer)
        );
        read_back(session, &probe, "k2", Some(b"w"), deleted, function);
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
                    let got = session.ok(probe, Call::exists(key));
                    let expected = Returned::Bool(model.contains_key(key));
                    expect_eq!(got, expected, "exists({key:?}) after {op}");
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
                        "after {op}, get and exists disagree whether {key:?} is stored"
                    ));
                }
                let expected = model.contains_key(key);
                if by_get != expected && op.function() != Delete {
                    precondition_failed(format!(
                        "after {op}, {key:?} is {}stored: `set` misbehaves",
                        if by_get { "" } else { "not " }
                    ));
                }
                expect_eq!(
                    by_get,
                    expected,
                    "after {op}, whether {key:?} is stored (get and exists agree)"
                );
            }
        },
    );
}

fn sto_5(session: &mut Session, function: StorageFn) {
    match function {
        Get | Exists => {}
        Set | Delete | ListKeys | Usage => no_part("STO-5", function),
    }
    let probe = storage_probe(session);
    set_and_read_back(session, &probe, "present", b"x", function);
    set_and_read_back(session, &probe, "empty", b"", function);
    // Never set: absent by the suite's own making, no other read needed.
    let own = look(session, &probe, function, "absent", true);
    assert!(!own.stored, "{}, for a key never set", own.shown);
}

fn sto_6(session: &mut Session, _: StorageFn) {
    let probe = storage_probe(session);
    // `x/a/3` holds the prefix `a/` in its middle: a prefix matches the start
    // only. `ｚ` (U+FF5A) sorts before `😀` (U+1F600) by UTF-8 bytes, and after
    // it by UTF-16 units, the order of JavaScript's and Java's own sort.
    for key in ["b", "😀", "a/2", "é", "a/1", "B", "ｚ", "a", "a/1", "x/a/3"] {
        set_and_read_back(session, &probe, key, b"v", ListKeys);
    }
    let list = |prefix: Option<&str>| {
        Call::Storage(StorageCall::ListKeys {
            prefix: prefix.map(Into::into),
        })
    };
    let all = ["B", "a", "a/1", "a/2", "b", "x/a/3", "é", "ｚ", "😀"]
        .map(String::from)
        .to_vec();
    expect_eq!(
        session.ok(&probe, list(None)),
        Returned::Keys(all.clone()),
        "list-keys(none): every key once, sorted by UTF-8 bytes (STO-6.2: `ｚ` before `😀`, \
         which UTF-16 order puts the other way)"
    );
    expect_eq!(
        session.ok(&probe, list(Some(""))),
        Returned::Keys(all),
        "list-keys(some(\"\")) must equal list-keys(none)"
    );
    let under_a = ["a/1", "a/2"].map(String::from).to_vec();
    expect_eq!(
        session.ok(&probe, list(Some("a/"))),
        Returned::Keys(under_a),
        "list-keys(some(\"a/\"))"
    );
    let longer_than_any_key = "a".repeat(2 * limits::KEY_BYTES);
    expect_eq!(
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
                set_and_read_back(session, &probe, &key, b"v", ListKeys);
                stored.insert(key);
            }
            // A `BTreeSet<String>` is sorted by bytes, as list-keys must be.
            let expected: Vec<String> = stored
                .iter()
                .filter(|key| key.starts_with(&prefix))
                .cloned()
                .collect();
            expect_eq!(
                session.ok(&probe, list(Some(&prefix))),
                Returned::Keys(expected),
                "list-keys(some({prefix:?})) with the keys {}",
                stored.iter().collect::<Vec<_>>().wit()
            );
        },
    );
}

fn sto_8(session: &mut Session, function: StorageFn) {
    let probe = storage_probe(session);
    let call = |key: &str| match function {
        Get => Call::get(key),
        Set => Call::set(key, b"x"),
        Delete => Call::delete(key),
        Exists => Call::exists(key),
        ListKeys | Usage => no_part("STO-8", function),
    };
    let too_long = "k".repeat(limits::KEY_BYTES + 1);
    // Over the limit in bytes, not in characters or UTF-16 units (513 of each).
    let too_long_in_bytes = format!("{}k", "é".repeat(limits::KEY_BYTES / 2));
    let refuses = |session: &mut Session| {
        for key in ["", too_long.as_str(), too_long_in_bytes.as_str()] {
            if key == too_long_in_bytes {
                // STO-8.2: an answer other than the error names the mistake.
                if let Ok(Ok(returned)) = session.invoke(&probe, &call(key)) {
                    panic!(
                        "a key of {} UTF-8 bytes but 513 characters was accepted ({returned:?}): \
                         the key limit counts bytes (STO-8.2), not characters or UTF-16 units",
                        key.len()
                    );
                }
            }
            let detail = session
                .err(&probe, call(key), "invalid-key")
                .unwrap_or_default();
            assert!(!detail.is_empty(), "invalid-key must carry a reason");
        }
    };
    // The judged function's own answers first: they need no other function.
    refuses(session);
    // "Changes nothing", told by usage once the reads show the one key and
    // usage is seen to count it.
    scene(session, &probe, Call::set("kept", b"v"));
    let kept = (Set, r#"set("kept", list<u8> of 1 byte: "v") returned ok"#);
    hold_scene(session, &probe, "kept", Some(b"v"), kept, function);
    let before = usage(session, &probe, function);
    let (used, quota, count) = before;
    if (used, count) != (4 + 1, 1) || quota == 0 {
        precondition_failed(format!(
            "usage answered {{used-bytes: {used}, quota-bytes: {quota}, key-count: {count}}} \
             with one key of 4 bytes holding 1 byte: `usage` misbehaves (see its trials)"
        ));
    }
    refuses(session);
    expect_eq!(
        usage(session, &probe, function),
        before,
        "a refused key changed the usage"
    );
    let longest = "k".repeat(limits::KEY_BYTES);
    if function != Set {
        set_and_read_back(session, &probe, &longest, b"v", function);
    }
    session.ok(&probe, call(&longest));
}

/// Alice and bob use the same key names; the judged function, called by
/// bob, must not reach alice's keys. Both components' keys are first held
/// to the reads, so that a host that stores nothing is not taken for one
/// that leaks.
fn sto_10(session: &mut Session, function: StorageFn) {
    let alice = session.load(Probe::Storage, "alice/1");
    let bob = session.load(Probe::Storage, "bob/1");
    let alices: [(&str, &[u8]); 2] = [("shared-name", b"alice's"), ("alice-only", b"a")];
    for (key, value) in alices {
        scene(session, &alice, Call::set(key, value));
        let cause = format!("alice's set({key:?}, {}) returned ok", wit_bytes(value));
        hold_scene(session, &alice, key, Some(value), (Set, &cause), function);
    }
    if function != Set {
        scene(session, &bob, Call::set("shared-name", b"bob's"));
        let cause = "bob's set(\"shared-name\", …) returned ok";
        hold_scene(
            session,
            &bob,
            "shared-name",
            Some(b"bob's"),
            (Set, cause),
            function,
        );
    }
    // After bob's judged call, alice's keys must be as she left them.
    let untouched = |session: &mut Session, what: &str| {
        for (key, value) in alices {
            match agreement(session, &alice, key, Some(value), None) {
                Agreement::AsExpected => {}
                Agreement::Contradicted(shown) => panic!("{what} alice's {key:?}: {shown}"),
                Agreement::OtherBytes(shown) => panic!("{what} alice's {key:?}: {shown}"),
                Agreement::Disagree(shown) => precondition_failed(format!(
                    "alice's reads disagree whether {key:?} is stored: {shown}; one of them \
                     misbehaves (see their trials)"
                )),
            }
        }
    };
    match function {
        Set => {
            session.ok(&bob, Call::set("shared-name", b"bob's"));
            untouched(session, "bob's set(\"shared-name\", …) changed");
        }
        Get => {
            expect_eq!(
                session.ok(&bob, Call::get("alice-only")),
                Returned::Value(None),
                "bob gets alice's key"
            );
            expect_eq!(
                session.ok(&bob, Call::get("shared-name")),
                value(b"bob's"),
                "bob gets alice's value of a shared key name"
            );
        }
        Exists => expect_eq!(
            session.ok(&bob, Call::exists("alice-only")),
            Returned::Bool(false),
            "bob sees alice's key"
        ),
        ListKeys => expect_eq!(
            session.ok(&bob, Call::Storage(StorageCall::ListKeys { prefix: None })),
            Returned::Keys(vec!["shared-name".into()]),
            "bob lists alice's keys"
        ),
        Usage => {
            let (used, _, count) = usage(session, &bob, function);
            // Bob holds one key of 11 bytes with a value of 5.
            let side = |got: u64, due: u64| match got.cmp(&due) {
                std::cmp::Ordering::Greater => "counting more than bob's own key",
                std::cmp::Ordering::Less => "missing bob's own key",
                std::cmp::Ordering::Equal => "as due",
            };
            let how = format!(
                "used-bytes {}, key-count {}",
                side(used, 11 + 5),
                side(count, 1)
            );
            expect_eq!(
                (used, count),
                (11 + 5, 1),
                "bob's (used-bytes, key-count) after bob and alice each set a key ({how})"
            );
        }
        Delete => {
            session.ok(&bob, Call::delete("alice-only"));
            session.ok(&bob, Call::delete("shared-name"));
            untouched(session, "bob's delete of the same key names deleted");
        }
    }
}

/// STO-11, by triangulation as the other storage trials: the writes are
/// held to the reads before the restart (else the restart cannot be judged,
/// and the writes' own trials say why); after it, a writer is blamed only
/// when every read agrees its write was lost, and `get` only when the other
/// reads agree the writes survived.
fn sto_11(session: &mut Session, function: StorageFn) {
    let path = "durable/1";
    // (key, what stays after the writes, who wrote it last)
    let kept: [(&str, Option<&[u8]>, StorageFn); 3] = [
        ("kept", Some(b"value"), Set),
        ("replaced", Some(b"new"), Set),
        ("deleted", None, Delete),
    ];
    let probe = session.load(Probe::Storage, path);
    let writes = [
        Call::set("kept", b"value"),
        Call::set("replaced", b"old"),
        Call::set("replaced", b"new"),
        Call::set("deleted", b"x"),
        Call::delete("deleted"),
    ];
    for call in writes {
        let writer = match &call {
            Call::Storage(call) => call.function(),
            _ => unreachable!("storage writes"),
        };
        answer(session, &probe, call, writer == function);
    }
    // `get`'s trial holds the writes to the other reads, so that a `get` that
    // finds nothing is judged after the restart, not stopped before it.
    let judged_read = (function == Get).then_some(Get);
    for (key, expected, writer) in kept {
        if agreement(session, &probe, key, expected, judged_read) != Agreement::AsExpected {
            precondition_failed(format!(
                "before the restart, the reads do not show {}: `{}` or a read misbehaves \
                 (see their trials), so the restart cannot be judged",
                wanted(key, expected),
                HostFn::from(writer).name()
            ));
        }
    }
    session.restart();
    let probe = session.load(Probe::Storage, path);
    for (key, expected, writer) in kept {
        match function {
            Get => {
                let own = look(session, &probe, Get, key, true);
                match agreement(session, &probe, key, expected, Some(Get)) {
                    // Only `get` sees bytes: other bytes after the restart are
                    // its misreading or a lost replacing `set`, said here once.
                    Agreement::AsExpected if own.stored == expected.is_some() => assert!(
                        as_expected(&own, expected),
                        "after the restart, {}, where {} before it: `get` misreads, or the \
                         replacing `set` was lost in the restart (only these two see the \
                         bytes, so the suite cannot tell which)",
                        own.shown,
                        wanted(key, expected)
                    ),
                    Agreement::AsExpected => panic!(
                        "after the restart, {}, where the other reads still show {}",
                        own.shown,
                        wanted(key, expected)
                    ),
                    _ => precondition_failed(format!(
                        "after the restart, the reads other than `get` do not show {}: the \
                         storage lost a write (see set's and delete's STO-11)",
                        wanted(key, expected)
                    )),
                }
            }
            // A delete is seen in what stays away, which a restart that
            // keeps nothing shows as well: the sets' keys must have stayed.
            Delete if writer == Set => {
                if agreement(session, &probe, key, expected, None) != Agreement::AsExpected {
                    precondition_failed(format!(
                        "after the restart, the reads do not show {}: the storage kept nothing \
                         across it, so a delete that lasted cannot be told from it (see \
                         set's STO-11)",
                        wanted(key, expected)
                    ));
                }
            }
            Set | Delete if writer != function => {}
            Set | Delete => match agreement(session, &probe, key, expected, None) {
                Agreement::AsExpected => {}
                Agreement::Contradicted(shown) => panic!(
                    "a {} lost in the restart: every read says otherwise than {}: {shown}",
                    HostFn::from(writer).name(),
                    wanted(key, expected)
                ),
                Agreement::OtherBytes(shown) => precondition_failed(format!(
                    "after the restart, {shown}: other bytes than {}; get's STO-11 says so, \
                     for `get` and `set` both",
                    wanted(key, expected)
                )),
                Agreement::Disagree(shown) => precondition_failed(format!(
                    "after the restart, the reads disagree on {key:?}: {shown}; one of them \
                     misbehaves (see their trials)"
                )),
            },
            Exists | ListKeys | Usage => no_part("STO-11", function),
        }
    }
}
