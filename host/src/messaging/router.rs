//! The message router: one FIFO queue for all deliveries (so messages from one
//! sender to one target keep their order, MSG-3), per-target depth accounting
//! (MSG-9), and the book of pending and settled requests (MSG-5..7).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use airssys_contract::reasons;

use crate::bindings::airssys::core::errors::MessagingError;
use crate::bindings::airssys::core::types::{
    ComponentId, ComponentMessage, CorrelationId, MessageMetadata, Timestamp,
};
use crate::component_id::SharedId;
use crate::config::HostConfig;
use crate::registry::Registry;

/// `content-type` of the callback that reports a request's timeout (MSG-6).
pub const TIMEOUT_CONTENT_TYPE: &str = "application/vnd.airssys.timeout";

/// How many settled requests are remembered per caller, so that
/// `cancel-request` can still tell "timed out" from "unknown" (MSG-7.1)
/// without growing forever, and no caller can push out another's.
pub(crate) const SETTLED_MEMORY: usize = 4096;

/// A request's number in its router; its correlation id is the router's run
/// tag and this number. The router's books hold the number, so a request
/// formats its id once, for the caller.
type Ticket = u64;

/// What to call on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryKind {
    /// `handle-message`; any reply is discarded.
    Message,
    /// `handle-message`; `ok(some(reply))` answers the request.
    Request,
    /// `handle-callback`: a reply or a timeout notice.
    Callback,
}

/// One delivery, as the runtime makes it: which component to call, how, and with what.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// The component to call.
    pub target: SharedId,
    /// Which export to call, and what becomes of its answer.
    pub kind: DeliveryKind,
    /// What it is called with; a request or callback carries its correlation id.
    pub message: ComponentMessage,
}

/// A delivery as it waits in the queue: the ids it names are the loaded
/// components' own [`SharedId`]s, and its correlation id a [`Ticket`]. The
/// [`ComponentMessage`] with its owned copies is made when it is delivered.
struct Parcel {
    target: SharedId,
    kind: DeliveryKind,
    sender: SharedId,
    payload: Vec<u8>,
    ticket: Option<Ticket>,
    reply_to: Option<SharedId>,
    timestamp: Timestamp,
    timeout_notice: bool,
}

impl Parcel {
    fn new(kind: DeliveryKind, sender: &SharedId, target: SharedId, payload: Vec<u8>) -> Self {
        Self {
            target,
            kind,
            sender: sender.clone(),
            payload,
            ticket: None,
            reply_to: None,
            timestamp: now_timestamp(),
            timeout_notice: false,
        }
    }
}

struct Pending {
    caller: SharedId,
    target: SharedId,
    deadline: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settlement {
    Answered,
    TimedOut,
    Cancelled,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Parcel>,
    queued: HashMap<SharedId, Queued>,
    pending: HashMap<Ticket, Pending>,
    /// Each caller's count of `pending`, so a request checks MSG-5.2's
    /// bound without walking every pending request.
    waiting: HashMap<SharedId, usize>,
    settled: HashMap<Ticket, (SharedId, Settlement)>,
    /// Each caller's settled requests, oldest first.
    settled_order: HashMap<SharedId, VecDeque<Ticket>>,
    issued: Ticket,
}

/// The messaging state one host shares among its components: the queue of
/// undelivered messages and callbacks, each target's undelivered count and
/// bytes (MSG-9), and the pending and settled requests (MSG-5..7).
/// Crate-private: a component's calls reach it through the host functions'
/// checks (SEC-1, RES-2), and the runtime alone delivers.
pub(crate) struct Router {
    state: Mutex<State>,
    max_message_bytes: usize,
    queue_depth: usize,
    max_timeout: Duration,
    max_pending: usize,
    max_queued_bytes: usize,
    /// Distinguishes correlation ids of different host runs.
    run_tag: String,
}

pub(crate) fn now_timestamp() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp {
        seconds: since_epoch.as_secs(),
        nanoseconds: since_epoch.subsec_nanos(),
    }
}

/// What is undelivered for one target (MSG-9, MSG-9.3).
#[derive(Default, Clone, Copy)]
struct Queued {
    deliveries: usize,
    bytes: usize,
}

