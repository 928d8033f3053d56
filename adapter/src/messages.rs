//! The requests and answers of the adapter protocol
//! (`docs/adapter-protocol.md`): one JSON object per line, the suite's
//! [`Request`] on the adapter's stdin, the adapter's [`Response`] on its
//! stdout, strictly one answer per request.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::AdapterError;
use crate::protocol::{
    About, ComponentId, Grant, Handler, Import, LogRecord, Message, Metadata, PROTOCOL_MINOR,
    PROTOCOL_VERSION, Unsatisfied, base64_option,
};

/// What the suite asks, one per line on the adapter's stdin.
///
/// Non-exhaustive, and so is each variant with fields: a protocol minor may
/// add an operation or a field without breaking code that reads requests
/// (match with a `_` arm and `..`). Build requests with the constructors
/// ([`Request::load`], [`Request::invoke`], …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Request {
    /// The first request. Answered with [`Response::Hello`].
    #[non_exhaustive]
    Hello {
        /// The protocol version the suite speaks.
        protocol: u32,
    },
    /// Could a component be instantiated with the host's registration?
    /// Answered `ok`, or `refused` with the host's own error text.
    #[non_exhaustive]
    Check {
        /// A component file the suite wrote.
        component: PathBuf,
        /// Protocol 1.4 ([`Supports::exact_names`](crate::Supports::exact_names)):
        /// `ok` only if every import is registered under exactly its name;
        /// one found only on its semver track is named in
        /// `unsatisfied.by_semver`. Absent: false, a plain `check`.
        #[serde(default, skip_serializing_if = "is_false")]
        exact_names: bool,
    },
    /// Forget every loaded component, queued message and record: the state
    /// of a freshly started host, on fresh storage. Components loaded from
    /// now on get every function in `traps` as a function that traps when
    /// called, in place of the host's own.
    #[non_exhaustive]
    Reset {
        /// Functions that failed their name or signature trial.
        #[serde(default)]
        traps: Vec<Import>,
    },
    /// Instantiate `component` as `id` with `grant`, and call its `initialize`.
    #[non_exhaustive]
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
    #[non_exhaustive]
    Invoke {
        /// A loaded component.
        id: ComponentId,
        /// The message, its fields beside `op` and `id` on the wire.
        #[serde(flatten)]
        message: Message,
    },
    /// Call `id`'s `metadata` export (protocol 1.3, [`Supports::lifecycle`](crate::Supports::lifecycle)).
    /// Answered with [`Response::Metadata`].
    #[non_exhaustive]
    Metadata {
        /// A loaded component.
        id: ComponentId,
    },
    /// Call `id`'s `health` export (protocol 1.3, [`Supports::lifecycle`](crate::Supports::lifecycle)).
    /// Answered with [`Response::Health`].
    #[non_exhaustive]
    Health {
        /// A loaded component.
        id: ComponentId,
    },
    /// Deliver queued messages, callbacks and due timeouts until nothing is
    /// queued or pending, for at most `limit_ms`.
    #[non_exhaustive]
    Settle {
        /// The longest the host may take, in milliseconds.
        limit_ms: u64,
    },
    /// Every record the host's log sink received since `reset`.
    Logs,
    /// Call `id`'s `shutdown` and drop it: it is no longer a message target
    /// nor listed by `list-components` (MSG-4, SVC-5).
    #[non_exhaustive]
    Unload {
        /// A loaded component.
        id: ComponentId,
    },
    /// Stop the host and start it again on the same storage, with no
    /// component loaded (STO-11).
    Restart,
}

impl Request {
    /// `hello` in this crate's protocol version ([`PROTOCOL_VERSION`]).
    pub fn hello() -> Self {
        Request::Hello {
            protocol: PROTOCOL_VERSION,
        }
    }

    /// `check` of the component file `component`.
    pub fn check(component: impl Into<PathBuf>) -> Self {
        Request::Check {
            component: component.into(),
            exact_names: false,
        }
    }

    /// `check` of `component` that instantiates only with every import
    /// registered under exactly its name (protocol 1.4).
    pub fn check_exact(component: impl Into<PathBuf>) -> Self {
        Request::Check {
            component: component.into(),
            exact_names: true,
        }
    }

    /// `reset`, with `traps` in place of the host's own functions.
    pub fn reset(traps: Vec<Import>) -> Self {
        Request::Reset { traps }
    }

    /// `load` of `component` as `id` with `grant`; `budget_ms`: its budget
    /// per call, `None` for the host's default.
    pub fn load(
        id: ComponentId,
        component: impl Into<PathBuf>,
        grant: Grant,
        budget_ms: Option<u64>,
    ) -> Self {
        Request::Load {
            id,
            component: component.into(),
            grant,
            budget_ms,
        }
    }

