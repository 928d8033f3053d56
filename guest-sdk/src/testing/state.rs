//! The in-memory host's state: one per test thread, so parallel tests never
//! share storage, messages or clocks. Within it, what the reference host
//! keeps per component (storage, grants, pending and settled requests) is
//! kept per loaded id, and every import acts for the component whose call
//! is running ([`State::current`]).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, SystemTime};

use crate::bindings::airssys::core::host_services::ComponentInfo;
use crate::logging::Level;
use crate::message::TIMEOUT_CONTENT_TYPE;
use crate::{Component, ComponentId, Error, Health, Message};

use super::answer::Answer;
use super::grants::Grants;

/// The reference host's defaults (docs/spec.md STO-7.1, STO-8, STO-9.1, MSG-5, MSG-9).
pub(crate) use airssys_contract::limits::{
    EXECUTION_TIME_MS, HEALTH_BUDGET_MS, KEY_BYTES as KEY_LIMIT_BYTES, KEYS,
    MESSAGE_BYTES as MESSAGE_LIMIT_BYTES, PENDING_REQUESTS, QUEUE_DEPTH, QUEUED_BYTES,
    REQUEST_TIMEOUT_MS, STORAGE_QUOTA_BYTES as DEFAULT_QUOTA_BYTES,
};

/// Refusals kept, newest last, as the reference host's audit log keeps them
/// (SEC-1.3, `HostConfig::audit_log_capacity`).
pub(crate) const DENIALS_KEPT: usize = 4096;

/// The longest reason a recorded refusal keeps, in bytes (SEC-1.3): a
/// target id in it is the guest's choice and may be a megabyte.
pub(crate) const DENIAL_BYTES: usize = 512;

/// Settled requests remembered per caller, for `cancel-request`'s reason
/// (MSG-7.1): older ids count as unknown, as on the reference host.
pub(crate) const SETTLED_KEPT: usize = 4096;

/// Log records kept, newest last, as the reference host's `LogBuffer` keeps
/// them by default.
pub(crate) const LOGS_KEPT: usize = 1024;

/// Sent messages kept on record beyond what still counts as queued (a
/// delivered message, a request a script answered): components that message
/// each other in a loop cannot make the test host hold more.
pub(crate) const SENT_KEPT: usize = 65_536;

/// Failed deliveries to loaded components kept, newest last, and the bytes
/// of each, as a reference host's dispatch report keeps them (HOST-5): a
/// peer chooses its error text, and may fail every message.
pub(crate) const PROBLEMS_KEPT: usize = 256;
pub(crate) const PROBLEM_BYTES: usize = 512;

/// The longest metadata `name` or `version` a host loads (HOST-2.1).
pub(crate) const METADATA_TEXT_BYTES: usize = 1024;

/// One record a component logged.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogRecord {
    /// The component that logged it: the component under test, or a peer
    /// loaded with [`TestHost::load_component`](super::TestHost::load_component).
    pub component: ComponentId,
    /// The severity the component logged at.
    pub level: Level,
    /// The text, cut as the reference host cuts it (SVC-1.1).
    pub message: String,
    /// The key/value pairs in the order given, bounded as the reference host
    /// bounds them (SVC-1.1); empty when none.
    pub context: Vec<(String, String)>,
}

/// One message a component sent: a `send`, one target of a `broadcast`,
/// or a `request` (with its correlation id).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sent {
    /// The component that sent it.
    pub sender: ComponentId,
    /// The component it was sent to.
    pub target: ComponentId,
    /// The bytes sent.
    pub payload: Vec<u8>,
    /// The id `request` returned, for a request; `None` for `send` and `broadcast`.
    pub correlation_id: Option<String>,
}

/// A script standing in for a component: what it answers each request with.
pub(crate) type Responder = Box<dyn FnMut(&Message) -> Answer>;

/// A component's exports, for a peer loaded with `TestHost::load_component`:
/// plain function pointers, so that calling one needs no borrow of the state.
#[derive(Clone, Copy)]
pub(crate) struct Exports {
    pub handle_message: fn(Message) -> Result<Option<Vec<u8>>, Error>,
    pub handle_callback: fn(Message) -> Result<(), Error>,
    pub health: fn() -> Health,
    pub shutdown: fn() -> Result<(), Error>,
}

