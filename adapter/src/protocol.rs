//! The messages of the adapter protocol (`docs/adapter-protocol.md`): one JSON
//! object per line, the suite's [`Request`] on the adapter's stdin, the
//! adapter's [`Response`] on its stdout, strictly one answer per request.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The protocol version this crate speaks. The suite refuses an adapter that
/// answers `hello` with another one.
pub const PROTOCOL_VERSION: u32 = 1;

/// The minor version this crate speaks within [`PROTOCOL_VERSION`]: what it
/// added, every older peer ignores. 1: `check`'s `refused` may carry
/// [`Unsatisfied`]. 2: so may `invoke`'s, naming in `other_type` an import
/// whose answer was not of the type the component imports it with. 3:
/// `invoke` may carry a [`Message`]'s `sender`, `correlation_id`, `reply_to`
/// and `export` (`handle-callback`), and the `metadata` and `health`
/// operations call those exports ([`Supports::lifecycle`]).
pub const PROTOCOL_MINOR: u32 = 3;

/// A component's identity, as the contract's `component-id` record: the
/// kit's one id type, written and read as `namespace/name/instance`.
pub use airssys_contract::ComponentId;

/// What a component the suite loads may do (SEC-1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// Every capability, to every target.
    Everything,
    /// Nothing: the host's deny-by-default.
    Nothing,
    /// These capabilities and no others (SEC-1.1). Added in protocol 1
    /// without a new version: the suite sends it only to adapters whose
    /// `hello` says [`Supports::grants`].
    Only(Capabilities),
}

/// Capabilities one by one, as SEC-1.1 lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Capabilities {
    /// `get`, `exists`, `list-keys`, `usage`.
    #[serde(default)]
    pub storage_read: bool,
    /// `set`.
    #[serde(default)]
    pub storage_write: bool,
    /// `delete`.
    #[serde(default)]
    pub storage_delete: bool,
    /// Target patterns `send` may reach: `namespace/name/instance`, where a
    /// part may be `*`.
    #[serde(default)]
    pub send: Vec<String>,
    /// Target patterns `request` may reach.
    #[serde(default)]
    pub request: Vec<String>,
    /// Target patterns `broadcast` may reach; every listed target must match one.
    #[serde(default)]
    pub broadcast: Vec<String>,
}