impl State {
    fn queued(&self, target: &ComponentId) -> Queued {
        self.queued.get(target).copied().unwrap_or_default()
    }

    fn push(&mut self, parcel: Parcel) {
        let queued = self.queued.entry(parcel.target.clone()).or_default();
        queued.deliveries += 1;
        queued.bytes += parcel.payload.len();
        self.queue.push_back(parcel);
    }

    fn add_pending(&mut self, ticket: Ticket, pending: Pending) {
        *self.waiting.entry(pending.caller.clone()).or_default() += 1;
        self.pending.insert(ticket, pending);
    }

    fn take_pending(&mut self, ticket: Ticket) -> Option<Pending> {
        let pending = self.pending.remove(&ticket)?;
        if let Some(count) = self.waiting.get_mut(&pending.caller) {
            *count -= 1;
            if *count == 0 {
                self.waiting.remove(&pending.caller);
            }
        }
        Some(pending)
    }

    fn waiting(&self, caller: &ComponentId) -> usize {
        self.waiting.get(caller).copied().unwrap_or_default()
    }

    fn settle(&mut self, ticket: Ticket, caller: SharedId, how: Settlement) {
        let order = self.settled_order.entry(caller.clone()).or_default();
        if order.len() == SETTLED_MEMORY
            && let Some(oldest) = order.pop_front()
        {
            self.settled.remove(&oldest);
        }
        order.push_back(ticket);
        self.settled.insert(ticket, (caller, how));
    }
}

