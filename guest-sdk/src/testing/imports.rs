//! The contract's 17 imports over the in-memory state, with the generated
//! signatures, following the behaviour clauses of docs/spec.md.

pub(crate) mod storage {
    use airssys_contract::capability::Capability;
    use airssys_contract::reasons;

    use crate::bindings::airssys::core::errors::StorageError;
    use crate::bindings::airssys::core::storage::StorageUsage;
    use crate::testing::state::{KEY_LIMIT_BYTES, State, with};

    /// The grant (SEC-1), then the key (STO-8), with the reference host's reasons.
    fn access(
        state: &mut State,
        capability: Capability,
        key: Option<&str>,
    ) -> Result<(), StorageError> {
        state
            .authorize(capability, None)
            .map_err(StorageError::IoError)?;
        match key.and_then(|key| reasons::invalid_key(key, KEY_LIMIT_BYTES)) {
            Some(reason) => Err(StorageError::InvalidKey(reason)),
            None => Ok(()),
        }
    }

    pub fn get(key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        with(|state| {
            access(state, Capability::StorageRead, Some(key))?;
            Ok(state.caller().storage.get(key).cloned())
        })
    }

    /// STO-9: over the byte quota, or a new key past the key limit
    /// (STO-9.1), is `quota-exceeded`, counted as the reference host counts.
    pub fn set(key: &str, value: &[u8]) -> Result<(), StorageError> {
        with(|state| {
            access(state, Capability::StorageWrite, Some(key))?;
            let (quota_bytes, max_keys) = (state.quota_bytes, state.max_keys);
            let caller = state.caller();
            let old = caller.storage.get(key).map_or(0, |v| key.len() + v.len());
            let used = caller.used_bytes - old as u64 + (key.len() + value.len()) as u64;
            let keys = caller.storage.len() + usize::from(!caller.storage.contains_key(key));
            if used > quota_bytes || keys > max_keys {
                return Err(StorageError::QuotaExceeded);
            }
            caller.storage.insert(key.to_owned(), value.to_vec());
            caller.used_bytes = used;
            Ok(())
        })
    }

    pub fn delete(key: &str) -> Result<(), StorageError> {
        with(|state| {
            access(state, Capability::StorageDelete, Some(key))?;
            let caller = state.caller();
            if let Some(value) = caller.storage.remove(key) {
                caller.used_bytes -= (key.len() + value.len()) as u64;
            }
            Ok(())
        })
    }

    pub fn exists(key: &str) -> Result<bool, StorageError> {
        with(|state| {
            access(state, Capability::StorageRead, Some(key))?;
            Ok(state.caller().storage.contains_key(key))
        })
    }

    pub fn list_keys(prefix: Option<&str>) -> Result<Vec<String>, StorageError> {
        with(|state| {
            access(state, Capability::StorageRead, None)?;
            let prefix = prefix.unwrap_or("");
            Ok(state
                .caller()
                .storage
                .keys()
                .filter(|key| key.starts_with(prefix))
                .cloned()
                .collect())
        })
    }

    pub fn usage() -> Result<StorageUsage, StorageError> {
        with(|state| {
            access(state, Capability::StorageRead, None)?;
            let quota_bytes = state.quota_bytes;
            let caller = state.caller();
            Ok(StorageUsage {
                used_bytes: caller.used_bytes,
                quota_bytes,
                key_count: caller.storage.len() as u64,
            })
        })
    }
}

pub(crate) mod messaging {
    use std::time::Duration;

    use airssys_contract::capability::Capability;
    use airssys_contract::reasons;

    use crate::bindings::airssys::core::errors::MessagingError;
    use crate::testing::state::{
        Delivery, DeliveryKind, MESSAGE_LIMIT_BYTES, PENDING_REQUESTS, Pending, QUEUE_DEPTH,
        QUEUED_BYTES, REQUEST_TIMEOUT_MS, Sent, Settled, State, with,
    };
    use crate::{ComponentId, Message};

    fn authorize(
        state: &mut State,
        capability: Capability,
        target: &ComponentId,
    ) -> Result<(), MessagingError> {
        state
            .authorize(capability, Some(target))
            .map_err(MessagingError::DeliveryFailed)
    }

    /// MSG-9: the payload's size, with the reference host's reason.
    fn check_payload(payload: &[u8]) -> Result<(), MessagingError> {
        if payload.len() > MESSAGE_LIMIT_BYTES {
            return Err(MessagingError::InvalidMessage(reasons::payload_too_large(
                payload.len(),
                MESSAGE_LIMIT_BYTES,
            )));
        }
        Ok(())
    }

