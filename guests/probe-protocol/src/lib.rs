//! The probe protocol: a host test sends a probe guest a [`Call`] as a message
//! with content type [`CALL_CONTENT_TYPE`]; the guest makes that import call and
//! answers with the [`Reply`] it saw. Everything else a probe receives is a
//! real message, which it records in its inbox.
//!
//! Shared by the guests (wasm32-wasip2) and the host-side tests (native), so
//! both sides agree on one encoding: JSON, readable in failure messages.

use serde::{Deserialize, Serialize};

mod wit_text;
pub use wit_text::{wit_bytes, wit_reply};

/// Marks a message as a probe [`Call`] rather than a message to record.
pub const CALL_CONTENT_TYPE: &str = "application/vnd.airssys.probe-call+json";

/// A request payload starting with this is recorded but not answered.
pub const NO_REPLY: &[u8] = b"no-reply";

/// What messaging probes answer to a request: this prefix, then the payload.
pub const REPLY_PREFIX: &[u8] = b"re:";

/// Ids travel as the kit's one id type.
pub use airssys_contract::ComponentId;
use airssys_contract::{ByInterface, HostFn, HostMessagingFn, HostServicesFn, StorageFn};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Health {
    Healthy,
    Degraded,
    Unhealthy,
    Unknown,
}

/// What a probe is asked to do: an import call, by the interface that
/// declares it, one variant per WIT function (as [`ByInterface`] lists
/// them), or something only a probe does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Call {
    /// A call of a `storage` function.
    Storage(StorageCall),
    /// A call of a `host-messaging` function.
    HostMessaging(HostMessagingCall),
    /// A call of a `host-services` function.
    HostServices(HostServicesCall),
    /// `call` with its `value` or `payload` replaced by `len` copies of
    /// `byte`, so a large input need not travel through the probe call itself.
    /// [`decode_call`] expands it; probes never see it.
    Filled {
        byte: u8,
        len: u64,
        inner: Box<Call>,
    },
    /// Probe state and faults, not imports.
    Probe(ProbeCall),
}

/// A call of a `storage` function, named after it ([`StorageFn`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub enum StorageCall {
    Get { key: String },
    Set { key: String, value: Vec<u8> },
    Delete { key: String },
    Exists { key: String },
    ListKeys { prefix: Option<String> },
    Usage,
}

/// A call of a `host-messaging` function, named after it ([`HostMessagingFn`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub enum HostMessagingCall {
    Send {
        target: ComponentId,
        payload: Vec<u8>,
    },
    Request {
        target: ComponentId,
        payload: Vec<u8>,
        timeout_ms: u64,
    },
    CancelRequest {
        request_id: String,
    },
    Broadcast {
        targets: Vec<ComponentId>,
        payload: Vec<u8>,
    },
    SelfId,
}

/// A call of a `host-services` function, named after it ([`HostServicesFn`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub enum HostServicesCall {
    Log {
        level: Level,
        message: String,
        context: Option<Vec<(String, String)>>,
    },
    CurrentTime,
    CurrentTimeMillis,
    SleepMillis {
        duration_ms: u64,
    },
    ListComponents,
    GetComponentMetadata {
        id: ComponentId,
    },
}

/// What only a probe does: its state, and faults a test asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "kebab-case")]
pub enum ProbeCall {
    /// Everything the probe received through `handle-message` and `handle-callback`.
    Inbox,
    /// What the probe's `health` export answers from now on.
    SetHealth { health: Health },
    /// Traps inside the call (`unreachable`).
    Trap,
    /// Loops until the host interrupts it.
    Spin,
    /// Allocates until memory runs out.
    Hog,
    /// Sleeps through WASI (`std::thread::sleep`: a monotonic-clock pollable
    /// and a blocking poll) instead of `sleep-millis`.
    WasiSleep { millis: u64 },
    /// Writes `lines` lines of `len` bytes each to WASI stdout, then as many
    /// to stderr (SVC-1.3).
    Print { lines: u32, len: u32 },
    /// Makes one attack's host call `count` times inside the guest, without a
    /// round trip per call; answers [`Returned::Tally`].
    Flood { attack: Attack, count: u32 },
    /// As a request's payload: answer the request with `bytes` bytes.
    Reply { bytes: u32 },
}

/// The calls tests ask for most, in one place.
impl Call {
    /// `storage::get(key)`
    pub fn get(key: &str) -> Call {
        Call::Storage(StorageCall::Get { key: key.into() })
    }

    /// `storage::set(key, value)`
    pub fn set(key: &str, value: &[u8]) -> Call {
        Call::Storage(StorageCall::Set {
            key: key.into(),
            value: value.to_vec(),
        })
    }

