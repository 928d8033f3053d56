//! Whom a wrong answer blames. Only the storage functions themselves can
//! show what is stored, so each is held to what the other reads agree on:
//! a judged read fails where the others agree against it, a judged writer
//! only where every read agrees it did not do what it said, and a scene
//! the reads disagree about leaves the trial unjudged, naming the suspect.

use super::*;

/// What `get` says is stored under `key`, as the model writes it: `None`, or
/// the value's length.
pub(super) fn stored_len(session: &mut Session, probe: &ComponentId, key: &str) -> Option<usize> {
    look(session, probe, Get, key, false)
        .bytes
        .map(|bytes| bytes.len())
}

/// Whether `exists` says `key` is stored, as a second path beside `get`.
pub(super) fn stored(session: &mut Session, probe: &ComponentId, key: &str) -> bool {
    look(session, probe, Exists, key, false).stored
}

/// The reads that tell whether a key is stored; `get` also tells its bytes.
pub(super) const READS: [StorageFn; 3] = [Get, Exists, ListKeys];

/// What one read says of a key.
pub(super) struct View {
    pub(super) stored: bool,
    /// The bytes `get` found; other reads see none.
    pub(super) bytes: Option<Vec<u8>>,
    /// The read and its answer, in WIT terms.
    pub(super) shown: String,
}

/// What `read` says of `key` on `probe`. A read that does not answer `ok`
/// with a value of its type fails the trial when it is the `judged` one,
/// and stops it otherwise (the read's own trials judge that).
pub(super) fn look(
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
pub(super) enum Agreement {
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

pub(super) fn agreement(
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

pub(super) fn as_expected(view: &View, expected: Option<&[u8]>) -> bool {
    view.stored == expected.is_some() && (view.bytes.is_none() || view.bytes.as_deref() == expected)
}

pub(super) fn wanted(key: &str, expected: Option<&[u8]>) -> String {
    match expected {
        Some(bytes) => format!("{key:?} stored as {}", wit_bytes(bytes)),
        None => format!("{key:?} absent"),
    }
}

/// Holds the scene to `key` being as `expected` after `cause` (made by
/// `writer`), through the reads other than `judged`; when it is not, the
/// trial cannot judge `judged`, and the reason names the suspect.
pub(super) fn hold_scene(
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
pub(super) fn hold(
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
pub(super) fn read_back(
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
pub(super) fn presence_only(function: StorageFn) -> bool {
    match function {
        Exists | ListKeys | Delete => true,
        Get | Set | Usage => false,
    }
}

/// `set(key, new)` over `old`, as scene or as the judged call, then held to
/// `new`. A judged `set` after which `get` still returns exactly `old` did
/// not replace it: a `get` that misreads would not find the old bytes.
pub(super) fn replace_and_read_back(
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
pub(super) fn set_and_read_back(
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
pub(super) fn expect_scene(
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
