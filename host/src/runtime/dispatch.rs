//! Delivery: queued messages, requests and callbacks are handed to their
//! targets after the sending call has returned (MSG-2), oldest first.

use std::time::{Duration, Instant};

use super::Runtime;
use super::instance::CallError;
use super::wit_words::wasm_error;
use crate::bindings::airssys::core::types::{ComponentId, ComponentMessage};
use crate::bounded::cut;
use crate::component_id::SharedId;
use crate::messaging::router::{Delivery, DeliveryKind};

/// What a round of delivery did.
#[derive(Debug, Default, Clone)]
#[non_exhaustive]
pub struct DispatchReport {
    /// Deliveries whose export ran and returned `ok`.
    pub delivered: usize,
    /// Requests that timed out, each answered with a timeout callback (MSG-6).
    pub timeouts: usize,
    /// Deliveries that did not reach `ok`: target gone, `err` returned, or a
    /// trap. At most [`MAX_PROBLEMS`](Self::MAX_PROBLEMS), each cut to
    /// [`PROBLEM_BYTES`](Self::PROBLEM_BYTES): guests choose the error text.
    pub problems: Vec<DeliveryProblem>,
    /// Problems past `MAX_PROBLEMS`, counted only.
    pub problems_dropped: usize,
}

/// A delivery that did not reach `ok`, as a [`DispatchReport`] keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryProblem {
    /// The component it was for.
    pub target: ComponentId,
    /// What was to be called: a message, a request or a callback.
    pub kind: DeliveryKind,
    /// What went wrong (target not loaded, `err` returned, a trap), cut to
    /// [`DispatchReport::PROBLEM_BYTES`].
    pub problem: String,
}

impl DispatchReport {
    /// Problems one report keeps; later ones are only counted (HOST-5).
    pub const MAX_PROBLEMS: usize = 256;
    /// The longest problem text kept, in bytes; longer ones are cut (HOST-5).
    pub const PROBLEM_BYTES: usize = 512;

    fn record(&mut self, problem: DeliveryProblem) {
        if self.problems.len() < Self::MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.problems_dropped += 1;
        }
    }

    fn absorb(&mut self, other: DispatchReport) {
        self.delivered += other.delivered;
        self.timeouts += other.timeouts;
        self.problems_dropped += other.problems_dropped;
        for problem in other.problems {
            self.record(problem);
        }
    }
}

/// One delivery as it happened, for an embedder that shows them
/// ([`Runtime::run_until_idle_observed`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Delivered<'a> {
    /// The component it was for.
    pub target: &'a ComponentId,
    /// What was called: a message, a request or a callback.
    pub kind: DeliveryKind,
    /// The message it was called with.
    pub message: &'a ComponentMessage,
    /// `Err` is the problem the report records for it.
    pub outcome: Result<(), &'a str>,
}