    /// `storage::delete(key)`
    pub fn delete(key: &str) -> Call {
        Call::Storage(StorageCall::Delete { key: key.into() })
    }

    /// `storage::exists(key)`
    pub fn exists(key: &str) -> Call {
        Call::Storage(StorageCall::Exists { key: key.into() })
    }

    /// `host-messaging::send(target, payload)`
    pub fn send(target: &ComponentId, payload: &[u8]) -> Call {
        Call::HostMessaging(HostMessagingCall::Send {
            target: target.clone(),
            payload: payload.to_vec(),
        })
    }

    /// `host-messaging::request(target, payload, timeout-ms)`
    pub fn request(target: &ComponentId, payload: &[u8], timeout_ms: u64) -> Call {
        Call::HostMessaging(HostMessagingCall::Request {
            target: target.clone(),
            payload: payload.to_vec(),
            timeout_ms,
        })
    }

    /// `host-messaging::broadcast(targets, payload)`
    pub fn broadcast(targets: &[&ComponentId], payload: &[u8]) -> Call {
        Call::HostMessaging(HostMessagingCall::Broadcast {
            targets: targets.iter().map(|&target| target.clone()).collect(),
            payload: payload.to_vec(),
        })
    }

    /// `host-services::get-component-metadata(id)`
    pub fn component_metadata(id: &ComponentId) -> Call {
        Call::HostServices(HostServicesCall::GetComponentMetadata { id: id.clone() })
    }
}

impl Call {
    /// The host function this call makes, if it is an import call.
    pub fn function(&self) -> Option<HostFn> {
        match self {
            Call::Storage(call) => Some(call.function().into()),
            Call::HostMessaging(call) => Some(call.function().into()),
            Call::HostServices(call) => Some(call.function().into()),
            Call::Filled { inner, .. } => inner.function(),
            Call::Probe(_) => None,
        }
    }

    /// A call that makes `function`, with small arguments: every function
    /// of the contract has one, so a function added to the WIT does not
    /// build here until the probe protocol can call it.
    pub fn making(function: HostFn) -> Call {
        let id = || ComponentId::new("n", "m", "1");
        match function.by_interface() {
            ByInterface::Storage(function) => Call::Storage(match function {
                StorageFn::Get => StorageCall::Get { key: "k".into() },
                StorageFn::Set => StorageCall::Set {
                    key: "k".into(),
                    value: Vec::new(),
                },
                StorageFn::Delete => StorageCall::Delete { key: "k".into() },
                StorageFn::Exists => StorageCall::Exists { key: "k".into() },
                StorageFn::ListKeys => StorageCall::ListKeys { prefix: None },
                StorageFn::Usage => StorageCall::Usage,
            }),
            ByInterface::HostMessaging(function) => Call::HostMessaging(match function {
                HostMessagingFn::Send => HostMessagingCall::Send {
                    target: id(),
                    payload: Vec::new(),
                },
                HostMessagingFn::Request => HostMessagingCall::Request {
                    target: id(),
                    payload: Vec::new(),
                    timeout_ms: 1,
                },
                HostMessagingFn::CancelRequest => HostMessagingCall::CancelRequest {
                    request_id: "r".into(),
                },
                HostMessagingFn::Broadcast => HostMessagingCall::Broadcast {
                    targets: Vec::new(),
                    payload: Vec::new(),
                },
                HostMessagingFn::SelfId => HostMessagingCall::SelfId,
            }),
            ByInterface::HostServices(function) => Call::HostServices(match function {
                HostServicesFn::Log => HostServicesCall::Log {
                    level: Level::Info,
                    message: String::new(),
                    context: None,
                },
                HostServicesFn::CurrentTime => HostServicesCall::CurrentTime,
                HostServicesFn::CurrentTimeMillis => HostServicesCall::CurrentTimeMillis,
                HostServicesFn::SleepMillis => HostServicesCall::SleepMillis { duration_ms: 0 },
                HostServicesFn::ListComponents => HostServicesCall::ListComponents,
                HostServicesFn::GetComponentMetadata => {
                    HostServicesCall::GetComponentMetadata { id: id() }
                }
            }),
        }
    }
}

impl StorageCall {
    /// The function this call makes.
    pub fn function(&self) -> StorageFn {
        match self {
            StorageCall::Get { .. } => StorageFn::Get,
            StorageCall::Set { .. } => StorageFn::Set,
            StorageCall::Delete { .. } => StorageFn::Delete,
            StorageCall::Exists { .. } => StorageFn::Exists,
            StorageCall::ListKeys { .. } => StorageFn::ListKeys,
            StorageCall::Usage => StorageFn::Usage,
        }
    }
}