    /// MSG-4.1, MSG-9: the target is loaded and its queue has room.
    fn check_target(
        state: &State,
        target: &ComponentId,
        payload: &[u8],
    ) -> Result<(), MessagingError> {
        if !state.is_loaded(target) {
            return Err(MessagingError::TargetNotFound(target.clone()));
        }
        let (count, bytes) = state.queued(target);
        if count >= QUEUE_DEPTH || bytes.saturating_add(payload.len()) > QUEUED_BYTES {
            return Err(MessagingError::QueueFull);
        }
        Ok(())
    }

    /// Records the message and, for a loaded peer or the component under
    /// test, queues its delivery.
    fn post(state: &mut State, message: Message, target: &ComponentId, kind: DeliveryKind) {
        state.record_sent(Sent {
            sender: message.sender.clone(),
            target: target.clone(),
            payload: message.payload.clone(),
            correlation_id: message.correlation_id.clone(),
        });
        if state.is_delivered_to(target) {
            state.deliveries.push_back(Delivery {
                target: target.clone(),
                kind,
                message,
            });
        }
    }

    /// What the target's `handle-message` sees (MSG-2, MSG-5).
    fn message(state: &State, payload: &[u8], correlation_id: Option<String>) -> Message {
        let sender = state.current().clone();
        Message {
            reply_to: correlation_id.as_ref().map(|_| sender.clone()),
            sender,
            payload: payload.to_vec(),
            correlation_id,
            timestamp: state.now,
            content_type: None,
        }
    }

    pub fn self_id() -> ComponentId {
        with(|state| state.current().clone())
    }

    pub fn send(target: &ComponentId, payload: &[u8]) -> Result<(), MessagingError> {
        with(|state| {
            authorize(state, Capability::Send, target)?;
            check_payload(payload)?;
            check_target(state, target, payload)?;
            let message = message(state, payload, None);
            post(state, message, target, DeliveryKind::Message);
            Ok(())
        })
    }

    /// MSG-8: every target gets it once, or none does.
    pub fn broadcast(targets: &[ComponentId], payload: &[u8]) -> Result<(), MessagingError> {
        with(|state| {
            for target in targets {
                authorize(state, Capability::Broadcast, target)?;
            }
            check_payload(payload)?;
            let mut distinct: Vec<&ComponentId> = Vec::new();
            for target in targets {
                if !distinct.contains(&target) {
                    distinct.push(target);
                }
            }
            if let Some(absent) = distinct.iter().find(|t| !state.is_loaded(t)) {
                return Err(MessagingError::TargetNotFound((*absent).clone()));
            }
            for target in &distinct {
                check_target(state, target, payload)?;
            }
            for target in distinct {
                let message = message(state, payload, None);
                post(state, message, target, DeliveryKind::Message);
            }
            Ok(())
        })
    }

    pub fn request(
        target: &ComponentId,
        payload: &[u8],
        timeout_ms: u64,
    ) -> Result<String, MessagingError> {
        let request = with(|state| {
            authorize(state, Capability::Request, target)?;
            if timeout_ms == 0 {
                return Err(MessagingError::InvalidMessage(reasons::timeout_zero()));
            }
            if timeout_ms > REQUEST_TIMEOUT_MS {
                return Err(MessagingError::InvalidMessage(reasons::timeout_too_long(
                    timeout_ms.into(),
                    REQUEST_TIMEOUT_MS.into(),
                )));
            }
            check_payload(payload)?;
            check_target(state, target, payload)?;
            let requester = state.current().clone();
            if state.waiting(&requester) >= PENDING_REQUESTS {
                // The caller's own queue of requests is full (MSG-5.3).
                return Err(MessagingError::QueueFull);
            }
            let correlation_id = state.next_correlation_id();
            let request = message(state, payload, Some(correlation_id.clone()));
            post(state, request.clone(), target, DeliveryKind::Request);
            state.pending.push(Pending {
                correlation_id,
                requester,
                target: target.clone(),
                deadline: state.now + Duration::from_millis(timeout_ms),
                reply: None,
            });
            Ok(request)
        })?;
        let correlation_id = request.correlation_id.clone().expect("a request has one");
        // The script runs outside the borrow: it may use the SDK itself.
        if let Some(mut responder) = with(|state| state.responders.remove(target)) {
            let reply = responder(&request);
            with(|state| {
                state.responders.insert(target.clone(), responder);
                if let Some(payload) = reply.payload {
                    let arrives = request.timestamp + reply.delay;
                    state.answer(&correlation_id, target, payload, arrives);
                }
            });
        }
        Ok(correlation_id)
    }

