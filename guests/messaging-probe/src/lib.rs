//! Makes the messaging calls a test asks for, records every message and
//! callback it receives, and answers requests with `re:` + payload (MSG-*).

use std::cell::RefCell;
use std::time::{Duration, UNIX_EPOCH};

use airssys_guest::{Component, Error, Message, MessagingError, Metadata, messaging};
use airssys_probe_protocol::{
    self as probe, Call, HostMessagingCall, ProbeCall, Received, Reply, Returned, Through, WitError,
};

thread_local! {
    static INBOX: RefCell<Vec<Received>> = const { RefCell::new(Vec::new()) };
}

/// The probe as a Rust type, for running it natively on the SDK's `TestHost`
/// beside its component on the reference host (`host/tests/clauses/sdk_test_host.rs`).
pub struct MessagingProbe;

fn wit_error(error: MessagingError) -> WitError {
    match error {
        MessagingError::DeliveryFailed(s) => WitError::new("delivery-failed", Some(s)),
        MessagingError::CorrelationTimeout(id) => WitError::new("correlation-timeout", Some(id)),
        MessagingError::InvalidMessage(s) => WitError::new("invalid-message", Some(s)),
        MessagingError::QueueFull => WitError::new("queue-full", None),
        MessagingError::TargetNotFound(id) => {
            WitError::new("target-not-found", Some(id.to_string()))
        }
        // The SDK's enum is non-exhaustive; the WIT variant has five cases.
        other => WitError::new("unknown", Some(other.to_string())),
    }
}

fn make(call: &Call) -> Reply {
    let returned = match call {
        Call::HostMessaging(messaging_call) => match messaging_call {
            HostMessagingCall::Send { target, payload } => {
                messaging::send(target, payload).map(|()| Returned::Unit)
            }
            HostMessagingCall::Request {
                target,
                payload,
                timeout_ms,
            } => messaging::request(target, payload, Duration::from_millis(*timeout_ms))
                .map(|pending| Returned::CorrelationId(pending.into())),
            HostMessagingCall::CancelRequest { request_id } => {
                messaging::cancel_request(request_id).map(|()| Returned::Unit)
            }
            HostMessagingCall::Broadcast { targets, payload } => {
                messaging::broadcast(targets, payload).map(|()| Returned::Unit)
            }
            HostMessagingCall::SelfId => Ok(Returned::Id(messaging::self_id())),
        },
        Call::Probe(ProbeCall::Inbox) => Ok(Returned::Inbox(INBOX.with_borrow(Clone::clone))),
        // Other interfaces' calls; other probes' own, listed so that a new
        // one is placed somewhere.
        Call::Storage(_)
        | Call::HostServices(_)
        | Call::Filled { .. }
        | Call::Probe(
            ProbeCall::SetHealth { .. }
            | ProbeCall::Trap
            | ProbeCall::Spin
            | ProbeCall::Hog
            | ProbeCall::WasiSleep { .. }
            | ProbeCall::Print { .. }
            | ProbeCall::Flood { .. }
            | ProbeCall::Reply { .. },
        ) => return probe::unsupported(call),
    };
    returned.map_err(wit_error)
}

fn record(through: Through, message: Message) {
    let since_epoch = message
        .timestamp
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    INBOX.with_borrow_mut(|inbox| {
        inbox.push(Received {
            through,
            sender: message.sender,
            payload: message.payload,
            correlation_id: message.correlation_id,
            reply_to: message.reply_to,
            timestamp_seconds: since_epoch.as_secs(),
            timestamp_nanoseconds: since_epoch.subsec_nanos(),
            content_type: message.content_type,
        })
    });
}

impl Component for MessagingProbe {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        if message.content_type.as_deref() == Some(probe::CALL_CONTENT_TYPE) {
            let call = probe::decode_call(&message.payload).map_err(Error::payload)?;
            return Ok(Some(probe::encode_reply(&make(&call))));
        }
        // Any correlation id makes a request here, so a host that forgets
        // `reply-to` is still answered and its defect shows in the record.
        let is_request = message.correlation_id.is_some();
        let reply = (is_request && !message.payload.starts_with(probe::NO_REPLY))
            .then(|| [probe::REPLY_PREFIX, &message.payload].concat());
        record(Through::HandleMessage, message);
        Ok(reply)
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        record(Through::HandleCallback, message);
        Ok(())
    }

    fn metadata() -> Metadata {
        Metadata::new()
            .description("Makes messaging calls and records what it receives")
            .author("airssys")
            .supported_operations(["probe-call", "echo-request"])
            .stateful(true)
    }
}

airssys_guest::export!(MessagingProbe);