impl Grant {
    /// Refuses a pattern that is not three `/`-separated, non-empty parts
    /// (each a literal, or `*` for any), saying which; adapters get only
    /// well-formed grants.
    pub fn check(&self) -> Result<(), String> {
        let Grant::Only(capabilities) = self else {
            return Ok(());
        };
        let lists = [
            ("send", &capabilities.send),
            ("request", &capabilities.request),
            ("broadcast", &capabilities.broadcast),
        ];
        for (capability, patterns) in lists {
            for pattern in patterns {
                let parts: Vec<&str> = pattern.split('/').collect();
                if parts.len() != 3 || parts.iter().any(|part| part.is_empty()) {
                    return Err(format!(
                        "the {capability} pattern {pattern:?} is not `namespace/name/instance` \
                         (a part may be `*`)"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A function of the contract by the instance components import it from and
/// its name, e.g. `airssys:core/storage@1.0.0` and `get`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Import {
    /// e.g. `airssys:core/storage@1.0.0`
    pub instance: String,
    /// e.g. `get`
    pub name: String,
}

/// Which imports of a component the host could not satisfy, each by its full
/// name: `instance#function` (`airssys:core/storage@1.0.0#get`), or the
/// function's bare name for an import at the root. Added in protocol 1.1:
/// the suite reads a `check` refusal from these lists when they name the
/// import it asked about, and only otherwise from the host's text (which it
/// can read for wasmtime's words alone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsatisfied {
    /// Imports the host does not provide at all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Imports the host provides with another type, or as another kind of
    /// item (an instance where a function is imported, say). In a refused
    /// `invoke` (protocol 1.2): the import whose answer the runtime could not
    /// give the component as the import's type, for a host that checks types
    /// only at call time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_type: Vec<String>,
}

impl Unsatisfied {
    /// Neither list names an import: the refusal says nothing structured.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.other_type.is_empty()
    }

    /// The full name of `function` imported from `instance` (`None`: the root).
    pub fn full_name(instance: Option<&str>, function: &str) -> String {
        match instance {
            Some(instance) => format!("{instance}#{function}"),
            None => function.to_owned(),
        }
    }
}

/// Why `check` refused a component: the host's own words, and, from
/// adapters of protocol 1.1, the imports it could not satisfy by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckRefusal {
    /// The host's own words.
    pub reason: String,
    /// The unsatisfied imports; empty when the adapter cannot name them.
    pub unsatisfied: Unsatisfied,
}

impl From<String> for CheckRefusal {
    fn from(reason: String) -> Self {
        Self {
            reason,
            unsatisfied: Unsatisfied::default(),
        }
    }
}

/// One record as the host's log sink received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogRecord {
    /// The component that logged it.
    pub component: ComponentId,
    /// The lowercase `log-level` case name, e.g. `warn`.
    pub level: String,
    /// The message, as the component gave it.
    pub message: String,
    /// The context pairs, as the component gave them (none: empty).
    pub context: Vec<(String, String)>,
}

/// Who answers, and for which host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct About {
    /// The adapter's name, e.g. `my-host-adapter`.
    pub adapter: String,
    /// The adapter's version, e.g. `env!("CARGO_PKG_VERSION")`.
    pub version: String,
    /// The host under test, e.g. `my-host 2.3.0`.
    pub host: String,
    /// The wasmtime version the host is built on, e.g. `24.0.4`.
    pub wasmtime: String,
    /// What the adapter offers beyond `check`.
    pub supports: Supports,
}

/// What an adapter can do beyond `check`. The suite asks for nothing else:
/// a trial that needs more is reported as ignored, with the reason.
///
/// Built from [`Supports::CHECK_ONLY`] or [`Supports::EVERYTHING`] and the
/// `with_*` methods (non-exhaustive since protocol 1.3, so that the next
/// capability breaks no adapter's code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Supports {
    /// `reset`, `load` and `invoke`: the behaviour trials that one component
    /// at a time can show (storage, self-id, clocks, sleep).
    pub load: bool,
    /// `settle`, `logs`, `unload` and `restart` as well: delivery,
    /// callbacks, the registry, the log sink and restarts.
    pub runtime: bool,
    /// `reset`'s `traps` are honoured. Without them, trials whose probe
    /// imports a function that failed its name or signature trial are ignored.
    pub traps: bool,
    /// `load` takes [`Grant::Only`]: the SEC-1.1 and SEC-1.2 trials, which
    /// grant one capability or pattern at a time. Absent (older adapters):
    /// those trials are ignored with the reason.
    #[serde(default)]
    pub grants: bool,
    /// Protocol 1.3: `invoke` honours a [`Message`]'s `sender`,
    /// `correlation_id`, `reply_to` and `export` (so it can call
    /// `handle-callback`), and the `metadata` and `health` operations call
    /// those exports: the guest trials GST-2 to GST-5 of a component judged
    /// on this host. Absent (older adapters): those trials are ignored with
    /// the reason, since an older adapter would read such an `invoke` as a
    /// plain message to `handle-message`.
    #[serde(default)]
    pub lifecycle: bool,
}

impl Supports {
    /// Name and signature trials only.
    pub const CHECK_ONLY: Supports = Supports {
        load: false,
        runtime: false,
        traps: false,
        grants: false,
        lifecycle: false,
    };
    /// Everything the suite can ask for.
    pub const EVERYTHING: Supports = Supports {
        load: true,
        runtime: true,
        traps: true,
        grants: true,
        lifecycle: true,
    };

    /// These supports with `load` set to `on`.
    pub const fn with_load(mut self, on: bool) -> Self {
        self.load = on;
        self
    }

    /// These supports with `runtime` set to `on`.
    pub const fn with_runtime(mut self, on: bool) -> Self {
        self.runtime = on;
        self
    }

    /// These supports with `traps` set to `on`.
    pub const fn with_traps(mut self, on: bool) -> Self {
        self.traps = on;
        self
    }