    /// MSG-7: pending is cancelled; timed out is `correlation-timeout`;
    /// answered, cancelled and unknown say which, as the reference host
    /// does. Only the caller's own requests are found.
    pub fn cancel_request(request_id: &str) -> Result<(), MessagingError> {
        with(|state| {
            let caller = state.current().clone();
            if let Some(index) = state
                .pending
                .iter()
                .position(|p| p.correlation_id == request_id && p.requester == caller)
            {
                state.pending.remove(index);
                state
                    .settled
                    .settle(request_id, &caller, Settled::Cancelled);
                return Ok(());
            }
            Err(match state.settled.of(request_id, &caller) {
                Some(Settled::TimedOut) => {
                    MessagingError::CorrelationTimeout(request_id.to_owned())
                }
                Some(Settled::Answered) => {
                    MessagingError::InvalidMessage(reasons::already_answered(request_id))
                }
                Some(Settled::Cancelled) => {
                    MessagingError::InvalidMessage(reasons::already_cancelled(request_id))
                }
                None => MessagingError::InvalidMessage(reasons::unknown_request(request_id)),
            })
        })
    }
}

pub(crate) mod services {
    use std::time::{Duration, UNIX_EPOCH};

    use crate::ComponentId;
    use crate::bindings::airssys::core::errors::ComponentError;
    use crate::bindings::airssys::core::host_services::ComponentInfo;
    use crate::bindings::airssys::core::types::{LogLevel, Timestamp};
    use crate::testing::peers::ask_health;
    use crate::testing::state::{LogRecord, with};
    use airssys_contract::limits::{LOG_CONTEXT_BYTES, LOG_MESSAGE_BYTES};
    use airssys_contract::log::{bound_context, cut_message};

    /// SVC-1.1: cut as the reference host cuts, at its defaults.
    pub fn log(level: LogLevel, message: &str, context: Option<&[(String, String)]>) {
        let context = context.map(<[_]>::to_vec).unwrap_or_default();
        let context = bound_context(context, LOG_CONTEXT_BYTES);
        let message = cut_message(message.to_owned(), LOG_MESSAGE_BYTES);
        with(|state| {
            let component = state.current().clone();
            // Shown by `cargo test` when the test fails, like any test output.
            eprintln!("[{component} {level:?}] {message} {context:?}");
            state.record_log(LogRecord {
                component,
                level,
                message,
                context,
            })
        });
    }

    pub fn current_time() -> Timestamp {
        crate::time::timestamp(with(|state| state.now))
    }

    pub fn current_time_millis() -> u64 {
        let now = with(|state| state.now);
        now.duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    /// The test clock moves instead of the thread sleeping. Inside a call
    /// (`TestHost::deliver…`, a peer's delivery), a sleep past what remains
    /// of the call's budget panics, where a host's call would trap (SVC-4.1).
    pub fn sleep_millis(duration_ms: u64) {
        let asked = Duration::from_millis(duration_ms);
        let over_budget = with(|state| {
            let call = state.calls.last()?;
            let used = state.now.duration_since(call.started).unwrap_or_default();
            let remaining = call.budget.saturating_sub(used);
            (asked > remaining).then(|| (remaining, call.budget, call.component.clone()))
        });
        if let Some((remaining, budget, component)) = over_budget {
            panic!(
                "sleep-millis({duration_ms}) exceeds the remaining execution budget of {} ms \
                 ({} ms for this call into {component}): on a host this call traps (SVC-4.1)",
                remaining.as_millis(),
                budget.as_millis()
            );
        }
        with(|state| state.advance(asked));
    }

    pub fn list_components() -> Vec<ComponentId> {
        with(|state| {
            state
                .components
                .iter()
                .map(|instance| instance.info.id.clone())
                .collect()
        })
    }

    /// SVC-6: a loaded component's `health` is asked now (SVC-6.1, 6.2),
    /// where a host would ask it; otherwise its last answer is reported.
    pub fn get_component_metadata(id: &ComponentId) -> Result<ComponentInfo, ComponentError> {
        if !with(|state| state.is_loaded(id)) {
            return Err(ComponentError::InvalidState(format!(
                "`{id}` is not loaded"
            )));
        }
        ask_health(id);
        with(|state| {
            state
                .instance(id)
                .map(|instance| instance.info.clone())
                .ok_or_else(|| ComponentError::InvalidState(format!("`{id}` is not loaded")))
        })
    }
}

/// The test host has every import of the contract, with the generated
/// signature: a function added to the WIT does not compile here until the
/// test host implements it.
#[cfg(test)]
mod every_import {
    use crate::bindings::airssys::core as generated;
    use crate::testing::imports as test_host;

    mod by_interface {
        pub(crate) use super::test_host::messaging as host_messaging;
        pub(crate) use super::test_host::services as host_services;
        pub(crate) use super::test_host::storage;
    }

    #[test]
    fn has_the_generated_signature() {
        macro_rules! same_signature {
            ($variant:ident, $interface:ident, $name:ident) => {
                // Two function items share a type only as the same fn pointer.
                let _ = [
                    generated::$interface::$name,
                    by_interface::$interface::$name,
                ];
            };
        }
        airssys_contract::foreach_host_fn!(same_signature);
    }
}
