//! The records the adapter protocol's messages carry
//! (`docs/adapter-protocol.md`), and its version; the requests and answers
//! themselves are in `messages.rs`.

use serde::{Deserialize, Serialize};

use crate::error::AdapterError;

/// The protocol version this crate speaks. The suite refuses an adapter that
/// answers `hello` with another one.
pub const PROTOCOL_VERSION: u32 = 1;

/// The minor version this crate speaks within [`PROTOCOL_VERSION`]: what it
/// added, every older peer ignores. 1: `check`'s `refused` may carry
/// [`Unsatisfied`]. 2: so may `invoke`'s, naming in `other_type` an import
/// whose answer was not of the type the component imports it with. 3:
/// `invoke` may carry a [`Message`]'s `sender`, `correlation_id`, `reply_to`
/// and `export` (`handle-callback`), and the `metadata` and `health`
/// operations call those exports ([`Supports::lifecycle`]). 4: `check` may
/// ask for exact names (`exact_names`, [`Supports::exact_names`]), and its
/// `refused` may name in [`Unsatisfied::by_semver`] the imports the host
/// provides only under another version of the same semver track.
pub const PROTOCOL_MINOR: u32 = 4;

/// A component's identity, as the contract's `component-id` record: the
/// kit's one id type, written and read as `namespace/name/instance`.
pub use airssys_contract::ComponentId;

/// What a component the suite loads may do (SEC-1). Non-exhaustive: a
/// later protocol minor may grant in another way, announced by a `supports`
/// flag; a runtime that meets a grant it does not know should refuse the
/// `load` rather than guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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

/// Capabilities one by one, as SEC-1.1 lists them. Built from
/// [`Capabilities::none`] with the `with_*` methods (non-exhaustive: the
/// contract may add a capability).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
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

impl Capabilities {
    /// No capability at all: deny-by-default.
    pub fn none() -> Self {
        Self::default()
    }

    /// These capabilities with `storage-read` (`get`, `exists`, `list-keys`,
    /// `usage`) set to `on`.
    pub fn with_storage_read(mut self, on: bool) -> Self {
        self.storage_read = on;
        self
    }

    /// These capabilities with `storage-write` (`set`) set to `on`.
    pub fn with_storage_write(mut self, on: bool) -> Self {
        self.storage_write = on;
        self
    }

    /// These capabilities with `storage-delete` (`delete`) set to `on`.
    pub fn with_storage_delete(mut self, on: bool) -> Self {
        self.storage_delete = on;
        self
    }

    /// These capabilities with the target patterns `send` may reach.
    pub fn with_send(mut self, patterns: Vec<String>) -> Self {
        self.send = patterns;
        self
    }

    /// These capabilities with the target patterns `request` may reach.
    pub fn with_request(mut self, patterns: Vec<String>) -> Self {
        self.request = patterns;
        self
    }

    /// These capabilities with the target patterns `broadcast` may reach.
    pub fn with_broadcast(mut self, patterns: Vec<String>) -> Self {
        self.broadcast = patterns;
        self
    }
}

impl Grant {
    /// Refuses a pattern that is not three `/`-separated, non-empty parts
    /// (each a literal, or `*` for any), saying which; adapters get only
    /// well-formed grants.
    pub fn check(&self) -> Result<(), AdapterError> {
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
                    return Err(AdapterError::msg(format_args!(
                        "the {capability} pattern {pattern:?} is not `namespace/name/instance` \
                         (a part may be `*`)"
                    )));
                }
            }
        }
        Ok(())
    }
}

/// A function of the contract by the instance components import it from and
/// its name, e.g. `airssys:core/storage@1.0.0` and `get`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Import {
    /// e.g. `airssys:core/storage@1.0.0`
    pub instance: String,
    /// e.g. `get`
    pub name: String,
}

impl Import {
    /// The function `name` of `instance`.
    pub fn new(instance: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            instance: instance.into(),
            name: name.into(),
        }
    }
}

/// Which imports of a component the host could not satisfy, each by its full
/// name: `instance#function` (`airssys:core/storage@1.0.0#get`), or the
/// function's bare name for an import at the root. Added in protocol 1.1:
/// the suite reads a `check` refusal from these lists when they name the
/// import it asked about, and only otherwise from the host's text (which it
/// can read for wasmtime's words alone).
///
/// Built from [`Unsatisfied::none`] with [`with_missing`](Self::with_missing)
/// and [`with_other_type`](Self::with_other_type) (non-exhaustive: a later
/// minor may name another kind of mismatch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// In a refused `check` that asked for exact names (protocol 1.4): the
    /// imports the host provides, but not under exactly the name the
    /// component imports, only under another version of the same semver
    /// track (`@1.1.0` for an import of `@1.0.0`), which wasmtime's linker
    /// links and a runtime without semver matching would not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_semver: Vec<SemverMatch>,
}

