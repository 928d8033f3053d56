//! The message router: one FIFO queue for all deliveries (so messages from one
//! sender to one target keep their order, MSG-3), per-target depth accounting
//! (MSG-9), and the book of pending and settled requests (MSG-5..7).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use airssys_contract::reasons;

use crate::bindings::airssys::core::errors::MessagingError;
use crate::bindings::airssys::core::types::{
    ComponentId, ComponentMessage, CorrelationId, Timestamp,
};
use crate::config::HostConfig;
use crate::registry::Registry;

/// `content-type` of the callback that reports a request's timeout (MSG-6).
pub const TIMEOUT_CONTENT_TYPE: &str = "application/vnd.airssys.timeout";

/// How many settled requests are remembered per caller, so that
/// `cancel-request` can still tell "timed out" from "unknown" (MSG-7.1)
/// without growing forever, and no caller can push out another's.
pub(crate) const SETTLED_MEMORY: usize = 4096;

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

/// One queued delivery: which component to call, how, and with what.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The component to call.
    pub target: ComponentId,
    /// Which export to call, and what becomes of its answer.
    pub kind: DeliveryKind,
    /// What it is called with; a request or callback carries its correlation id.
    pub message: ComponentMessage,
}

struct Pending {
    caller: ComponentId,
    target: ComponentId,
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
    queue: VecDeque<Delivery>,
    queued: HashMap<ComponentId, Queued>,
    pending: HashMap<CorrelationId, Pending>,
    /// Each caller's count of `pending`, so a request checks MSG-5.2's
    /// bound without walking every pending request.
    waiting: HashMap<ComponentId, usize>,
    settled: HashMap<CorrelationId, (ComponentId, Settlement)>,
    /// Each caller's settled requests, oldest first.
    settled_order: HashMap<ComponentId, VecDeque<CorrelationId>>,
    issued: u64,
}