    /// These supports with `grants` set to `on`.
    pub const fn with_grants(mut self, on: bool) -> Self {
        self.grants = on;
        self
    }

    /// These supports with `lifecycle` set to `on`.
    pub const fn with_lifecycle(mut self, on: bool) -> Self {
        self.lifecycle = on;
        self
    }
}

/// The export of `component-lifecycle` an `invoke` calls with its message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Handler {
    /// `handle-message`: a message or a request (the default, and all a
    /// protocol 1.0 to 1.2 `invoke` calls).
    #[default]
    HandleMessage,
    /// `handle-callback`: the reply to, or the timeout of, a request the
    /// component made (protocol 1.3).
    HandleCallback,
}

impl Handler {
    /// The export's name, as the WIT spells it.
    pub fn name(self) -> &'static str {
        match self {
            Handler::HandleMessage => "handle-message",
            Handler::HandleCallback => "handle-callback",
        }
    }

    fn is_handle_message(&self) -> bool {
        *self == Handler::HandleMessage
    }
}

/// The `component-message` an `invoke` hands the component, and which
/// export it goes to. Fields past `content_type` came with protocol 1.3:
/// an adapter of an older minor ignores them, so the suite sends them only
/// to adapters whose `hello` says [`Supports::lifecycle`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Message {
    /// The message's payload (base64 on the wire).
    #[serde(with = "base64_bytes")]
    pub payload: Vec<u8>,
    /// The message's `content-type` (always `some`).
    pub content_type: String,
    /// The message's `sender`; absent on the wire: [`suite_id`](crate::suite_id).
    #[serde(default = "crate::suite_id", skip_serializing_if = "is_suite")]
    pub sender: ComponentId,
    /// `metadata.correlation-id`; absent: `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    /// `metadata.reply-to`; absent: `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<ComponentId>,
    /// The export to call; absent: `handle-message`.
    #[serde(default, skip_serializing_if = "Handler::is_handle_message")]
    pub export: Handler,
}

fn is_suite(id: &ComponentId) -> bool {
    *id == crate::suite_id()
}

impl Message {
    /// A message from [`suite_id`](crate::suite_id) to `handle-message`,
    /// with no correlation id nor `reply-to`: what every `invoke` of
    /// protocol 1.0 to 1.2 delivers.
    pub fn new(payload: impl Into<Vec<u8>>, content_type: impl Into<String>) -> Self {
        Self {
            payload: payload.into(),
            content_type: content_type.into(),
            sender: crate::suite_id(),
            correlation_id: None,
            reply_to: None,
            export: Handler::HandleMessage,
        }
    }

    /// This message from `sender`.
    pub fn from_sender(mut self, sender: ComponentId) -> Self {
        self.sender = sender;
        self
    }

    /// This message as a request (MSG-5): its correlation id and whom to reply to.
    pub fn as_request(mut self, correlation_id: impl Into<String>, reply_to: ComponentId) -> Self {
        self.correlation_id = Some(correlation_id.into());
        self.reply_to = Some(reply_to);
        self
    }

    /// This message with `correlation_id` alone, as callbacks carry it (MSG-6).
    pub fn with_correlation_id(mut self, correlation_id: impl Into<String>) -> Self {
        self.correlation_id = Some(correlation_id.into());
        self
    }

    /// This message for `export` instead.
    pub fn to_export(mut self, export: Handler) -> Self {
        self.export = export;
        self
    }

    /// Whether it carries anything a protocol 1.2 adapter would drop.
    pub fn needs_lifecycle(&self) -> bool {
        !is_suite(&self.sender)
            || self.correlation_id.is_some()
            || self.reply_to.is_some()
            || !self.export.is_handle_message()
    }
}

/// The `component-metadata` record a component's `metadata` export returned
/// (protocol 1.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Metadata {
    /// `name`.
    pub name: String,
    /// `version`.
    pub version: String,
    /// `description`.
    #[serde(default)]
    pub description: String,
    /// `author`.
    #[serde(default)]
    pub author: String,
    /// `license`.
    #[serde(default)]
    pub license: String,
    /// `supported-operations`.
    #[serde(default)]
    pub supported_operations: Vec<String>,
    /// `stateful`.
    #[serde(default)]
    pub stateful: bool,
}

