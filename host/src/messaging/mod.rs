//! What `airssys:core/host-messaging` keeps for a host: the [`router`] that
//! queues messages, requests and broadcasts between loaded components
//! (MSG-1..9) until the runtime delivers them. A component's calls are
//! answered above the context, in `host_functions/messaging.rs`.

pub mod router;

#[cfg(test)]
mod model;

use crate::bindings::airssys::core::types::{ComponentId, ComponentMessage, MessageMetadata};

impl ComponentMessage {
    /// A plain message from `sender`, stamped now: no correlation, no reply-to,
    /// no content type. Embedders use it with [`Runtime::invoke`](crate::Runtime::invoke).
    pub fn new(sender: ComponentId, payload: Vec<u8>) -> Self {
        Self {
            sender,
            payload,
            metadata: MessageMetadata {
                correlation_id: None,
                reply_to: None,
                timestamp: router::now_timestamp(),
                content_type: None,
            },
        }
    }

    /// The same message with `content-type` set, e.g. to
    /// [`TIMEOUT_CONTENT_TYPE`](router::TIMEOUT_CONTENT_TYPE) for a timeout notice (MSG-6).
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.metadata.content_type = Some(content_type.into());
        self
    }
}
