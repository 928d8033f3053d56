//! Makes the messaging calls a test asks for, records every message and
//! callback it receives, and answers requests with `re:` + payload (MSG-*).

wit_bindgen::generate!({ path: "../../wit", world: "runtime-host" });

use std::cell::RefCell;

use airssys::core::errors::{MessagingError, WasmError};
use airssys::core::host_messaging as messaging;
use airssys::core::types::{ComponentConfig, ComponentId, ComponentMessage, HealthStatus};
use airssys_probe_protocol::{
    self as probe, Call, Id, Received, Reply, Returned, Through, WitError,
};
use exports::airssys::core::component_lifecycle::{ComponentError, ComponentMetadata, Guest};

thread_local! {
    static INBOX: RefCell<Vec<Received>> = const { RefCell::new(Vec::new()) };
}

struct MessagingProbe;

fn to_wit(id: &Id) -> ComponentId {
    ComponentId {
        namespace: id.namespace.clone(),
        name: id.name.clone(),
        instance: id.instance.clone(),
    }
}

fn to_probe(id: ComponentId) -> Id {
    Id {
        namespace: id.namespace,
        name: id.name,
        instance: id.instance,
    }
}

fn wit_error(error: MessagingError) -> WitError {
    match error {
        MessagingError::DeliveryFailed(s) => WitError::new("delivery-failed", Some(s)),
        MessagingError::CorrelationTimeout(id) => WitError::new("correlation-timeout", Some(id)),
        MessagingError::InvalidMessage(s) => WitError::new("invalid-message", Some(s)),
        MessagingError::QueueFull => WitError::new("queue-full", None),
        MessagingError::TargetNotFound(id) => {
            let id = to_probe(id);
            let rendered = format!("{}/{}/{}", id.namespace, id.name, id.instance);
            WitError::new("target-not-found", Some(rendered))
        }
    }
}

fn make(call: &Call) -> Reply {
    let returned = match call {
        Call::Send { target, payload } => {
            messaging::send(&to_wit(target), payload).map(|()| Returned::Unit)
        }
        Call::Request {
            target,
            payload,
            timeout_ms,
        } => messaging::request(&to_wit(target), payload, *timeout_ms).map(Returned::CorrelationId),
        Call::CancelRequest { request_id } => {
            messaging::cancel_request(request_id).map(|()| Returned::Unit)
        }
        Call::Broadcast { targets, payload } => {
            let targets: Vec<ComponentId> = targets.iter().map(to_wit).collect();
            messaging::broadcast(&targets, payload).map(|()| Returned::Unit)
        }
        Call::SelfId => Ok(Returned::Id(to_probe(messaging::self_id()))),
        Call::Inbox => Ok(Returned::Inbox(INBOX.with_borrow(Clone::clone))),
        other => return probe::unsupported(other),
    };
    returned.map_err(wit_error)
}

fn record(through: Through, msg: ComponentMessage) {
    let metadata = msg.metadata;
    INBOX.with_borrow_mut(|inbox| {
        inbox.push(Received {
            through,
            sender: to_probe(msg.sender),
            payload: msg.payload,
            correlation_id: metadata.correlation_id,
            reply_to: metadata.reply_to.map(to_probe),
            timestamp_seconds: metadata.timestamp.seconds,
            timestamp_nanoseconds: metadata.timestamp.nanoseconds,
            content_type: metadata.content_type,
        })
    });
}

impl Guest for MessagingProbe {
    fn initialize(_config: ComponentConfig) -> Result<(), ComponentError> {
        Ok(())
    }

    fn handle_message(msg: ComponentMessage) -> Result<Option<Vec<u8>>, WasmError> {
        if msg.metadata.content_type.as_deref() == Some(probe::CALL_CONTENT_TYPE) {
            let call = probe::decode_call(&msg.payload).map_err(WasmError::InvalidComponent)?;
            return Ok(Some(probe::encode_reply(&make(&call))));
        }
        let is_request = msg.metadata.correlation_id.is_some();
        let reply = (is_request && !msg.payload.starts_with(probe::NO_REPLY))
            .then(|| [probe::REPLY_PREFIX, &msg.payload].concat());
        record(Through::HandleMessage, msg);
        Ok(reply)
    }

    fn handle_callback(msg: ComponentMessage) -> Result<(), WasmError> {
        record(Through::HandleCallback, msg);
        Ok(())
    }

    fn metadata() -> ComponentMetadata {
        ComponentMetadata {
            name: "messaging-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Makes messaging calls and records what it receives".into(),
            author: "airssys".into(),
            license: "Apache-2.0".into(),
            supported_operations: vec!["probe-call".into(), "echo-request".into()],
            stateful: true,
        }
    }

    fn health() -> HealthStatus {
        HealthStatus::Healthy
    }

    fn shutdown() -> Result<(), ComponentError> {
        Ok(())
    }
}

export!(MessagingProbe);