impl Metadata {
    /// A record with `name` and `version` and every other field empty;
    /// fill the rest with the `with_*` methods.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            ..Self::default()
        }
    }

    /// With `description`, `author` and `license`.
    pub fn with_texts(
        mut self,
        description: impl Into<String>,
        author: impl Into<String>,
        license: impl Into<String>,
    ) -> Self {
        self.description = description.into();
        self.author = author.into();
        self.license = license.into();
        self
    }

    /// With `supported-operations` and `stateful`.
    pub fn with_operations(mut self, supported_operations: Vec<String>, stateful: bool) -> Self {
        self.supported_operations = supported_operations;
        self.stateful = stateful;
        self
    }
}

/// What the suite asks, one per line on the adapter's stdin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Request {
    /// The first request. Answered with [`Response::Hello`].
    Hello {
        /// The protocol version the suite speaks.
        protocol: u32,
    },
    /// Could a component be instantiated with the host's registration?
    /// Answered `ok`, or `refused` with the host's own error text.
    Check {
        /// A component file the suite wrote.
        component: PathBuf,
    },
    /// Forget every loaded component, queued message and record: the state
    /// of a freshly started host, on fresh storage. Components loaded from
    /// now on get every function in `traps` as a function that traps when
    /// called, in place of the host's own.
    Reset {
        /// Functions that failed their name or signature trial.
        #[serde(default)]
        traps: Vec<Import>,
    },
    /// Instantiate `component` as `id` with `grant`, and call its `initialize`.
    Load {
        /// The id the host must know the component by.
        id: ComponentId,
        /// A component file.
        component: PathBuf,
        /// Its capabilities.
        grant: Grant,
        /// Its execution budget per call (`max-execution-time`), in ms; absent:
        /// the host's default. Added in protocol 1 without a new version:
        /// an adapter that ignores it loads with its default budget.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        budget_ms: Option<u64>,
    },
    /// Call `id`'s `handle-message` (or, from protocol 1.3, the export the
    /// message names) with the message.
    Invoke {
        /// A loaded component.
        id: ComponentId,
        /// The message, its fields beside `op` and `id` on the wire.
        #[serde(flatten)]
        message: Message,
    },
    /// Call `id`'s `metadata` export (protocol 1.3, [`Supports::lifecycle`]).
    /// Answered with [`Response::Metadata`].
    Metadata {
        /// A loaded component.
        id: ComponentId,
    },
    /// Call `id`'s `health` export (protocol 1.3, [`Supports::lifecycle`]).
    /// Answered with [`Response::Health`].
    Health {
        /// A loaded component.
        id: ComponentId,
    },
    /// Deliver queued messages, callbacks and due timeouts until nothing is
    /// queued or pending, for at most `limit_ms`.
    Settle {
        /// The longest the host may take, in milliseconds.
        limit_ms: u64,
    },
    /// Every record the host's log sink received since `reset`.
    Logs,
    /// Call `id`'s `shutdown` and drop it: it is no longer a message target
    /// nor listed by `list-components` (MSG-4, SVC-5).
    Unload {
        /// A loaded component.
        id: ComponentId,
    },
    /// Stop the host and start it again on the same storage, with no
    /// component loaded (STO-11).
    Restart,
}

impl Request {
    /// The operation's name, as on the wire.
    pub fn op(&self) -> &'static str {
        match self {
            Request::Hello { .. } => "hello",
            Request::Check { .. } => "check",
            Request::Reset { .. } => "reset",
            Request::Load { .. } => "load",
            Request::Invoke { .. } => "invoke",
            Request::Metadata { .. } => "metadata",
            Request::Health { .. } => "health",
            Request::Settle { .. } => "settle",
            Request::Logs => "logs",
            Request::Unload { .. } => "unload",
            Request::Restart => "restart",
        }
    }
}