impl HostMessagingCall {
    /// The function this call makes.
    pub fn function(&self) -> HostMessagingFn {
        match self {
            HostMessagingCall::Send { .. } => HostMessagingFn::Send,
            HostMessagingCall::Request { .. } => HostMessagingFn::Request,
            HostMessagingCall::CancelRequest { .. } => HostMessagingFn::CancelRequest,
            HostMessagingCall::Broadcast { .. } => HostMessagingFn::Broadcast,
            HostMessagingCall::SelfId => HostMessagingFn::SelfId,
        }
    }
}

impl HostServicesCall {
    /// The function this call makes.
    pub fn function(&self) -> HostServicesFn {
        match self {
            HostServicesCall::Log { .. } => HostServicesFn::Log,
            HostServicesCall::CurrentTime => HostServicesFn::CurrentTime,
            HostServicesCall::CurrentTimeMillis => HostServicesFn::CurrentTimeMillis,
            HostServicesCall::SleepMillis { .. } => HostServicesFn::SleepMillis,
            HostServicesCall::ListComponents => HostServicesFn::ListComponents,
            HostServicesCall::GetComponentMetadata { .. } => HostServicesFn::GetComponentMetadata,
        }
    }
}

/// What a [`ProbeCall::Flood`] repeats: each tries to make the host hold more
/// than its bounds allow (docs/spec.md, RES-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// `send` to an id no component has, whose namespace is `id_bytes` long:
    /// refused (not granted, or not found) and audited each time.
    RefusedSend { id_bytes: u32 },
    /// `log` of a `message_bytes` message with `pairs` context pairs whose
    /// values are `pair_bytes` long, keyed by their index; with
    /// `pair_bytes` 0, `("", "")` pairs.
    Log {
        message_bytes: u32,
        pairs: u32,
        pair_bytes: u32,
    },
    /// `set` of distinct keys with empty values.
    EmptyKeys,
    /// `request` to `target` whose payload asks it to answer with
    /// `reply_bytes` bytes ([`ProbeCall::Reply`]), never cancelled.
    Request {
        target: ComponentId,
        reply_bytes: u32,
    },
    /// `broadcast` to `targets` distinct ids no component has, each
    /// `name_bytes` long in its name part.
    Broadcast { targets: u32, name_bytes: u32 },
}

/// What an import returned, when it returned `ok` or has no error type.
///
/// Shown in WIT terms (`none`, `some([])`, `list<u8> of 3 bytes: "bob"`),
/// by `Debug` too, so that every failure message speaks the contract's
/// language rather than Rust's.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Returned {
    Unit,
    Bool(bool),
    Value(Option<Vec<u8>>),
    Keys(Vec<String>),
    Usage {
        used_bytes: u64,
        quota_bytes: u64,
        key_count: u64,
    },
    CorrelationId(String),
    Id(ComponentId),
    Ids(Vec<ComponentId>),
    Time {
        seconds: u64,
        nanoseconds: u32,
    },
    Millis(u64),
    Info {
        id: ComponentId,
        name: String,
        version: String,
        health: String,
    },
    Inbox(Vec<Received>),
    /// How many calls of a [`ProbeCall::Flood`] returned `ok`, and how many `err`.
    Tally {
        ok: u64,
        refused: u64,
    },
}

/// An `err` case of a WIT error variant, with its payload rendered as text.
/// Shown in WIT terms (`invalid-key("empty")`), by `Debug` too.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitError {
    /// The kebab-case case name, e.g. `target-not-found`.
    pub case: String,
    pub detail: Option<String>,
}

impl WitError {
    pub fn new(case: &str, detail: Option<String>) -> Self {
        Self {
            case: case.into(),
            detail,
        }
    }
}

pub type Reply = Result<Returned, WitError>;

/// Which export a probe received a message through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Through {
    HandleMessage,
    HandleCallback,
}

/// A message as the probe saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    pub through: Through,
    pub sender: ComponentId,
    pub payload: Vec<u8>,
    pub correlation_id: Option<String>,
    pub reply_to: Option<ComponentId>,
    pub timestamp_seconds: u64,
    pub timestamp_nanoseconds: u32,
    pub content_type: Option<String>,
}

pub fn encode_call(call: &Call) -> Vec<u8> {
    serde_json::to_vec(call).expect("calls always encode")
}