impl Exports {
    pub fn of<C: Component>() -> Self {
        Exports {
            handle_message: C::handle_message,
            handle_callback: C::handle_callback,
            health: C::health,
            shutdown: C::shutdown,
        }
    }
}

/// A loaded component: what the host keeps for it alone.
pub(crate) struct Instance {
    /// Its registry entry; `health` is its last answer (SVC-6.1).
    pub info: ComponentInfo,
    /// Its own namespace (STO-10): another id never sees these keys.
    pub storage: BTreeMap<String, Vec<u8>>,
    /// Key bytes plus value bytes of `storage`, kept as it changes (STO-7),
    /// so that a `set` costs the same with 10 keys as with 65,536.
    pub used_bytes: u64,
    pub grants: Grants,
    /// `Some` for a peer loaded with `TestHost::load_component`: messages
    /// to it are delivered to these exports.
    pub exports: Option<Exports>,
    /// It trapped (its `health` ran past the health budget): later calls
    /// into it fail at once, and it reports `unhealthy` (SEC-2.3).
    pub retired: bool,
}

/// A request waiting for its reply or its deadline.
pub(crate) struct Pending {
    pub correlation_id: String,
    pub requester: ComponentId,
    pub target: ComponentId,
    pub deadline: SystemTime,
    /// The answer and when it reaches the host, on the test clock. It
    /// answers the request only if it arrives before the deadline (MSG-6).
    pub reply: Option<(SystemTime, Vec<u8>)>,
}

impl Pending {
    /// When this request settles, and how, if it has by `now`: answered if
    /// its reply arrived before the deadline, else timed out once the
    /// deadline has come; a later reply is dropped (MSG-6).
    pub fn due(&self, now: SystemTime) -> Option<(SystemTime, Settled)> {
        match &self.reply {
            Some((arrives, _)) if *arrives < self.deadline && *arrives <= now => {
                Some((*arrives, Settled::Answered))
            }
            _ if self.deadline <= now => Some((self.deadline, Settled::TimedOut)),
            _ => None,
        }
    }
}

/// How a request that is no longer pending ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settled {
    Answered,
    Cancelled,
    TimedOut,
}

/// Settled requests by id, each caller's newest [`SETTLED_KEPT`] (MSG-7.1).
#[derive(Default)]
pub(crate) struct Settlements {
    by_id: HashMap<String, (ComponentId, Settled)>,
    order: HashMap<ComponentId, VecDeque<String>>,
}

impl Settlements {
    pub fn settle(&mut self, id: &str, caller: &ComponentId, how: Settled) {
        let order = self.order.entry(caller.clone()).or_default();
        if order.len() == SETTLED_KEPT
            && let Some(oldest) = order.pop_front()
        {
            self.by_id.remove(&oldest);
        }
        order.push_back(id.to_owned());
        self.by_id.insert(id.to_owned(), (caller.clone(), how));
    }

    /// Forgets `caller`'s settled requests: it was unloaded (MSG-7.1).
    pub fn forget(&mut self, caller: &ComponentId) {
        for id in self.order.remove(caller).unwrap_or_default() {
            self.by_id.remove(&id);
        }
    }

    /// How `caller`'s request `id` ended; `None` for another caller's.
    pub fn of(&self, id: &str, caller: &ComponentId) -> Option<Settled> {
        self.by_id
            .get(id)
            .filter(|(owner, _)| owner == caller)
            .map(|(_, how)| *how)
    }
}

/// What a queued delivery calls on its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeliveryKind {
    /// `handle-message`; any reply is discarded.
    Message,
    /// `handle-message`; `ok(some(reply))` answers the request.
    Request,
    /// `handle-callback`: a reply or a timeout notice.
    Callback,
}

/// A message waiting for the test host's dispatcher: to a loaded peer, or a
/// callback to the component under test.
pub(crate) struct Delivery {
    pub target: ComponentId,
    pub kind: DeliveryKind,
    pub message: Message,
}

/// One call into a component that is running: whose, and its budget (SVC-4.1, SVC-6.2).
pub(crate) struct Call {
    pub component: ComponentId,
    pub started: SystemTime,
    pub budget: Duration,
}

