//! STO-1..11: each component's own key/value namespace.

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

/// An operation as the WIT writes its call.
impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", brief(&self.call()))
    }
}

impl Op {
    fn call(&self) -> Call {
        match self {
            Op::Set(key, len) => Call::set(key, &vec![b'v'; *len]),
            Op::Delete(key) => Call::delete(key),
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
    fn make(&self, session: &mut Session, probe: &ComponentId, judged: StorageFn) {
        answer(session, probe, self.call(), self.function() == judged);
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
    after_each: impl Fn(&mut Session, &ComponentId, &BTreeMap<&'static str, usize>, &Op),
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

/// What `get` says is stored under `key`, as the model writes it: `None`, or
/// the value's length.
fn stored_len(session: &mut Session, probe: &ComponentId, key: &str) -> Option<usize> {
    look(session, probe, Get, key, false)
        .bytes
        .map(|bytes| bytes.len())
}

/// Whether `exists` says `key` is stored, as a second path beside `get`.
fn stored(session: &mut Session, probe: &ComponentId, key: &str) -> bool {
    look(session, probe, Exists, key, false).stored
}

/// The reads that tell whether a key is stored; `get` also tells its bytes.
const READS: [StorageFn; 3] = [Get, Exists, ListKeys];

/// What one read says of a key.
struct View {
    stored: bool,
    /// The bytes `get` found; other reads see none.
    bytes: Option<Vec<u8>>,
    /// The read and its answer, in WIT terms.
    shown: String,
}

/// What `read` says of `key` on `probe`. A read that does not answer `ok`
/// with a value of its type fails the trial when it is the `judged` one,
/// and stops it otherwise (the read's own trials judge that).
fn look(
    session: &mut Session,
    probe: &ComponentId,
    read: StorageFn,
    key: &str,
    judged: bool,
) -> View {
    let call = match read {
        Get => Call::get(key),
        Exists => Call::exists(key),
        ListKeys => Call::Storage(StorageCall::ListKeys { prefix: None }),
        Set | Delete | Usage => unreachable!("{read:?} is not a read of a key"),
    };
    let returned = answer(session, probe, call, judged);
    let shown = |answer: &dyn std::fmt::Display| match read {
        ListKeys => format!("list-keys(none) = {answer}"),
        _ => format!("{}({key:?}) = {answer}", HostFn::from(read).name()),
    };
    match (read, returned) {
        (Get, Returned::Value(bytes)) => View {
            stored: bytes.is_some(),
            shown: shown(&Returned::Value(bytes.clone())),
            bytes,
        },
        (Exists, Returned::Bool(there)) => View {
            stored: there,
            bytes: None,
            shown: shown(&there),
        },
        (ListKeys, Returned::Keys(keys)) => View {
            stored: keys.iter().any(|k| k == key),
            bytes: None,
            shown: shown(&Returned::Keys(keys)),
        },
        (_, other) => {
            let why = format!(
                "{} returned {other}, a value of another type",
                HostFn::from(read).name()
            );
            if judged {
                panic!("{why}")
            }
            precondition_failed(why)
        }
    }
}

/// What the reads other than `except` agree on about a key.
#[derive(PartialEq, Eq)]
enum Agreement {
    /// Every read sees what was expected.
    AsExpected,
    /// Every read sees the key as stored or absent as expected, and `get`
    /// found other bytes: `get` misreads, or the writer stored other bytes.
    OtherBytes(String),
    /// The reads disagree whether the key is stored: one of them misbehaves.
    Disagree(String),
    /// Every read agrees, otherwise than expected.
    Contradicted(String),
}

fn agreement(
    session: &mut Session,
    probe: &ComponentId,
    key: &str,
    expected: Option<&[u8]>,
    except: Option<StorageFn>,
) -> Agreement {
    let reads: Vec<StorageFn> = READS
        .into_iter()
        .filter(|read| Some(*read) != except && session.callable(*read))
        .collect();
    if reads.is_empty() {
        precondition_failed(format!(
            "no read but the judged one can be called to see whether {key:?} is stored"
        ));
    }
    let views: Vec<View> = reads
        .into_iter()
        .map(|read| look(session, probe, read, key, false))
        .collect();
    let shown = views
        .iter()
        .map(|v| v.shown.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if views.iter().all(|v| as_expected(v, expected)) {
        return Agreement::AsExpected;
    }
    if !views.windows(2).all(|w| w[0].stored == w[1].stored) {
        return Agreement::Disagree(shown);
    }
    if views.iter().all(|v| v.stored == expected.is_some()) {
        return Agreement::OtherBytes(shown);
    }
    Agreement::Contradicted(shown)
}

fn as_expected(view: &View, expected: Option<&[u8]>) -> bool {
    view.stored == expected.is_some() && (view.bytes.is_none() || view.bytes.as_deref() == expected)
}

fn wanted(key: &str, expected: Option<&[u8]>) -> String {
    match expected {
        Some(bytes) => format!("{key:?} stored as {}", wit_bytes(bytes)),
        None => format!("{key:?} absent"),
    }
}

/// Holds the scene to `key` being as `expected` after `cause` (made by
/// `writer`), through the reads other than `judged`; when it is not, the
/// trial cannot judge `judged`, and the reason names the suspect.
fn hold_scene(
    session: &mut Session,
    probe: &ComponentId,
    key: &str,
    expected: Option<&[u8]>,
    made_by: (StorageFn, &str),
    judged: StorageFn,
) {
    hold(session, probe, key, expected, made_by, judged, false);
}

/// [`hold_scene`], where reads that all contradict `writer` fail the trial
/// when `writer_judged`, and only leave it unjudged otherwise.
fn hold(
    session: &mut Session,
    probe: &ComponentId,
    key: &str,
    expected: Option<&[u8]>,
    (writer, cause): (StorageFn, &str),
    judged: StorageFn,
    writer_judged: bool,
) {
    let writer = HostFn::from(writer).name();
    match agreement(session, probe, key, expected, Some(judged)) {
        Agreement::AsExpected => {}
        // Every read agrees the key is there; what it holds is not judged here.
        Agreement::OtherBytes(_) if presence_only(judged) => {}
        Agreement::OtherBytes(shown) => precondition_failed(format!(
            "after {cause}, {shown}: `get` misreads or `{writer}` stored other bytes (see \
             get's trials)"
        )),
        Agreement::Disagree(shown) => precondition_failed(format!(
            "after {cause}, the reads disagree whether {key:?} is stored: {shown}; one of them \
             misbehaves (see their trials)"
        )),
        Agreement::Contradicted(shown) if writer_judged => panic!(
            "after {cause}, every read says otherwise than {}: {shown}: `{writer}` did not do \
             what it answered (or every read misses it)",
            wanted(key, expected)
        ),
        Agreement::Contradicted(shown) => precondition_failed(format!(
            "after {cause}, every read says otherwise than {}: {shown}: `{writer}` misbehaves \
             (see its trials)",
            wanted(key, expected)
        )),
    }
}

/// Holds `key` to `expected` (`None`: absent) after `cause` (e.g.
/// `set("k", …) returned ok`, made by `writer`), through the reads, and
/// judges only `judged`'s part:
/// - a judged read is held to what every other read agrees on; if they do
///   not agree with `expected`, the trial cannot judge it;
/// - a judged writer fails only when every read agrees it did not do what
///   it said, and the reads disagreeing among themselves means a read
///   misbehaves, which that read's trials report;
/// - bytes only `get` reads back: when they are wrong and every read sees
///   the key, `get`'s trial says so, once, for both `get` and `set`.
fn read_back(
    session: &mut Session,
    probe: &ComponentId,
    key: &str,
    expected: Option<&[u8]>,
    (writer, cause): (StorageFn, &str),
    judged: StorageFn,
) {
    let judging_a_read = READS.contains(&judged);
    let writer_judged = judged == writer && !judging_a_read;
    hold(
        session,
        probe,
        key,
        expected,
        (writer, cause),
        judged,
        writer_judged,
    );
    if !judging_a_read {
        return;
    }
    let own = look(session, probe, judged, key, true);
    let only_get_reads_bytes = if judged == Get && own.stored && expected.is_some() {
        format!(
            " (or `{}` stored other bytes: only `get` reads them back, and every other read \
             sees the key)",
            HostFn::from(writer).name()
        )
    } else {
        String::new()
    };
    assert!(
        as_expected(&own, expected),
        "after {cause}, {}, where {} (every other read agrees){only_get_reads_bytes}",
        own.shown,
        wanted(key, expected),
    );
}

/// Whether the function's part in a clause is whether keys are there, not
/// what they hold.
fn presence_only(function: StorageFn) -> bool {
    match function {
        Exists | ListKeys | Delete => true,
        Get | Set | Usage => false,
    }
}

/// `set(key, new)` over `old`, as scene or as the judged call, then held to
/// `new`. A judged `set` after which `get` still returns exactly `old` did
/// not replace it: a `get` that misreads would not find the old bytes.
fn replace_and_read_back(
    session: &mut Session,
    probe: &ComponentId,
    key: &str,
    (old, new): (&[u8], &[u8]),
    judged: StorageFn,
) {
    if judged != Set {
        return set_and_read_back(session, probe, key, new, judged);
    }
    session.ok(probe, Call::set(key, new));
    if old != new && scene(session, probe, Call::get(key)) == value(old) {
        panic!(
            "set({key:?}, {}) returned ok, and get({key:?}) still returns the value it was to \
             replace, {}: `set` did not replace it",
            wit_bytes(new),
            wit_bytes(old)
        );
    }
    let cause = format!("set({key:?}, {}) returned ok", wit_bytes(new));
    read_back(session, probe, key, Some(new), (Set, &cause), judged);
}

/// `set(key, value)` as scene or as the judged call, then held to it.
fn set_and_read_back(
    session: &mut Session,
    probe: &ComponentId,
    key: &str,
    value: &[u8],
    judged: StorageFn,
) {
    let call = Call::set(key, value);
    let cause = format!("set({key:?}, {}) returned ok", wit_bytes(value));
    answer(session, probe, call, judged == Set);
    read_back(session, probe, key, Some(value), (Set, &cause), judged);
}

/// Holds the scene to the model through `get`, before a read of another
/// function is judged against the same model.
fn expect_scene(
    session: &mut Session,
    probe: &ComponentId,
    model: &BTreeMap<&str, usize>,
    op: &Op,
) {
    for key in MODEL_KEYS {
        let got = stored_len(session, probe, key);
        if got != model.get(key).copied() {
            let size = |len: Option<usize>| {
                len.map_or("none".to_owned(), |len| format!("a value of {len} bytes"))
            };
            precondition_failed(format!(
                "after {op}, get({key:?}) found {}, where {} was expected: `{}` or `get` \
                 misbehaves (see their trials)",
                size(got),
                size(model.get(key).copied()),
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

/// `usage` is judged on its numbers; `set` and `delete` on usage following
/// them: key-count exactly, used-bytes in the right direction. Every step is
/// first held to the reads, so usage is judged against what is stored.
fn sto_7(session: &mut Session, function: StorageFn) {
    let probe = storage_probe(session);
    let (used, quota, count) = usage(session, &probe, function);
    let judging_usage = match function {
        Usage => true,
        Set | Delete => false,
        Get | Exists | ListKeys => no_part("STO-7", function),
    };
    let fresh = format!("{{used-bytes: {used}, quota-bytes: {quota}, key-count: {count}}}");
    if judging_usage {
        expect_eq!((used, count), (0, 0), "usage of a fresh component: {fresh}");
        assert!(quota > 0, "quota-bytes of a fresh component is 0: {fresh}");
    } else if (used, count) != (0, 0) || quota == 0 {
        precondition_failed(format!(
            "usage of a fresh component answered {fresh}: `usage` misbehaves (see its trials)"
        ));
    }
    // (writer, key, value length after it, used-bytes, key-count)
    let steps: [(StorageFn, &str, Option<usize>, u64, u64); 4] = [
        (Set, "alpha", Some(10), 15, 1),
        (Set, "be", Some(3), 20, 2),
        (Set, "alpha", Some(1), 11, 2),
        (Delete, "be", None, 6, 1),
    ];
    let (mut expected_before, mut before) = (used, used);
    let mut values: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    for (writer, key, len, used, count) in steps {
        let value = vec![0; len.unwrap_or_default()];
        let call = match len {
            Some(_) => Call::set(key, &value),
            None => Call::delete(key),
        };
        let shown = super::brief(&call);
        match (len, values.get(key)) {
            (Some(_), Some(old)) => {
                let old = old.clone();
                replace_and_read_back(session, &probe, key, (&old, &value), function);
            }
            (Some(_), None) => set_and_read_back(session, &probe, key, &value, function),
            (None, _) => {
                answer(session, &probe, call, writer == function);
                let cause = format!("{shown} returned ok");
                read_back(session, &probe, key, None, (writer, &cause), function);
            }
        }
        match len {
            Some(_) => values.insert(key, value),
            None => values.remove(key),
        };
        let now = usage(session, &probe, function);
        if !judging_usage && writer != function {
            // Another writer's step sets the scene; its usage is not judged here.
            (expected_before, before) = (used, now.0);
            continue;
        }
        // The reads confirmed the write; what it did to the account only
        // `usage` tells, so a wrong account may be the writer's or usage's.
        // Usage's trial says so, for both; the writer's leaves it there.
        let writer_name = HostFn::from(writer).name();
        if judging_usage {
            expect_eq!(
                now,
                (used, quota, count),
                "(used-bytes, quota-bytes, key-count) after {shown}, which the reads confirm \
                 (`usage` miscounts, or `{writer_name}` left the account wrong: only these two \
                 know it, so the suite cannot tell which)"
            );
        } else if now.2 != count || now.0.cmp(&before) != used.cmp(&expected_before) {
            precondition_failed(format!(
                "after {shown}, which the reads confirm, usage answered key-count {} (due: \
                 {count}) and used-bytes {} from {before} ({}; due: {}): `{writer_name}` or \
                 `usage` keeps the account wrong, which usage's STO-7 says for both",
                now.2,
                now.0,
                now.0.cmp(&before).wit(),
                used.cmp(&expected_before).wit()
            ));
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
                let (now, _, count) = usage(session, probe, Usage);
                expect_eq!(
                    (now, count),
                    (used as u64, model.len() as u64),
                    "(used-bytes, key-count) after {op}"
                );
            },
        );
        quota_agrees_with_set(session);
    }
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

fn sto_9(session: &mut Session, _: StorageFn) {
    let probe = storage_probe(session);
    set_and_read_back(session, &probe, "k", b"old", Set);
    let (used, quota, count) = usage(session, &probe, Set);
    if (used, count) != (1 + 3, 1) || quota < 1 + 3 {
        precondition_failed(format!(
            "usage answered {{used-bytes: {used}, quota-bytes: {quota}, key-count: {count}}} \
             with one key of 1 byte holding 3 bytes: `usage` misbehaves (see its trials)"
        ));
    }
    // "new" (3 bytes of key) must fit beside "k" with at least one value byte.
    if quota < 1 + 3 + 3 + 1 {
        precondition_failed(format!(
            "a quota of {quota} bytes is too small for the suite to judge (at least 8)"
        ));
    }
    if quota > 256 << 20 {
        precondition_failed(format!(
            "a quota of {quota} bytes is too large for the suite to fill (at most 256 MiB)"
        ));
    }
    let room = quota - (1 + 3);
    let fill = |key: &str, len: u64| Call::set(key, b"").filled(7, len);
    // Only usage and set know the quota: a set past usage's quota that goes
    // through cannot say which of the two is wrong. Usage's STO-7 trial
    // holds them to each other and says so; here the trial cannot judge.
    let over = room + 3 + 1;
    match session.invoke(&probe, &fill("k", over)) {
        Ok(Err(error)) if error.case == "quota-exceeded" => {}
        Ok(Ok(_)) => precondition_failed(format!(
            "set(\"k\", {over} bytes) returned ok, where usage's quota-bytes {quota} leaves \
             room for {} value bytes: `set` ignores the quota or `usage` misreports it (see \
             usage's STO-7 trial)",
            room + 3
        )),
        other => panic!(
            "set(\"k\", {over} bytes) past the quota: expected err(quota-exceeded), got {}",
            answered(&other)
        ),
    }
    let refused = (
        Set,
        "a set of \"k\" over the quota answered err(quota-exceeded)",
    );
    read_back(session, &probe, "k", Some(b"old"), refused, Set);
    session.err(&probe, fill("new", room), "quota-exceeded");
    let refused = (
        Set,
        "a set of \"new\" over the quota answered err(quota-exceeded)",
    );
    read_back(session, &probe, "new", None, refused, Set);
    let fitting = room - 3;
    match session.invoke(&probe, &fill("new", fitting)) {
        Ok(Ok(_)) => {}
        Ok(Err(error)) if error.case == "quota-exceeded" => precondition_failed(format!(
            "set(\"new\", {fitting} bytes) answered err(quota-exceeded), where usage's \
             quota-bytes {quota} leaves room for it: `set` enforces a smaller quota or `usage` \
             misreports it (see usage's STO-7 trial)"
        )),
        other => panic!(
            "set(\"new\", {fitting} bytes) within the quota: expected ok, got {}",
            answered(&other)
        ),
    }
}

/// What a probe call came to, in WIT terms: its reply, or why it failed.
fn answered(outcome: &Result<airssys_probe_protocol::Reply, String>) -> String {
    match outcome {
        Ok(reply) => airssys_probe_protocol::wit_reply(reply),
        Err(failure) => format!("a failed call: {}", gist(failure)),
    }
}

/// Usage's quota against the quota `set` enforces: a value that fills
/// quota-bytes exactly goes through, one byte more does not. Only these two
/// functions know the quota, so when they disagree this trial says that
/// either may be wrong, and set's STO-9 trial leaves it here.
fn quota_agrees_with_set(session: &mut Session) {
    let probe = session.load(Probe::Storage, "quota/1");
    let (_, quota, _) = usage(session, &probe, Usage);
    assert!(quota > 0, "quota-bytes of a fresh component is 0");
    if quota > 256 << 20 {
        // Too large to fill; the rest of STO-7 stands judged without it.
        return;
    }
    let disagree = |how: &str| -> ! {
        panic!(
            "usage reports quota-bytes {quota}, and set {how}: `usage` misreports the quota or \
             `set` enforces another; only these two know it, so the suite cannot tell which"
        )
    };
    let fitting = quota - 1;
    match session.invoke(&probe, &Call::set("q", b"").filled(7, fitting)) {
        Ok(Ok(_)) => {}
        Ok(Err(error)) if error.case == "quota-exceeded" => disagree(&format!(
            "refuses a value of {fitting} bytes under a 1-byte key, which fits"
        )),
        other => precondition_failed(format!(
            "set(\"q\", {fitting} bytes) answered {}",
            answered(&other)
        )),
    }
    match session.invoke(&probe, &Call::set("r", b"")) {
        Ok(Err(error)) if error.case == "quota-exceeded" => {}
        Ok(Ok(_)) => disagree("accepts a 1-byte key past it"),
        other => precondition_failed(format!(
            "set(\"r\", []) past the quota answered {}",
            answered(&other)
        )),
    }
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