/// An import the host provides only by semver matching (protocol 1.4): its
/// full name, and the instance name it is registered under when the
/// adapter can tell. Built with [`SemverMatch::new`] (non-exhaustive: a
/// later minor may say more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SemverMatch {
    /// The import's full name ([`Unsatisfied::full_name`]), e.g.
    /// `airssys:core/storage@1.0.0#get`.
    pub import: String,
    /// The instance name the host registered it under, e.g.
    /// `airssys:core/storage@1.1.0`; absent when the adapter could not
    /// find which version of the track it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<String>,
}

impl SemverMatch {
    /// `import` (a full name), registered under the instance `registered`
    /// (`None`: the adapter cannot tell which version).
    pub fn new(import: impl Into<String>, registered: Option<String>) -> Self {
        Self {
            import: import.into(),
            registered,
        }
    }
}

impl Unsatisfied {
    /// No import named.
    pub fn none() -> Self {
        Self::default()
    }

    /// These names, and `import` (a full name) as one the host does not
    /// provide.
    pub fn with_missing(mut self, import: impl Into<String>) -> Self {
        self.missing.push(import.into());
        self
    }

    /// These names, and `import` (a full name) as one the host provides
    /// with another type.
    pub fn with_other_type(mut self, import: impl Into<String>) -> Self {
        self.other_type.push(import.into());
        self
    }

    /// These names, and `import` (a full name) as one the host provides
    /// only under another version of its semver track, `registered` if the
    /// adapter can tell (protocol 1.4).
    pub fn with_by_semver(mut self, import: impl Into<String>, registered: Option<String>) -> Self {
        self.by_semver.push(SemverMatch::new(import, registered));
        self
    }

    /// No list names an import: the refusal says nothing structured.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.other_type.is_empty() && self.by_semver.is_empty()
    }

    /// The full name of `function` imported from `instance` (`None`: the root).
    pub fn full_name(instance: Option<&str>, function: &str) -> String {
        match instance {
            Some(instance) => format!("{instance}#{function}"),
            None => function.to_owned(),
        }
    }
}

/// One record as the host's log sink received it. Built with
/// [`LogRecord::new`] (non-exhaustive: the contract's record may grow).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

impl LogRecord {
    /// `component`'s record at `level` (the lowercase case name) saying
    /// `message`, with no context pairs.
    pub fn new(
        component: ComponentId,
        level: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            component,
            level: level.into(),
            message: message.into(),
            context: Vec::new(),
        }
    }

    /// This record with its context pairs.
    pub fn with_context(mut self, context: Vec<(String, String)>) -> Self {
        self.context = context;
        self
    }
}

/// Who answers, and for which host: `hello`'s answer. Built with
/// [`About::new`] and [`About::supporting`] (non-exhaustive: `hello` may
/// say more in a later minor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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

impl About {
    /// The adapter `adapter` at `version`, for `host` on wasmtime `wasmtime`,
    /// offering `check` alone ([`Supports::CHECK_ONLY`]).
    pub fn new(
        adapter: impl Into<String>,
        version: impl Into<String>,
        host: impl Into<String>,
        wasmtime: impl Into<String>,
    ) -> Self {
        Self {
            adapter: adapter.into(),
            version: version.into(),
            host: host.into(),
            wasmtime: wasmtime.into(),
            supports: Supports::CHECK_ONLY,
        }
    }

    /// This adapter, offering `supports`.
    pub fn supporting(mut self, supports: Supports) -> Self {
        self.supports = supports;
        self
    }
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
    /// Protocol 1.4: `check` with `exact_names` answers `ok` only if every
    /// import of the component is registered under exactly its name, and
    /// otherwise names in [`Unsatisfied::by_semver`] those found only on
    /// their semver track. Absent (older adapters): the suite says that
    /// how a name was found cannot be seen through this adapter.
    #[serde(default)]
    pub exact_names: bool,
}

impl Supports {
    /// Name and signature trials only.
    pub const CHECK_ONLY: Supports = Supports {
        load: false,
        runtime: false,
        traps: false,
        grants: false,
        lifecycle: false,
        exact_names: false,
    };
    /// Everything the suite can ask for.
    pub const EVERYTHING: Supports = Supports {
        load: true,
        runtime: true,
        traps: true,
        grants: true,
        lifecycle: true,
        exact_names: true,
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

    /// These supports with `exact_names` set to `on`.
    pub const fn with_exact_names(mut self, on: bool) -> Self {
        self.exact_names = on;
        self
    }
}

/// The export of `component-lifecycle` an `invoke` calls with its message.
/// Exhaustive on purpose: these are the contract's (`airssys:core@1.0.0`)
/// two exports that take a message, fixed by its WIT; another would come
/// with a new contract, and so a new protocol major.
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

pub(crate) mod base64_bytes {
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

pub(crate) mod base64_option {
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