pub(crate) struct State {
    /// The component under test: the one `TestHost::deliver…` calls.
    pub self_id: ComponentId,
    /// Loaded components, the component under test first, in load order (SVC-5.1).
    pub components: Vec<Instance>,
    pub quota_bytes: u64,
    pub max_keys: usize,
    pub now: SystemTime,
    pub sent: Vec<Sent>,
    pub logs: Vec<LogRecord>,
    pub responders: HashMap<ComponentId, Responder>,
    pub pending: Vec<Pending>,
    pub settled: Settlements,
    pub deliveries: VecDeque<Delivery>,
    /// Reasons of refused calls, at most [`DENIALS_KEPT`].
    pub denials: Vec<String>,
    /// Deliveries to peers that failed (MSG-2.3), at most [`PROBLEMS_KEPT`].
    pub problems: Vec<String>,
    /// The storage of unloaded ids, and its bytes, for when they are loaded
    /// again (STO-10.1).
    pub unloaded_storage: HashMap<ComponentId, (BTreeMap<String, Vec<u8>>, u64)>,
    /// The calls into components that are running now, innermost last.
    pub calls: Vec<Call>,
    /// A `health` runs for another component's question: a question asked
    /// meanwhile gets the last answer without running anything (SVC-6.2).
    pub asking_health: bool,
}

impl State {
    pub fn new(self_id: ComponentId) -> Self {
        State {
            components: vec![instance(&self_id, None)],
            self_id,
            quota_bytes: DEFAULT_QUOTA_BYTES,
            max_keys: KEYS,
            now: SystemTime::now(),
            sent: Vec::new(),
            logs: Vec::new(),
            responders: HashMap::new(),
            pending: Vec::new(),
            settled: Settlements::default(),
            deliveries: VecDeque::new(),
            denials: Vec::new(),
            problems: Vec::new(),
            unloaded_storage: HashMap::new(),
            calls: Vec::new(),
            asking_health: false,
        }
    }

    /// The component whose call is running: the innermost call's, or the
    /// component under test when the test itself calls the SDK.
    pub fn current(&self) -> &ComponentId {
        self.calls
            .last()
            .map_or(&self.self_id, |call| &call.component)
    }

    pub fn instance(&self, id: &ComponentId) -> Option<&Instance> {
        self.components.iter().find(|i| &i.info.id == id)
    }

    pub fn instance_mut(&mut self, id: &ComponentId) -> Option<&mut Instance> {
        self.components.iter_mut().find(|i| &i.info.id == id)
    }

    /// The running component's own state.
    pub fn caller(&mut self) -> &mut Instance {
        let current = self.current().clone();
        self.instance_mut(&current)
            .expect("a component runs only while it is loaded")
    }

    pub fn is_loaded(&self, id: &ComponentId) -> bool {
        self.instance(id).is_some()
    }

    /// Loads `id` if it is not loaded; `exports` makes it a running peer.
    pub fn load(&mut self, id: ComponentId, exports: Option<Exports>) {
        match self.instance_mut(&id) {
            Some(loaded) => loaded.exports = exports.or(loaded.exports),
            None => {
                let mut loaded = instance(&id, exports);
                // Storage belongs to the id, not the instance (STO-10.1).
                if let Some((storage, used_bytes)) = self.unloaded_storage.remove(&id) {
                    (loaded.storage, loaded.used_bytes) = (storage, used_bytes);
                }
                self.components.push(loaded);
            }
        }
    }

    /// Unloads `id` (MSG-4.2): what is queued for it, the requests it waits
    /// on and its settled ones go; requests to it time out; its storage
    /// stays for the next instance under its id (STO-10.1).
    pub fn unload(&mut self, id: &ComponentId) {
        let Some(index) = self.components.iter().position(|i| &i.info.id == id) else {
            return;
        };
        // What still counts as queued for it goes; the record of the rest stays.
        let sent = std::mem::take(&mut self.sent);
        self.sent = sent
            .into_iter()
            .filter(|s| &s.target != id || !self.counts_as_queued(s))
            .collect();
        let unloaded = self.components.remove(index);
        self.unloaded_storage
            .insert(id.clone(), (unloaded.storage, unloaded.used_bytes));
        self.deliveries.retain(|d| &d.target != id);
        self.pending.retain(|p| &p.requester != id);
        self.settled.forget(id);
        self.responders.remove(id);
    }