impl Call {
    /// This call with its `value` or `payload` made of `len` copies of `byte`.
    pub fn filled(self, byte: u8, len: u64) -> Call {
        Call::Filled {
            byte,
            len,
            inner: Box::new(self),
        }
    }

    fn expanded(self) -> Result<Call, String> {
        let Call::Filled { byte, len, inner } = self else {
            return Ok(self);
        };
        let mut call = inner.expanded()?;
        let bytes = match &mut call {
            Call::Storage(StorageCall::Set { value, .. }) => value,
            Call::HostMessaging(HostMessagingCall::Send { payload, .. })
            | Call::HostMessaging(HostMessagingCall::Request { payload, .. })
            | Call::HostMessaging(HostMessagingCall::Broadcast { payload, .. }) => payload,
            other => return Err(format!("{other:?} has no value or payload to fill")),
        };
        let len = usize::try_from(len).map_err(|_| format!("cannot fill {len} bytes"))?;
        *bytes = vec![byte; len];
        Ok(call)
    }
}

/// Decodes a call, expanding [`Call::Filled`].
pub fn decode_call(payload: &[u8]) -> Result<Call, String> {
    let call: Call =
        serde_json::from_slice(payload).map_err(|e| format!("not a probe call: {e}"))?;
    call.expanded()
}

pub fn encode_reply(reply: &Reply) -> Vec<u8> {
    serde_json::to_vec(reply).expect("replies always encode")
}

pub fn decode_reply(payload: &[u8]) -> Result<Reply, String> {
    serde_json::from_slice(payload).map_err(|e| {
        format!(
            "not a probe reply ({e}): {}",
            String::from_utf8_lossy(payload)
        )
    })
}

/// The error a probe returns for a call outside its concern.
pub fn unsupported(call: &Call) -> Reply {
    Err(WitError::new(
        "probe-unsupported",
        Some(format!("this probe does not make {call}")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_function_has_a_probe_call_that_maps_back_to_it() {
        for function in HostFn::ALL {
            let call = Call::making(function);
            assert_eq!(call.function(), Some(function), "{call:?}");
            assert_eq!(call.filled(0, 1).function(), Some(function), "filled");
        }
    }

    #[test]
    fn calls_and_replies_round_trip() {
        let call = Call::Storage(StorageCall::Set {
            key: "k".into(),
            value: vec![0, 255],
        });
        assert_eq!(decode_call(&encode_call(&call)).unwrap(), call);
        let reply: Reply = Err(WitError::new("quota-exceeded", None));
        assert_eq!(decode_reply(&encode_reply(&reply)).unwrap(), reply);
    }

    #[test]
    fn filled_calls_arrive_expanded() {
        let call = Call::HostMessaging(HostMessagingCall::Send {
            target: ComponentId::new("n", "m", "1"),
            payload: vec![],
        });
        let Call::HostMessaging(HostMessagingCall::Send { payload, .. }) =
            decode_call(&encode_call(&call.filled(7, 3))).unwrap()
        else {
            panic!("the filled call changed kind");
        };
        assert_eq!(payload, [7, 7, 7]);
        let error = decode_call(&encode_call(
            &Call::Storage(StorageCall::Usage).filled(7, 3),
        ))
        .unwrap_err();
        assert!(error.contains("Usage"), "{error}");
    }

    #[test]
    fn values_are_shown_in_wit_terms() {
        assert_eq!(format!("{:?}", Returned::Value(None)), "none");
        assert_eq!(format!("{:?}", Returned::Value(Some(vec![]))), "some([])");
        assert_eq!(
            wit_reply(&Ok(Returned::Value(Some(b"bob".to_vec())))),
            "ok(some(list<u8> of 3 bytes: \"bob\"))"
        );
        assert_eq!(
            wit_reply(&Err(WitError::new("invalid-key", Some("empty".into())))),
            "err(invalid-key(\"empty\"))"
        );
        assert_eq!(
            wit_reply(&Err(WitError::new("quota-exceeded", None))),
            "err(quota-exceeded)"
        );
        assert_eq!(wit_bytes(&[0, 255]), "list<u8> of 2 bytes: 0x00ff");
        let long = wit_bytes(&[b'a'; 100]);
        assert!(
            long.starts_with("list<u8> of 100 bytes: \"aaa") && long.ends_with('…'),
            "{long}"
        );
        assert_eq!(
            wit_bytes(&[7; 100]).len(),
            "list<u8> of 100 bytes: 0x".len() + 96 + "…".len()
        );
    }

    #[test]
    fn garbage_is_reported_with_its_text() {
        let error = decode_reply(b"oops").unwrap_err();
        assert!(error.contains("oops"), "{error}");
    }
}
