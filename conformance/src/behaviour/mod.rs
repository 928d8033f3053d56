//! One check per behaviour clause, run on a fresh [`Session`] per trial.
//! Checks state failures with `assert!`-style panics whose message says what
//! was expected and what happened; the runner adds the clause.
//!
//! A clause often names several functions, and its check runs once for each,
//! judging only that function's part, so a defect is reported by the trials
//! of the function that has it:
//! - a read (`get`, `exists`, `list-keys`, `usage`, `list-components`, …) is
//!   compared with the state the suite itself created, never with another
//!   function's answer;
//! - a write is judged through the reads that observe it;
//! - calls to other functions only set the scene. The functions a check
//!   needs for that are its [`ClauseCheck::uses`]; if one of them failed its
//!   name or signature trial, the trial is ignored with that reason.

mod messaging;
mod security;
mod services;
mod storage;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use airssys_probe_protocol::{self as probe, Call, Received, Reply, Returned};
use wasmtime::component::Component;

use crate::contract::HostFunction;
use crate::guests::Guests;
use crate::host::{ComponentRuntime, Grant, Id, LogRecord};

/// What a check needs from the host's adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// Components instantiated by the suite on the host's linker.
    Linker,
    /// A [`ComponentRuntime`] of the host's own.
    Runtime,
    /// A runtime for functions of this interface, the linker otherwise.
    RuntimeFor(&'static str),
}

impl Needs {
    pub fn runtime(self, function: &HostFunction) -> bool {
        match self {
            Needs::Linker => false,
            Needs::Runtime => true,
            Needs::RuntimeFor(interface) => function.interface == interface,
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) struct ClauseCheck {
    pub clause: &'static str,
    pub needs: Needs,
    /// The functions (`interface::name`) the check calls besides the one it
    /// judges.
    pub uses: &'static [&'static str],
    /// Checks the clause for the function named by the second argument.
    pub run: fn(&mut Session, &HostFunction),
}

/// Every clause the suite can check.
pub(crate) fn checks() -> Vec<ClauseCheck> {
    [
        storage::CHECKS,
        messaging::CHECKS,
        services::CHECKS,
        security::CHECKS,
    ]
    .concat()
}

/// The probes that exist.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Probe {
    Storage,
    Messaging,
    Services,
}

pub(crate) const SETTLE: Duration = Duration::from_secs(10);

/// A runtime with probes loaded into it, and helpers to ask them for calls.
pub(crate) struct Session {
    runtime: Box<dyn ComponentRuntime>,
    guests: Guests,
    /// The namespace of every id this session makes, its own, so sessions
    /// on a host that shares state between them (storage, the registry)
    /// cannot see each other's components.
    namespace: String,
}

/// A call as failure messages show it: its `Debug` text, cut short.
pub(crate) fn brief(call: &Call) -> String {
    const LONGEST: usize = 200;
    let text = format!("{call:?}");
    match text.char_indices().nth(LONGEST) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

pub(crate) fn show(id: &Id) -> String {
    format!("{}/{}/{}", id.namespace, id.name, id.instance)
}

impl Session {
    pub fn new(runtime: Box<dyn ComponentRuntime>, guests: Guests) -> Self {
        static SESSIONS: AtomicU64 = AtomicU64::new(0);
        let n = SESSIONS.fetch_add(1, Ordering::Relaxed);
        Self {
            runtime,
            guests,
            namespace: format!("conformance-{n}"),
        }
    }

    /// The id `name/instance` in this session's namespace.
    pub fn id(&self, path: &str) -> Id {
        let (name, instance) = path.split_once('/').expect("name/instance");
        Id {
            namespace: self.namespace.clone(),
            name: name.into(),
            instance: instance.into(),
        }
    }

    fn component(&self, probe: Probe) -> &Component {
        match probe {
            Probe::Storage => &self.guests.storage,
            Probe::Messaging => &self.guests.messaging,
            Probe::Services => &self.guests.services,
        }
    }

    /// Loads `probe` as `path` (`name/instance`) with every capability.
    pub fn load(&mut self, probe: Probe, path: &str) -> Id {
        self.load_with(probe, path, Grant::Everything)
    }

    pub fn load_with(&mut self, probe: Probe, path: &str, grant: Grant) -> Id {
        let id = self.id(path);
        let component = self.component(probe).clone();
        if let Err(error) = self.runtime.load(&id, &component, grant) {
            panic!("the host could not load a {probe:?} probe as {path}: {error}");
        }
        id
    }

    /// Asks the probe `id` to make `call`; the raw outcome, traps included.
    pub fn invoke(&mut self, id: &Id, call: &Call) -> Result<Reply, String> {
        let payload = probe::encode_call(call);
        match self
            .runtime
            .invoke(id, &payload, probe::CALL_CONTENT_TYPE)?
        {
            Some(reply) => probe::decode_reply(&reply),
            None => Err("the probe returned no reply".into()),
        }
    }

    pub fn call(&mut self, id: &Id, call: Call) -> Reply {
        let shown = brief(&call);
        self.invoke(id, &call)
            .unwrap_or_else(|e| panic!("{shown} by {}: the call failed: {e}", show(id)))
    }

    /// `call`, which must return `ok`.
    pub fn ok(&mut self, id: &Id, call: Call) -> Returned {
        let shown = brief(&call);
        self.call(id, call)
            .unwrap_or_else(|e| panic!("{shown} by {}: expected ok, got err({e:?})", show(id)))
    }

    /// `call`, which must fail with `case`; its detail.
    pub fn err(&mut self, id: &Id, call: Call, case: &str) -> Option<String> {
        let shown = brief(&call);
        match self.call(id, call) {
            Err(error) if error.case == case => error.detail,
            other => panic!(
                "{shown} by {}: expected err({case}), got {other:?}",
                show(id)
            ),
        }
    }

    pub fn inbox(&mut self, id: &Id) -> Vec<Received> {
        match self.ok(id, Call::Inbox) {
            Returned::Inbox(received) => received,
            other => panic!("the inbox of {} came back as {other:?}", show(id)),
        }
    }

    pub fn settle(&mut self) {
        if let Err(unsupported) = self.runtime.settle(SETTLE) {
            panic!("{}", unsupported.0);
        }
    }

    pub fn logs(&self) -> Vec<LogRecord> {
        self.runtime
            .log_records()
            .unwrap_or_else(|unsupported| panic!("{}", unsupported.0))
    }

    pub fn restart(&mut self) {
        if let Err(unsupported) = self.runtime.restart() {
            panic!("{}", unsupported.0);
        }
    }
}