    /// `invoke` of `id` with `message`.
    pub fn invoke(id: ComponentId, message: Message) -> Self {
        Request::Invoke { id, message }
    }

    /// `metadata` of `id`.
    pub fn metadata(id: ComponentId) -> Self {
        Request::Metadata { id }
    }

    /// `health` of `id`.
    pub fn health(id: ComponentId) -> Self {
        Request::Health { id }
    }

    /// `settle` for at most `limit_ms` milliseconds.
    pub fn settle(limit_ms: u64) -> Self {
        Request::Settle { limit_ms }
    }

    /// `unload` of `id`.
    pub fn unload(id: ComponentId) -> Self {
        Request::Unload { id }
    }

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
    /// `hello`'s answer in this crate's protocol version and minor.
    pub fn hello(about: About) -> Self {
        Self::hello_speaking(PROTOCOL_VERSION, PROTOCOL_MINOR, about)
    }

    /// `hello`'s answer in another version: what an older or newer adapter
    /// would say (for tests of the suite's side).
    pub fn hello_speaking(protocol: u32, minor: u32, about: About) -> Self {
        Response::Hello {
            protocol,
            minor,
            about,
        }
    }

    /// `reply` with what `handle-message` returned.
    pub fn reply(payload: Option<Vec<u8>>) -> Self {
        Response::Reply { payload }
    }

    /// `metadata` with the record.
    pub fn metadata(metadata: Metadata) -> Self {
        Response::Metadata { metadata }
    }

    /// `health` with the `health-status` case name.
    pub fn health(status: impl Into<String>) -> Self {
        Response::Health {
            status: status.into(),
        }
    }

    /// `logs` with the records, oldest first.
    pub fn logs(records: Vec<LogRecord>) -> Self {
        Response::Logs { records }
    }

    /// `refused` with the host's words and no structured part.
    pub fn refused(reason: impl Into<String>) -> Self {
        Response::Refused {
            reason: reason.into(),
            unsatisfied: Unsatisfied::default(),
            err: None,
        }
    }

    /// `refused` because `export` returned `err` with `error`: an answer,
    /// not a trap (protocol 1.3).
    pub fn export_err(export: Handler, error: impl Into<String>) -> Self {
        let error = error.into();
        Response::Refused {
            reason: format!("{} returned {error}", export.name()),
            unsatisfied: Unsatisfied::default(),
            err: Some(error),
        }
    }

    /// `unsupported`, saying what is missing.
    pub fn unsupported(reason: impl Into<String>) -> Self {
        Response::Unsupported {
            reason: reason.into(),
        }
    }

    /// `error`: the request could not be read.
    pub fn error(message: impl Into<String>) -> Self {
        Response::Error {
            message: message.into(),
        }
    }

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
}

/// A failed operation's answer: `unsupported` for
/// [`AdapterError::unsupported`], otherwise `refused` with the words and the
/// imports the error names.
impl From<AdapterError> for Response {
    fn from(error: AdapterError) -> Self {
        if error.is_unsupported() {
            return Response::Unsupported {
                reason: error.reason,
            };
        }
        Response::Refused {
            reason: error.reason,
            unsatisfied: error.unsatisfied,
            err: None,
        }
    }
}

fn is_false(flag: &bool) -> bool {
    !flag
}

/// What the adapter answers, one per line on its stdout.
///
/// Non-exhaustive, and so is each variant with fields: a protocol minor may
/// add an answer or a field without breaking code that reads answers (match
/// with a `_` arm and `..`). Build answers with the constructors
/// ([`Response::reply`], [`Response::refused`], `From<AdapterError>`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Response {
    /// The answer to `hello`.
    #[non_exhaustive]
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
    #[non_exhaustive]
    Reply {
        /// The reply payload, if any (base64 on the wire).
        #[serde(with = "base64_option")]
        payload: Option<Vec<u8>>,
    },
    /// What `metadata` returned (protocol 1.3).
    #[non_exhaustive]
    Metadata {
        /// The record, its fields beside `answer` on the wire.
        #[serde(flatten)]
        metadata: Metadata,
    },
    /// What `health` returned (protocol 1.3): the `health-status` case name,
    /// e.g. `healthy`.
    #[non_exhaustive]
    Health {
        /// The case name.
        status: String,
    },
    /// The log sink's records, oldest first.
    #[non_exhaustive]
    Logs {
        /// The records.
        records: Vec<LogRecord>,
    },
    /// The host said no: `check` does not instantiate, `load` failed, the
    /// call trapped or returned an error. `reason` is the host's own text.
    #[non_exhaustive]
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
    /// The adapter does not offer this operation (see [`Supports`](crate::Supports)).
    #[non_exhaustive]
    Unsupported {
        /// What is missing.
        reason: String,
    },
    /// The request could not be read.
    #[non_exhaustive]
    Error {
        /// Why it could not be read.
        message: String,
    },
}
