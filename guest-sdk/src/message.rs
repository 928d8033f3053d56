//! What the host hands to `handle-message` and `handle-callback`.

use std::time::SystemTime;

use crate::bindings::airssys::core::types::ComponentMessage;
use crate::time::system_time;
use crate::{ComponentId, Error};

/// The `content-type` of the callback that says a request timed out (MSG-6).
pub const TIMEOUT_CONTENT_TYPE: &str = "application/vnd.airssys.timeout";

/// An incoming message, request, reply or timeout notice. Made by the host,
/// or by [`Message::new`] in a test; it gains fields as the contract's
/// message metadata does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Message {
    /// The component that sent it; on a callback, the request's target.
    pub sender: ComponentId,
    /// The bytes as the sender gave them; the host never looks inside.
    /// Empty on a timeout notice.
    pub payload: Vec<u8>,
    /// `Some` on requests and on their callbacks (MSG-5, MSG-6).
    pub correlation_id: Option<String>,
    /// The requester, on requests only (MSG-5).
    pub reply_to: Option<ComponentId>,
    /// When the host accepted the message (MSG-2).
    pub timestamp: SystemTime,
    /// The sender's content type, if it gave one; [`TIMEOUT_CONTENT_TYPE`]
    /// on a timeout notice (MSG-6).
    pub content_type: Option<String>,
}

impl Message {
    /// A plain message from `sender`, stamped now; for tests and for hosts.
    pub fn new(sender: ComponentId, payload: impl Into<Vec<u8>>) -> Self {
        Message {
            sender,
            payload: payload.into(),
            correlation_id: None,
            reply_to: None,
            timestamp: crate::services::now(),
            content_type: None,
        }
    }

    /// A request expects an answer: `Ok(Some(reply))` from `handle_message`.
    pub fn is_request(&self) -> bool {
        self.correlation_id.is_some() && self.reply_to.is_some()
    }

    /// A callback that says the request got no answer in time.
    pub fn is_timeout(&self) -> bool {
        self.content_type.as_deref() == Some(TIMEOUT_CONTENT_TYPE)
    }

    /// The payload as UTF-8 text.
    pub fn text(&self) -> Result<&str, Error> {
        Ok(std::str::from_utf8(&self.payload)?)
    }

    /// The payload as JSON, decoded as `T`.
    #[cfg(feature = "json")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(serde_json::from_slice(&self.payload)?)
    }
}

impl From<ComponentMessage> for Message {
    fn from(message: ComponentMessage) -> Self {
        let metadata = message.metadata;
        Message {
            sender: message.sender,
            payload: message.payload,
            correlation_id: metadata.correlation_id,
            reply_to: metadata.reply_to,
            timestamp: system_time(metadata.timestamp),
            content_type: metadata.content_type,
        }
    }
}
