//! The model of a storage namespace that random set/delete sequences are
//! judged against, and the generated keys, values and sequences.

use super::*;

/// Values a host may mangle: empty, NUL, 0xFF, text, every byte, long.
pub(super) fn any_value() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![Just(0u8), Just(0xFF), any::<u8>()];
    prop_oneof![Just(vec![]), vec(byte.clone(), 1..16), vec(byte, 0..8192),]
}

/// Valid keys: short ones of any characters, and ones of one repeated
/// character up to the key limit, multi-byte characters included.
pub(super) fn any_key() -> impl Strategy<Value = String> {
    let short = vec(any::<char>(), 1..12).prop_map(String::from_iter);
    let near_limit = (any::<char>(), 0..8usize).prop_map(|(c, slack)| {
        let count = (limits::KEY_BYTES - slack) / c.len_utf8();
        c.to_string().repeat(count.max(1))
    });
    prop_oneof![short, near_limit]
}

/// Keys built from a few parts, so that many share a prefix and some hold
/// another key's prefix in the middle.
pub(super) fn prefixed_key(min_parts: usize) -> impl Strategy<Value = String> {
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
pub(super) enum Op {
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

    pub(super) fn function(&self) -> StorageFn {
        match self {
            Op::Set(..) => Set,
            Op::Delete(_) => Delete,
        }
    }

    /// Makes the call on `probe`: the judged function must answer `ok`;
    /// another function that does not is a failed precondition.
    pub(super) fn make(&self, session: &mut Session, probe: &ComponentId, judged: StorageFn) {
        answer(session, probe, self.call(), self.function() == judged);
    }

    pub(super) fn apply(&self, model: &mut BTreeMap<&'static str, usize>) {
        match self {
            Op::Set(key, len) => model.insert(key, *len),
            Op::Delete(key) => model.remove(key),
        };
    }
}

pub(super) const MODEL_KEYS: [&str; 4] = ["k", "k2", "kk", "k/"];

/// Random set/delete sequences, each on a fresh probe, kept in a model:
/// `after_each` judges the host against the model after every step.
pub(super) fn on_model(
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

pub(super) fn any_ops() -> impl Strategy<Value = Vec<Op>> {
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
