//! The in-memory host's state: one per test thread, so parallel tests never
//! share storage, messages or clocks.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, SystemTime};

use crate::ComponentId;
use crate::bindings::airssys::core::host_services::ComponentInfo;
use crate::logging::Level;

use super::grants::Grants;

/// The reference host's defaults (docs/spec.md STO-7.1, STO-8, MSG-5, MSG-9).
pub(crate) use airssys_contract::limits::{
    KEY_BYTES as KEY_LIMIT_BYTES, KEYS, MESSAGE_BYTES as MESSAGE_LIMIT_BYTES, PENDING_REQUESTS,
    QUEUE_DEPTH, QUEUED_BYTES, REQUEST_TIMEOUT_MS, STORAGE_QUOTA_BYTES as DEFAULT_QUOTA_BYTES,
};

/// Refusals kept, newest last, as the reference host's audit log keeps them
/// (SEC-1.3, `HostConfig::audit_log_capacity`).
pub(crate) const DENIALS_KEPT: usize = 4096;

/// One record the component logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The severity the component logged at.
    pub level: Level,
    /// The text, cut as the reference host cuts it (SVC-1.1).
    pub message: String,
    /// The key/value pairs in the order given, bounded as the reference host
    /// bounds them (SVC-1.1); empty when none.
    pub context: Vec<(String, String)>,
}

/// One message the component sent: a `send`, one target of a `broadcast`,
/// or a `request` (with its correlation id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The component it was sent to.
    pub target: ComponentId,
    /// The bytes sent.
    pub payload: Vec<u8>,
    /// The id `request` returned, for a request; `None` for `send` and `broadcast`.
    pub correlation_id: Option<String>,
}

pub(crate) type Responder = Box<dyn FnMut(&[u8]) -> Option<Vec<u8>>>;

pub(crate) struct Pending {
    pub correlation_id: String,
    pub target: ComponentId,
    pub deadline: SystemTime,
    pub reply: Option<Vec<u8>>,
}

/// How a request that is no longer pending ended, besides timing out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    Answered,
    Cancelled,
}

pub(crate) struct State {
    pub self_id: ComponentId,
    /// Loaded components, this one first, in load order.
    pub components: Vec<ComponentInfo>,
    pub storage: BTreeMap<String, Vec<u8>>,
    pub quota_bytes: u64,
    pub now: SystemTime,
    pub sent: Vec<Sent>,
    pub logs: Vec<LogRecord>,
    pub responders: HashMap<ComponentId, Responder>,
    pub pending: Vec<Pending>,
    pub timed_out: HashSet<String>,
    /// Requests answered or cancelled, for `cancel-request`'s reason (MSG-7).
    pub settled: HashMap<String, Settled>,
    pub grants: Grants,
    /// Reasons of refused calls, at most [`DENIALS_KEPT`].
    pub denials: Vec<String>,
    /// When the call into the component that is running now began, on the
    /// test clock: its execution budget counts from there (SVC-4.1).
    pub call_started: Option<SystemTime>,
    correlation_ids_issued: u64,
}

impl State {
    pub fn new(self_id: ComponentId) -> Self {
        State {
            components: vec![info(&self_id)],
            self_id,
            storage: BTreeMap::new(),
            quota_bytes: DEFAULT_QUOTA_BYTES,
            now: SystemTime::now(),
            sent: Vec::new(),
            logs: Vec::new(),
            responders: HashMap::new(),
            pending: Vec::new(),
            timed_out: HashSet::new(),
            settled: HashMap::new(),
            grants: Grants::everything(),
            denials: Vec::new(),
            call_started: None,
            correlation_ids_issued: 0,
        }
    }

    pub fn is_loaded(&self, id: &ComponentId) -> bool {
        self.components.iter().any(|info| &info.id == id)
    }

    pub fn load(&mut self, id: ComponentId) {
        if !self.is_loaded(&id) {
            self.components.push(info(&id));
        }
    }

    pub fn used_bytes(&self) -> u64 {
        self.storage
            .iter()
            .map(|(key, value)| (key.len() + value.len()) as u64)
            .sum()
    }

    /// The grant check (SEC-1): a refusal is recorded, and its reason returned.
    pub fn authorize(
        &mut self,
        capability: airssys_contract::capability::Capability,
        target: Option<&ComponentId>,
    ) -> Result<(), String> {
        self.grants.check(capability, target).inspect_err(|reason| {
            if self.denials.len() == DENIALS_KEPT {
                self.denials.remove(0);
            }
            self.denials.push(reason.clone());
        })
    }

    /// What is undelivered for `target` (MSG-9): the messages sent to it
    /// and not yet taken by `TestHost::take_sent`, and their bytes. A
    /// request a script answered was delivered.
    pub fn queued(&self, target: &ComponentId) -> (usize, usize) {
        let scripted = self.responders.contains_key(target);
        self.sent
            .iter()
            .filter(|s| &s.target == target && !(scripted && s.correlation_id.is_some()))
            .fold((0, 0), |(count, bytes), s| {
                (count + 1, bytes + s.payload.len())
            })
    }

    /// A correlation id no other request of this host has, outgoing or incoming.
    pub fn next_correlation_id(&mut self) -> String {
        self.correlation_ids_issued += 1;
        format!("test-{}", self.correlation_ids_issued)
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }
}

fn info(id: &ComponentId) -> ComponentInfo {
    ComponentInfo {
        id: id.clone(),
        name: id.name.clone(),
        version: "0.0.0".into(),
        health: "healthy".into(),
    }
}

pub(crate) fn default_self_id() -> ComponentId {
    ComponentId::new("test", "component", "0")
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::new(default_self_id()));
}

/// Runs `f` on this thread's state. `f` must not call back into the SDK.
pub(crate) fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with_borrow_mut(f)
}