impl Response {
    /// The answer's name, as on the wire (`answer`).
    pub fn answer(&self) -> &'static str {
        match self {
            Response::Hello { .. } => "hello",
            Response::Ok => "ok",
            Response::Reply { .. } => "reply",
            Response::Metadata { .. } => "metadata",
            Response::Health { .. } => "health",
            Response::Logs { .. } => "logs",
            Response::Refused { .. } => "refused",
            Response::Unsupported { .. } => "unsupported",
            Response::Error { .. } => "error",
        }
    }

    /// `refused` with the host's words and no structured part.
    pub fn refused(reason: impl Into<String>) -> Self {
        Response::Refused {
            reason: reason.into(),
            unsatisfied: Unsatisfied::default(),
            err: None,
        }
    }
}

/// What the adapter answers, one per line on its stdout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum Response {
    /// The answer to `hello`.
    Hello {
        /// The protocol version the adapter speaks.
        protocol: u32,
        /// Its minor version ([`PROTOCOL_MINOR`]); absent (0) from adapters
        /// built before minor versions were counted.
        #[serde(default)]
        minor: u32,
        /// Who answers.
        #[serde(flatten)]
        about: About,
    },
    /// Done: `check` instantiates, `reset`, `load`, `settle`, `restart` succeeded.
    Ok,
    /// What `handle-message` returned.
    Reply {
        /// The reply payload, if any (base64 on the wire).
        #[serde(with = "base64_option")]
        payload: Option<Vec<u8>>,
    },
    /// What `metadata` returned (protocol 1.3).
    Metadata {
        /// The record, its fields beside `answer` on the wire.
        #[serde(flatten)]
        metadata: Metadata,
    },
    /// What `health` returned (protocol 1.3): the `health-status` case name,
    /// e.g. `healthy`.
    Health {
        /// The case name.
        status: String,
    },
    /// The log sink's records, oldest first.
    Logs {
        /// The records.
        records: Vec<LogRecord>,
    },
    /// The host said no: `check` does not instantiate, `load` failed, the
    /// call trapped or returned an error. `reason` is the host's own text.
    Refused {
        /// The host's own words.
        reason: String,
        /// For `check`, from protocol 1.1: the imports the host could not
        /// satisfy, by name. For `invoke`, from 1.2: an import whose answer
        /// was of another type (`other_type`). Absent from older adapters,
        /// and on other answers.
        #[serde(default, skip_serializing_if = "Unsatisfied::is_empty")]
        unsatisfied: Unsatisfied,
        /// For `invoke`, from protocol 1.3: the export answered `err`, this
        /// error, and did not trap (`reason` says the same in words).
        /// Absent: it did not answer, or the adapter is older.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        err: Option<String>,
    },
    /// The adapter does not offer this operation (see [`Supports`]).
    Unsupported {
        /// What is missing.
        reason: String,
    },
    /// The request could not be read.
    Error {
        /// Why it could not be read.
        message: String,
    },
}

mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(deserializer)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

