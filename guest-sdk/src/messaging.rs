//! Messages to other loaded components (`airssys:core/host-messaging`).
//!
//! Every call only queues: the target runs after the current handler returns
//! (MSG-2). The answer to a [`request`] arrives later, at the component's
//! [`handle_callback`](crate::Component::handle_callback), with the same
//! correlation id the returned [`PendingRequest`] holds.

use std::time::Duration;

use crate::imports::messaging as host;
use crate::time::whole_millis;
use crate::{ComponentId, MessagingError};

/// The id the host assigned to this component (MSG-1).
pub fn self_id() -> ComponentId {
    host::self_id()
}

/// Queues `payload` for `target`'s `handle_message` (MSG-2, MSG-4, MSG-9).
pub fn send(target: &ComponentId, payload: impl AsRef<[u8]>) -> Result<(), MessagingError> {
    Ok(host::send(target, payload.as_ref())?)
}

/// Sends `payload` to every target, or to none if any is not loaded (MSG-8).
pub fn broadcast(targets: &[ComponentId], payload: impl AsRef<[u8]>) -> Result<(), MessagingError> {
    Ok(host::broadcast(targets, payload.as_ref())?)
}

/// Sends `payload` as a request; its reply, or a timeout notice after
/// `timeout`, arrives at `handle_callback` (MSG-5, MSG-6). The timeout is
/// rounded up to whole milliseconds; zero is refused by the host.
pub fn request(
    target: &ComponentId,
    payload: impl AsRef<[u8]>,
    timeout: Duration,
) -> Result<PendingRequest, MessagingError> {
    let correlation_id = host::request(target, payload.as_ref(), whole_millis(timeout))?;
    Ok(PendingRequest { correlation_id })
}

/// Withdraws a pending request by its correlation id; no callback follows (MSG-7).
pub fn cancel_request(correlation_id: &str) -> Result<(), MessagingError> {
    Ok(host::cancel_request(correlation_id)?)
}

/// A request the host accepted; its callback carries [`Self::correlation_id`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use = "keep the correlation id to match the callback, or cancel the request"]
pub struct PendingRequest {
    correlation_id: String,
}

impl PendingRequest {
    /// The id the reply or timeout callback will carry.
    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    /// Withdraws the request; no callback follows (MSG-7).
    pub fn cancel(self) -> Result<(), MessagingError> {
        cancel_request(&self.correlation_id)
    }
}

impl From<PendingRequest> for String {
    fn from(request: PendingRequest) -> Self {
        request.correlation_id
    }
}

/// Queues `value` as JSON for `target`.
#[cfg(feature = "json")]
pub fn send_json<T: serde::Serialize + ?Sized>(
    target: &ComponentId,
    value: &T,
) -> Result<(), crate::Error> {
    send(target, serde_json::to_vec(value)?)?;
    Ok(())
}

/// Sends `value` as a JSON request; see [`request`].
#[cfg(feature = "json")]
pub fn request_json<T: serde::Serialize + ?Sized>(
    target: &ComponentId,
    value: &T,
    timeout: Duration,
) -> Result<PendingRequest, crate::Error> {
    Ok(request(target, serde_json::to_vec(value)?, timeout)?)
}

/// `value` as a JSON reply payload: `Ok(Some(reply_json(&answer)?))`.
#[cfg(feature = "json")]
pub fn reply_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, crate::Error> {
    Ok(serde_json::to_vec(value)?)
}