impl Router {
    /// An empty router with `config`'s message bounds. Its correlation ids
    /// carry the process id and the time the router was made, so they differ
    /// between host runs.
    pub fn new(config: &HostConfig) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        Self {
            state: Mutex::default(),
            max_message_bytes: config.max_message_bytes,
            queue_depth: config.queue_depth,
            max_timeout: config.max_request_timeout,
            max_pending: config.max_pending_requests,
            max_queued_bytes: config.max_queued_bytes,
            run_tag: format!("{:x}-{:x}", std::process::id(), nanos & 0xffff_ffff),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check_payload(&self, payload: &[u8]) -> Result<(), MessagingError> {
        if payload.len() > self.max_message_bytes {
            return Err(MessagingError::InvalidMessage(reasons::payload_too_large(
                payload.len(),
                self.max_message_bytes,
            )));
        }
        Ok(())
    }

    fn check_target(
        &self,
        state: &State,
        registry: &Registry,
        target: &ComponentId,
        payload_len: usize,
    ) -> Result<SharedId, MessagingError> {
        let Some(loaded) = registry.shared_id(target) else {
            return Err(MessagingError::TargetNotFound(target.clone()));
        };
        let queued = state.queued(target);
        if queued.deliveries >= self.queue_depth || !self.bytes_fit(queued, payload_len) {
            return Err(MessagingError::QueueFull);
        }
        Ok(loaded)
    }

    /// MSG-9.3: what is undelivered for one target stays within `max_queued_bytes`.
    fn bytes_fit(&self, queued: Queued, more: usize) -> bool {
        queued.bytes.saturating_add(more) <= self.max_queued_bytes
    }

    /// The correlation id of request `ticket`, as its caller and target see it.
    fn correlation_id(&self, ticket: Ticket) -> CorrelationId {
        format!("{}-{ticket}", self.run_tag)
    }

    /// The ticket of a correlation id this router issued; `None` for any other text.
    fn ticket(&self, id: &str) -> Option<Ticket> {
        let number = id.strip_prefix(self.run_tag.as_str())?.strip_prefix('-')?;
        // `parse` alone would take `+1` and `01` for `1`.
        if number.starts_with(['+', '0']) {
            return None;
        }
        number.parse().ok()
    }

    /// MSG-2, MSG-4, MSG-9.
    pub fn send(
        &self,
        registry: &Registry,
        sender: &SharedId,
        target: &ComponentId,
        payload: Vec<u8>,
    ) -> Result<(), MessagingError> {
        self.check_payload(&payload)?;
        let mut state = self.lock();
        let target = self.check_target(&state, registry, target, payload.len())?;
        state.push(Parcel::new(DeliveryKind::Message, sender, target, payload));
        Ok(())
    }

    /// MSG-4, MSG-5, MSG-6, MSG-9.
    pub fn request(
        &self,
        registry: &Registry,
        sender: &SharedId,
        target: &ComponentId,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> Result<CorrelationId, MessagingError> {
        if timeout.is_zero() {
            return Err(MessagingError::InvalidMessage(reasons::timeout_zero()));
        }
        if timeout > self.max_timeout {
            return Err(MessagingError::InvalidMessage(reasons::timeout_too_long(
                timeout.as_millis(),
                self.max_timeout.as_millis(),
            )));
        }
        self.check_payload(&payload)?;
        let mut state = self.lock();
        let target = self.check_target(&state, registry, target, payload.len())?;
        if state.waiting(sender) >= self.max_pending {
            // The caller's own queue of requests is full (MSG-5.2).
            return Err(MessagingError::QueueFull);
        }
        state.issued += 1;
        let ticket = state.issued;
        state.add_pending(
            ticket,
            Pending {
                caller: sender.clone(),
                target: target.clone(),
                deadline: Instant::now() + timeout,
            },
        );
        let mut parcel = Parcel::new(DeliveryKind::Request, sender, target, payload);
        parcel.ticket = Some(ticket);
        parcel.reply_to = Some(sender.clone());
        state.push(parcel);
        drop(state);
        Ok(self.correlation_id(ticket))
    }

    /// MSG-7.
    pub fn cancel(&self, caller: &SharedId, id: &str) -> Result<(), MessagingError> {
        let Some(ticket) = self.ticket(id) else {
            return Err(unknown_request(id));
        };
        let mut state = self.lock();
        if let Some(pending) = state.pending.get(&ticket) {
            if &pending.caller != caller {
                return Err(unknown_request(id));
            }
            state.take_pending(ticket);
            state.settle(ticket, caller.clone(), Settlement::Cancelled);
            return Ok(());
        }
        match state.settled.get(&ticket) {
            Some((owner, Settlement::TimedOut)) if owner == caller => {
                Err(MessagingError::CorrelationTimeout(id.to_owned()))
            }
            Some((owner, Settlement::Answered)) if owner == caller => Err(
                MessagingError::InvalidMessage(reasons::already_answered(id)),
            ),
            Some((owner, Settlement::Cancelled)) if owner == caller => Err(
                MessagingError::InvalidMessage(reasons::already_cancelled(id)),
            ),
            _ => Err(unknown_request(id)),
        }
    }

    /// MSG-4, MSG-8, MSG-9: all targets get the message, or none does.
    pub fn broadcast(
        &self,
        registry: &Registry,
        sender: &SharedId,
        targets: &[ComponentId],
        payload: Vec<u8>,
    ) -> Result<(), MessagingError> {
        self.check_payload(&payload)?;
        let mut state = self.lock();
        // MSG-4.1 across targets: every target loaded, then every queue's room.
        let mut seen = HashSet::new();
        let mut loaded = Vec::with_capacity(targets.len());
        for target in targets {
            let Some(id) = registry.shared_id(target) else {
                return Err(MessagingError::TargetNotFound(target.clone()));
            };
            if seen.insert(id.clone()) {
                loaded.push(id);
            }
        }
        for target in &loaded {
            self.check_target(&state, registry, target, payload.len())?;
        }
        for target in loaded {
            let parcel = Parcel::new(DeliveryKind::Message, sender, target, payload.clone());
            state.push(parcel);
        }
        Ok(())
    }

    /// MSG-4.2: drops what is queued for `id`, the requests it is still
    /// waiting on and its settled ones, so that a component loaded again
    /// under the same id starts with nothing of its predecessor's. Requests
    /// *to* `id` time out (MSG-6).
    pub fn forget(&self, id: &ComponentId) {
        let mut state = self.lock();
        state.queue.retain(|parcel| *parcel.target != *id);
        state.queued.remove(id);
        state.pending.retain(|_, pending| *pending.caller != *id);
        state.waiting.remove(id);
        if let Some(settled) = state.settled_order.remove(id) {
            for ticket in settled {
                state.settled.remove(&ticket);
            }
        }
    }

    /// The next delivery, oldest first. Its message's copies of ids are
    /// made here, after the router's lock is released.
    pub fn next_delivery(&self) -> Option<Delivery> {
        let parcel = {
            let mut state = self.lock();
            let parcel = state.queue.pop_front()?;
            if let Some(queued) = state.queued.get_mut(&parcel.target) {
                queued.deliveries -= 1;
                queued.bytes -= parcel.payload.len();
                if queued.deliveries == 0 {
                    state.queued.remove(&parcel.target);
                }
            }
            parcel
        };
        let Parcel {
            target,
            kind,
            sender,
            payload,
            ticket,
            reply_to,
            timestamp,
            timeout_notice,
        } = parcel;
        let message = ComponentMessage {
            sender: ComponentId::clone(&sender),
            payload,
            metadata: MessageMetadata {
                correlation_id: ticket.map(|ticket| self.correlation_id(ticket)),
                reply_to: reply_to.map(|id| ComponentId::clone(&id)),
                timestamp,
                content_type: timeout_notice.then(|| TIMEOUT_CONTENT_TYPE.to_owned()),
            },
        };
        Some(Delivery {
            target,
            kind,
            message,
        })
    }

    /// Records `replier`'s answer to request `id`; queues the caller's callback
    /// unless the request was cancelled or timed out meanwhile (then the reply
    /// is dropped). `Err` when the caller's queue has no room for the reply's
    /// bytes (MSG-9.3): the reply is dropped and the request stays pending,
    /// to time out.
    pub fn answer(&self, id: &str, replier: &SharedId, reply: Vec<u8>) -> Result<(), String> {
        let Some(ticket) = self.ticket(id) else {
            return Ok(());
        };
        let mut state = self.lock();
        let Some(caller) = state.pending.get(&ticket).map(|p| p.caller.clone()) else {
            return Ok(());
        };
        let queued = state.queued(&caller);
        if !self.bytes_fit(queued, reply.len()) {
            return Err(format!(
                "the reply of {} bytes does not fit the {} bytes already queued for \
                 `{caller}` (max_queued_bytes {}); it was dropped, and request `{id}` will time out",
                reply.len(),
                queued.bytes,
                self.max_queued_bytes
            ));
        }
        state.take_pending(ticket);
        state.settle(ticket, caller.clone(), Settlement::Answered);
        // Callbacks bypass the depth limit: the caller asked for this one.
        let mut parcel = Parcel::new(DeliveryKind::Callback, replier, caller, reply);
        parcel.ticket = Some(ticket);
        state.push(parcel);
        Ok(())
    }

    /// Times out every pending request whose deadline is at or before `now`,
    /// queueing a timeout callback for each, earliest deadline first. Returns how many.
    pub fn expire(&self, now: Instant) -> usize {
        let mut state = self.lock();
        let mut expired: Vec<(Ticket, Instant)> = state
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(ticket, p)| (*ticket, p.deadline))
            .collect();
        expired.sort_by_key(|(ticket, deadline)| (*deadline, *ticket));
        for &(ticket, _) in &expired {
            let pending = state.take_pending(ticket).expect("listed above");
            state.settle(ticket, pending.caller.clone(), Settlement::TimedOut);
            // Sent in the name of the target that did not answer.
            let mut parcel = Parcel::new(
                DeliveryKind::Callback,
                &pending.target,
                pending.caller,
                Vec::new(),
            );
            parcel.ticket = Some(ticket);
            parcel.timeout_notice = true;
            state.push(parcel);
        }
        expired.len()
    }

    /// The earliest deadline of a pending request, if any: when [`Router::expire`] next has work.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.lock().pending.values().map(|p| p.deadline).min()
    }

    /// Deliveries waiting in the queue, for all targets together.
    pub fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    /// Requests waiting for a reply or a timeout, of all callers together:
    /// what the model test checks is left once every request settles.
    #[cfg(test)]
    pub fn pending_requests(&self) -> usize {
        self.lock().pending.len()
    }
}

fn unknown_request(id: &str) -> MessagingError {
    MessagingError::InvalidMessage(reasons::unknown_request(id))
}