type Observer<'a> = &'a mut dyn FnMut(Delivered<'_>);

impl Runtime {
    /// Delivers everything queued, including what those deliveries queue in
    /// turn, and fires due timeouts; stops early at `deadline`.
    fn dispatch_until(&self, deadline: Instant, observer: Observer<'_>) -> DispatchReport {
        let _one_dispatcher = self.dispatching.lock().unwrap_or_else(|p| p.into_inner());
        let router = &self.host.router;
        let mut report = DispatchReport::default();
        loop {
            report.timeouts += router.expire(Instant::now());
            if Instant::now() >= deadline {
                break;
            }
            let Some(delivery) = router.next_delivery() else {
                break;
            };
            self.deliver(delivery, &mut report, observer);
        }
        report
    }

    /// Delivers what is queued now and what that queues, for at most `limit`.
    pub fn dispatch(&self, limit: Duration) -> DispatchReport {
        self.dispatch_until(deadline_after(limit), &mut |_| {})
    }

    /// Delivers until nothing is queued and no request is pending (waiting
    /// for timeouts as needed), or until `limit` has passed.
    pub fn run_until_idle(&self, limit: Duration) -> DispatchReport {
        self.run_until_idle_observed(limit, &mut |_| {})
    }

    /// [`run_until_idle`](Self::run_until_idle), showing `observer` each
    /// delivery once it is done. It runs on the dispatching thread, between
    /// calls into components: no component is running, and it must not
    /// dispatch.
    pub fn run_until_idle_observed(
        &self,
        limit: Duration,
        observer: &mut dyn FnMut(Delivered<'_>),
    ) -> DispatchReport {
        let end = deadline_after(limit);
        let mut report = self.dispatch_until(end, observer);
        while let Some(next) = self.host.router.next_deadline() {
            let now = Instant::now();
            if now >= end {
                break;
            }
            if self.host.router.queued() == 0 {
                std::thread::sleep(next.min(end).saturating_duration_since(now));
            }
            report.absorb(self.dispatch_until(end, observer));
        }
        report
    }

    fn deliver(&self, delivery: Delivery, report: &mut DispatchReport, observer: Observer<'_>) {
        let Delivery {
            target,
            kind,
            message,
        } = delivery;
        let outcome: Result<Result<(), String>, CallError> = match self.component(&target) {
            None => Err(CallError::NotLoaded(ComponentId::clone(&target))),
            Some(component) => match kind {
                DeliveryKind::Message => component
                    .call("handle-message", |store, guest| {
                        guest.call_handle_message(store, &message)
                    })
                    .map(|r| r.map(drop).map_err(|e| wasm_error(&e))),
                DeliveryKind::Request => component
                    .call("handle-message", |store, guest| {
                        guest.call_handle_message(store, &message)
                    })
                    .map(|r| match r {
                        Ok(reply) => self.answer(&message, &target, reply),
                        Err(e) => Err(wasm_error(&e)),
                    }),
                DeliveryKind::Callback => component
                    .call("handle-callback", |store, guest| {
                        guest.call_handle_callback(store, &message)
                    })
                    .map(|r| r.map_err(|e| wasm_error(&e))),
            },
        };
        let problem = match outcome {
            Ok(Ok(())) => {
                report.delivered += 1;
                observer(Delivered {
                    target: &target,
                    kind,
                    message: &message,
                    outcome: Ok(()),
                });
                return;
            }
            Ok(Err(returned)) => format!("the export returned err({returned})"),
            Err(call) => call.to_string(),
        };
        let problem = cut(&problem, DispatchReport::PROBLEM_BYTES);
        observer(Delivered {
            target: &target,
            kind,
            message: &message,
            outcome: Err(&problem),
        });
        tracing::warn!(target = ?target.to_string(), ?kind, "delivery problem: {problem:?}");
        report.record(DeliveryProblem {
            target: ComponentId::clone(&target),
            kind,
            problem,
        });
    }

    /// MSG-5: `ok(some(reply))` answers the request, unless the reply is over
    /// the message limit (MSG-9.2): then it is dropped and the request times out.
    fn answer(
        &self,
        request: &ComponentMessage,
        replier: &SharedId,
        reply: Option<Vec<u8>>,
    ) -> Result<(), String> {
        let (Some(id), Some(reply)) = (request.metadata.correlation_id.as_deref(), reply) else {
            return Ok(());
        };
        let limit = self.host.config.max_message_bytes;
        if reply.len() > limit {
            return Err(format!(
                "the reply of {} bytes is over the message limit of {limit} bytes; \
                 it was dropped, and request `{id}` will time out",
                reply.len()
            ));
        }
        self.host.router.answer(id, replier, reply)
    }
}

/// `limit` from now, at most a century: an embedder's `Duration::MAX` means
/// no limit, and an `Instant` cannot hold it.
fn deadline_after(limit: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    let now = Instant::now();
    now.checked_add(limit.min(CENTURY)).unwrap_or(now)
}