/// The messaging state one host shares among its components: the queue of
/// undelivered messages and callbacks, each target's undelivered count and
/// bytes (MSG-9), and the pending and settled requests (MSG-5..7).
pub struct Router {
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

fn message(
    sender: &ComponentId,
    payload: Vec<u8>,
    correlation_id: Option<CorrelationId>,
    reply_to: Option<ComponentId>,
    content_type: Option<String>,
) -> ComponentMessage {
    let mut message = ComponentMessage::new(sender.clone(), payload);
    message.metadata.correlation_id = correlation_id;
    message.metadata.reply_to = reply_to;
    message.metadata.content_type = content_type;
    message
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

    fn push(&mut self, delivery: Delivery) {
        // Cloning the id (three strings) only for a target's first delivery.
        let queued = match self.queued.get_mut(&delivery.target) {
            Some(queued) => queued,
            None => self.queued.entry(delivery.target.clone()).or_default(),
        };
        queued.deliveries += 1;
        queued.bytes += delivery.message.payload.len();
        self.queue.push_back(delivery);
    }

    fn add_pending(&mut self, id: CorrelationId, pending: Pending) {
        // The id is cloned (three strings) only for a caller's first request.
        match self.waiting.get_mut(&pending.caller) {
            Some(count) => *count += 1,
            None => {
                self.waiting.insert(pending.caller.clone(), 1);
            }
        }
        self.pending.insert(id, pending);
    }

    fn take_pending(&mut self, id: &str) -> Option<Pending> {
        let pending = self.pending.remove(id)?;
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

    fn settle(&mut self, id: CorrelationId, caller: ComponentId, how: Settlement) {
        let order = match self.settled_order.get_mut(&caller) {
            Some(order) => order,
            None => self.settled_order.entry(caller.clone()).or_default(),
        };
        if order.len() == SETTLED_MEMORY
            && let Some(oldest) = order.pop_front()
        {
            self.settled.remove(&oldest);
        }
        order.push_back(id.clone());
        self.settled.insert(id, (caller, how));
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
    ) -> Result<(), MessagingError> {
        if !registry.contains(target) {
            return Err(MessagingError::TargetNotFound(target.clone()));
        }
        let queued = state.queued(target);
        if queued.deliveries >= self.queue_depth || !self.bytes_fit(queued, payload_len) {
            return Err(MessagingError::QueueFull);
        }
        Ok(())
    }

    /// MSG-9.3: what is undelivered for one target stays within `max_queued_bytes`.
    fn bytes_fit(&self, queued: Queued, more: usize) -> bool {
        queued.bytes.saturating_add(more) <= self.max_queued_bytes
    }

    /// MSG-2, MSG-4, MSG-9.
    pub fn send(
        &self,
        registry: &Registry,
        sender: &ComponentId,
        target: ComponentId,
        payload: Vec<u8>,
    ) -> Result<(), MessagingError> {
        self.check_payload(&payload)?;
        let mut state = self.lock();
        self.check_target(&state, registry, &target, payload.len())?;
        state.push(Delivery {
            kind: DeliveryKind::Message,
            message: message(sender, payload, None, None, None),
            target,
        });
        Ok(())
    }

    /// MSG-4, MSG-5, MSG-6, MSG-9.
    pub fn request(
        &self,
        registry: &Registry,
        sender: &ComponentId,
        target: ComponentId,
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
        self.check_target(&state, registry, &target, payload.len())?;
        if state.waiting(sender) >= self.max_pending {
            // The caller's own queue of requests is full (MSG-5.2).
            return Err(MessagingError::QueueFull);
        }
        state.issued += 1;
        let id = format!("{}-{}", self.run_tag, state.issued);
        state.add_pending(
            id.clone(),
            Pending {
                caller: sender.clone(),
                target: target.clone(),
                deadline: Instant::now() + timeout,
            },
        );
        state.push(Delivery {
            kind: DeliveryKind::Request,
            message: message(
                sender,
                payload,
                Some(id.clone()),
                Some(sender.clone()),
                None,
            ),
            target,
        });
        Ok(id)
    }

    /// MSG-7.
    pub fn cancel(&self, caller: &ComponentId, id: &str) -> Result<(), MessagingError> {
        let mut state = self.lock();
        if let Some(pending) = state.pending.get(id) {
            if &pending.caller != caller {
                return Err(unknown_request(id));
            }
            state.take_pending(id);
            state.settle(id.to_owned(), caller.clone(), Settlement::Cancelled);
            return Ok(());
        }
        match state.settled.get(id) {
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
        sender: &ComponentId,
        targets: Vec<ComponentId>,
        payload: Vec<u8>,
    ) -> Result<(), MessagingError> {
        self.check_payload(&payload)?;
        let mut seen = HashSet::new();
        let targets: Vec<ComponentId> = targets
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect();
        let mut state = self.lock();
        // MSG-4.1 across targets: every target loaded, then every queue's room.
        if let Some(absent) = targets.iter().find(|t| !registry.contains(t)) {
            return Err(MessagingError::TargetNotFound(absent.clone()));
        }
        for target in &targets {
            self.check_target(&state, registry, target, payload.len())?;
        }
        for target in targets {
            state.push(Delivery {
                kind: DeliveryKind::Message,
                message: message(sender, payload.clone(), None, None, None),
                target,
            });
        }
        Ok(())
    }

    /// MSG-4.2: drops what is queued for `id`, the requests it is still
    /// waiting on and its settled ones, so that a component loaded again
    /// under the same id starts with nothing of its predecessor's. Requests
    /// *to* `id` time out (MSG-6).
    pub fn forget(&self, id: &ComponentId) {
        let mut state = self.lock();
        state.queue.retain(|delivery| &delivery.target != id);
        state.queued.remove(id);
        state.pending.retain(|_, pending| &pending.caller != id);
        state.waiting.remove(id);
        if let Some(settled) = state.settled_order.remove(id) {
            for correlation in settled {
                state.settled.remove(&correlation);
            }
        }
    }

    /// The next delivery, oldest first.
    pub fn next_delivery(&self) -> Option<Delivery> {
        let mut state = self.lock();
        let delivery = state.queue.pop_front()?;
        if let Some(queued) = state.queued.get_mut(&delivery.target) {
            queued.deliveries -= 1;
            queued.bytes -= delivery.message.payload.len();
            if queued.deliveries == 0 {
                state.queued.remove(&delivery.target);
            }
        }
        Some(delivery)
    }

    /// Records `replier`'s answer to request `id`; queues the caller's callback
    /// unless the request was cancelled or timed out meanwhile (then the reply
    /// is dropped). `Err` when the caller's queue has no room for the reply's
    /// bytes (MSG-9.3): the reply is dropped and the request stays pending,
    /// to time out.
    pub fn answer(&self, id: &str, replier: &ComponentId, reply: Vec<u8>) -> Result<(), String> {
        let mut state = self.lock();
        let Some(caller) = state.pending.get(id).map(|p| p.caller.clone()) else {
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
        let pending = state.take_pending(id).expect("looked up above");
        state.settle(id.to_owned(), pending.caller.clone(), Settlement::Answered);
        // Callbacks bypass the depth limit: the caller asked for this one.
        state.push(Delivery {
            kind: DeliveryKind::Callback,
            message: message(replier, reply, Some(id.to_owned()), None, None),
            target: pending.caller,
        });
        Ok(())
    }

    /// Times out every pending request whose deadline is at or before `now`,
    /// queueing a timeout callback for each, earliest deadline first. Returns how many.
    pub fn expire(&self, now: Instant) -> usize {
        let mut state = self.lock();
        let mut expired: Vec<(CorrelationId, Instant)> = state
            .pending
            .iter()
            .filter(|(_, p)| p.deadline <= now)
            .map(|(id, p)| (id.clone(), p.deadline))
            .collect();
        expired.sort_by_key(|(_, deadline)| *deadline);
        for (id, _) in &expired {
            let pending = state.take_pending(id).expect("listed above");
            state.settle(id.clone(), pending.caller.clone(), Settlement::TimedOut);
            // Sent in the name of the target that did not answer.
            state.push(Delivery {
                kind: DeliveryKind::Callback,
                message: message(
                    &pending.target,
                    Vec::new(),
                    Some(id.clone()),
                    None,
                    Some(TIMEOUT_CONTENT_TYPE.into()),
                ),
                target: pending.caller,
            });
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

    /// Requests waiting for a reply or a timeout, of all callers together.
    pub fn pending_requests(&self) -> usize {
        self.lock().pending.len()
    }
}

fn unknown_request(id: &str) -> MessagingError {
    MessagingError::InvalidMessage(reasons::unknown_request(id))
}