mod base64_option {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        bytes: &Option<Vec<u8>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(bytes) => super::base64_bytes::serialize(bytes, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<u8>>, D::Error> {
        use base64::Engine as _;
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| base64::engine::general_purpose::STANDARD.decode(text))
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_as_documented() {
        let invoke: Request = serde_json::from_str(
            r#"{"op":"invoke","id":{"namespace":"n","name":"a","instance":"1"},"payload":"AP8=","content_type":"t"}"#,
        )
        .unwrap();
        assert_eq!(
            invoke,
            Request::Invoke {
                id: ComponentId {
                    namespace: "n".into(),
                    name: "a".into(),
                    instance: "1".into()
                },
                message: Message::new(vec![0, 0xff], "t"),
            }
        );
        let reset: Request = serde_json::from_str(r#"{"op":"reset"}"#).unwrap();
        assert_eq!(reset, Request::Reset { traps: vec![] });
    }

    #[test]
    fn responses_round_trip() {
        let responses = [
            Response::Ok,
            Response::Reply {
                payload: Some(b"re:x".to_vec()),
            },
            Response::Reply { payload: None },
            Response::Metadata {
                metadata: Metadata::new("counter", "1.0.0")
                    .with_operations(vec!["count".into()], true),
            },
            Response::Health {
                status: "degraded".into(),
            },
            Response::refused("no"),
            Response::Refused {
                reason: "not found".into(),
                unsatisfied: Unsatisfied {
                    missing: vec!["airssys:core/storage@1.0.0#get".into()],
                    other_type: vec!["self-id".into()],
                },
                err: None,
            },
            Response::Refused {
                reason: "handle-message returned WasmError::Timeout".into(),
                unsatisfied: Unsatisfied::default(),
                err: Some("WasmError::Timeout".into()),
            },
            Response::Hello {
                protocol: PROTOCOL_VERSION,
                minor: PROTOCOL_MINOR,
                about: About {
                    adapter: "a".into(),
                    version: "1".into(),
                    host: "h".into(),
                    wasmtime: "24.0.4".into(),
                    supports: Supports::EVERYTHING,
                },
            },
        ];
        for response in responses {
            let line = serde_json::to_string(&response).unwrap();
            assert!(!line.contains('\n'));
            assert!(
                line.starts_with(&format!(r#"{{"answer":"{}""#, response.answer())),
                "{line}"
            );
            assert_eq!(serde_json::from_str::<Response>(&line).unwrap(), response);
        }
        assert_eq!(
            serde_json::to_string(&Response::Ok).unwrap(),
            r#"{"answer":"ok"}"#
        );
    }

    /// Protocol 1.3's message fields are written only when they differ from
    /// what a 1.2 `invoke` delivers, and read back whole.
    #[test]
    fn an_invoke_of_protocol_1_3_is_a_1_2_line_with_fields_added() {
        let id = ComponentId::new("n", "a", "1");
        let plain = Request::Invoke {
            id: id.clone(),
            message: Message::new(b"x".to_vec(), "t"),
        };
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"op":"invoke","id":{"namespace":"n","name":"a","instance":"1"},"payload":"eA==","content_type":"t"}"#
        );
        let callback = Message::new(Vec::new(), "application/vnd.airssys.timeout")
            .with_correlation_id("c-1")
            .from_sender(ComponentId::new("n", "b", "2"))
            .to_export(Handler::HandleCallback);
        assert!(callback.needs_lifecycle());
        assert!(!Message::new(Vec::new(), "t").needs_lifecycle());
        let request = Request::Invoke {
            id,
            message: callback,
        };
        let line = serde_json::to_string(&request).unwrap();
        assert!(
            line.contains(r#""export":"handle-callback""#)
                && line.contains(r#""correlation_id":"c-1""#),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<Request>(&line).unwrap(), request);
        let asked: Request = serde_json::from_str(
            r#"{"op":"health","id":{"namespace":"n","name":"a","instance":"1"}}"#,
        )
        .unwrap();
        assert_eq!(asked.op(), "health");
    }

    /// Protocol 1.1 only adds: a 1.0 adapter's lines read as before, and a
    /// refusal without structure is written as a 1.0 adapter wrote it.
    #[test]
    fn minor_versions_read_and_write_the_lines_of_older_peers() {
        let old_refusal: Response =
            serde_json::from_str(r#"{"answer":"refused","reason":"no"}"#).unwrap();
        assert_eq!(old_refusal, Response::refused("no"));
        assert_eq!(
            serde_json::to_string(&Response::refused("no")).unwrap(),
            r#"{"answer":"refused","reason":"no"}"#
        );
        let old_hello: Response = serde_json::from_str(
            r#"{"answer":"hello","protocol":1,"adapter":"a","version":"1","host":"h","wasmtime":"24.0.4","supports":{"load":false,"runtime":false,"traps":false,"grants":false}}"#,
        )
        .unwrap();
        assert!(
            matches!(old_hello, Response::Hello { minor: 0, .. }),
            "{old_hello:?}"
        );
        let structured = serde_json::to_string(&Response::Refused {
            reason: "no".into(),
            unsatisfied: Unsatisfied {
                missing: vec![Unsatisfied::full_name(
                    Some("airssys:core/storage@1.0.0"),
                    "get",
                )],
                other_type: vec![],
            },
            err: None,
        })
        .unwrap();
        assert_eq!(
            structured,
            r#"{"answer":"refused","reason":"no","unsatisfied":{"missing":["airssys:core/storage@1.0.0#get"]}}"#
        );
    }
}