    pub fn exports_of(&self, id: &ComponentId) -> Option<Exports> {
        self.instance(id).and_then(|i| i.exports)
    }

    /// Whether a call into `id` is running (it is the caller, or it waits
    /// for a call it made): a host reports its last health then (SVC-6.1).
    pub fn is_busy(&self, id: &ComponentId) -> bool {
        self.calls.iter().any(|call| &call.component == id)
    }

    /// The grant check (SEC-1) of the running component: a refusal is
    /// recorded, and its reason returned.
    pub fn authorize(
        &mut self,
        capability: airssys_contract::capability::Capability,
        target: Option<&ComponentId>,
    ) -> Result<(), String> {
        self.caller()
            .grants
            .check(capability, target)
            .inspect_err(|reason| {
                if self.denials.len() == DENIALS_KEPT {
                    self.denials.remove(0);
                }
                self.denials.push(cut(reason, DENIAL_BYTES));
            })
    }

    /// Whether messages to `target` wait in the queue for delivery: to a
    /// peer loaded with exports, or to the component under test. Others
    /// are only recorded.
    pub fn is_delivered_to(&self, target: &ComponentId) -> bool {
        target == &self.self_id || self.exports_of(target).is_some()
    }

    /// What is undelivered for `target` (MSG-9): for a component messages
    /// are delivered to, what waits in the queue (a callback counts for
    /// bytes, not depth: MSG-9.1); otherwise the messages sent to it and not
    /// yet taken by `TestHost::take_sent`, where a request a script answered
    /// was delivered.
    pub fn queued(&self, target: &ComponentId) -> (usize, usize) {
        if self.is_delivered_to(target) {
            return self.deliveries.iter().filter(|d| &d.target == target).fold(
                (0, 0),
                |(count, bytes), d| {
                    let counted = usize::from(d.kind != DeliveryKind::Callback);
                    (count + counted, bytes + d.message.payload.len())
                },
            );
        }
        self.sent
            .iter()
            .filter(|s| &s.target == target && self.counts_as_queued(s))
            .fold((0, 0), |(count, bytes), s| {
                (count + 1, bytes + s.payload.len())
            })
    }

    /// Records a message sent, within [`SENT_KEPT`]: past it, the oldest
    /// record that no longer counts as queued goes.
    pub fn record_sent(&mut self, sent: Sent) {
        if self.sent.len() >= SENT_KEPT
            && let Some(index) = self.sent.iter().position(|s| !self.counts_as_queued(s))
        {
            self.sent.remove(index);
        }
        self.sent.push(sent);
    }

    /// Whether the record `sent` still fills its target's queue: sent to a
    /// component messages are not delivered to, nor a script answering it.
    fn counts_as_queued(&self, sent: &Sent) -> bool {
        let answered_by_script =
            self.responders.contains_key(&sent.target) && sent.correlation_id.is_some();
        !(self.is_delivered_to(&sent.target) || answered_by_script)
    }

    /// Records a log record, within [`LOGS_KEPT`].
    pub fn record_log(&mut self, record: LogRecord) {
        if self.logs.len() == LOGS_KEPT {
            self.logs.remove(0);
        }
        self.logs.push(record);
    }

    /// Requests `requester` waits on (MSG-5.3).
    pub fn waiting(&self, requester: &ComponentId) -> usize {
        self.pending
            .iter()
            .filter(|p| &p.requester == requester)
            .count()
    }

    /// A correlation id no other request of this thread has had, outgoing
    /// or incoming, in this host or an earlier one: a component's statics
    /// outlive a `TestHost` (a test thread may run several tests), and an
    /// id they still hold must not name a new request (MSG-5.1).
    pub fn next_correlation_id(&mut self) -> String {
        let n = CORRELATION_IDS_ISSUED.get() + 1;
        CORRELATION_IDS_ISSUED.set(n);
        format!("test-{n}")
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// `replier`'s answer to request `correlation_id`, reaching the host at
    /// `arrives`. Dropped when the request is no longer pending (cancelled,
    /// timed out) or when it is over the message limit (MSG-9.2: the
    /// request then times out).
    pub fn answer(
        &mut self,
        correlation_id: &str,
        replier: &ComponentId,
        payload: Vec<u8>,
        arrives: SystemTime,
    ) {
        if payload.len() > MESSAGE_LIMIT_BYTES {
            self.problem(format!(
                "{replier} answered request `{correlation_id}` with {} bytes, over the \
                 {MESSAGE_LIMIT_BYTES}-byte message limit: the reply was dropped and the \
                 request will time out (MSG-9.2)",
                payload.len()
            ));
            return;
        }
        if let Some(pending) = self
            .pending
            .iter_mut()
            .find(|p| p.correlation_id == correlation_id)
        {
            pending.reply = Some((arrives, payload));
        }
    }

    /// Settles every request whose reply has arrived or whose deadline has
    /// passed by now, and queues its callback, in the order they settled
    /// (MSG-5, MSG-6): the reply, or the empty timeout notice from the
    /// target that did not answer in time.
    pub fn collect_due(&mut self) {
        let now = self.now;
        let mut due = Vec::new();
        let mut waiting = Vec::new();
        for (order, pending) in std::mem::take(&mut self.pending).into_iter().enumerate() {
            match pending.due(now) {
                Some((when, how)) => due.push((when, order, how, pending)),
                None => waiting.push(pending),
            }
        }
        self.pending = waiting;
        due.sort_by_key(|(when, order, ..)| (*when, *order));
        for (_, _, how, pending) in due {
            self.settled
                .settle(&pending.correlation_id, &pending.requester, how);
            let (payload, content_type) = match (how, pending.reply) {
                (Settled::Answered, Some((_, reply))) => (reply, None),
                _ => (Vec::new(), Some(TIMEOUT_CONTENT_TYPE.to_owned())),
            };
            self.deliveries.push_back(Delivery {
                target: pending.requester,
                kind: DeliveryKind::Callback,
                message: Message {
                    sender: pending.target,
                    payload,
                    correlation_id: Some(pending.correlation_id),
                    reply_to: None,
                    timestamp: now,
                    content_type,
                },
            });
        }
    }

    /// A failed delivery to a peer (MSG-2.3: its sender is not told).
    pub fn problem(&mut self, problem: String) {
        if self.problems.len() == PROBLEMS_KEPT {
            self.problems.remove(0);
        }
        self.problems.push(cut(&problem, PROBLEM_BYTES));
    }
}

/// `text` cut to at most `limit` bytes at a character boundary, the cut
/// marked with `…`, as the reference host's audit log cuts (SEC-1.3).
fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let end = text.floor_char_boundary(limit - '…'.len_utf8());
    format!("{}…", &text[..end])
}

fn instance(id: &ComponentId, exports: Option<Exports>) -> Instance {
    Instance {
        info: ComponentInfo {
            id: id.clone(),
            name: id.name.clone(),
            version: "0.0.0".into(),
            health: "healthy".into(),
        },
        storage: BTreeMap::new(),
        used_bytes: 0,
        grants: Grants::everything(),
        exports,
        retired: false,
    }
}

pub(crate) fn default_self_id() -> ComponentId {
    ComponentId::new("test", "component", "0")
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::new(default_self_id()));
    /// Not reset with the state: see [`State::next_correlation_id`].
    static CORRELATION_IDS_ISSUED: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` on this thread's state. `f` must not call back into the SDK.
pub(crate) fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with_borrow_mut(f)
}

/// Runs `call` as a call into `component` with `budget` (SVC-4.1): the SDK
/// acts for `component` meanwhile. The frame is popped even if the call
/// panics (a sleep past its budget), so the host stays usable.
pub(crate) fn in_call_as<R>(
    component: &ComponentId,
    budget: Duration,
    call: impl FnOnce() -> R,
) -> R {
    struct Frame;
    impl Drop for Frame {
        fn drop(&mut self) {
            with(|state| state.calls.pop());
        }
    }
    with(|state| {
        let started = state.now;
        state.calls.push(Call {
            component: component.clone(),
            started,
            budget,
        })
    });
    let _frame = Frame;
    call()
}

/// The budget of an ordinary call into a component (SVC-4.1).
pub(crate) fn call_budget() -> Duration {
    Duration::from_millis(EXECUTION_TIME_MS)
}

/// The budget of `health` when another component asks (SVC-6.2).
pub(crate) fn health_budget() -> Duration {
    Duration::from_millis(HEALTH_BUDGET_MS)
}
