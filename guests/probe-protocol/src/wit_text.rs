//! The probe protocol's values in WIT terms (`ok(some([]))`,
//! `err(invalid-key("empty"))`, `set("k", list<u8> of 1 byte: "v")`), by
//! `Display` and `Debug` alike, so that every failure message speaks the
//! contract's language rather than Rust's.

use crate::{
    Call, ComponentId, HostMessagingCall, HostServicesCall, ProbeCall, Reply, Returned,
    StorageCall, WitError,
};

/// How many bytes of a byte list or string a message shows before it cuts.
const SHOWN_BYTES: usize = 48;

/// A `list<u8>` in WIT terms: `[]`, or its length and its bytes as text when
/// they are printable UTF-8, as hex otherwise, cut after [`SHOWN_BYTES`].
pub fn wit_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "[]".into();
    }
    let shown = &bytes[..bytes.len().min(SHOWN_BYTES)];
    let more = if shown.len() < bytes.len() { "…" } else { "" };
    let count = format!(
        "list<u8> of {} byte{}",
        bytes.len(),
        if bytes.len() == 1 { "" } else { "s" }
    );
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.chars().any(char::is_control) => {
            let cut: String = text.chars().take(SHOWN_BYTES).collect();
            let more = if cut.len() < text.len() { "…" } else { "" };
            format!("{count}: {cut:?}{more}")
        }
        _ => {
            let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
            format!("{count}: 0x{hex}{more}")
        }
    }
}

/// A reply in WIT terms: `ok`, `ok(some([]))`, `err(invalid-key("empty"))`.
pub fn wit_reply(reply: &Reply) -> String {
    match reply {
        Ok(Returned::Unit) => "ok".into(),
        Ok(returned) => format!("ok({returned})"),
        Err(error) => format!("err({error})"),
    }
}

/// An id as the WIT writes a record: `{namespace: "n", name: "a", instance: "1"}`.
fn wit_id(id: &ComponentId) -> String {
    format!(
        "{{namespace: {:?}, name: {:?}, instance: {:?}}}",
        id.namespace, id.name, id.instance
    )
}

fn wit_ids(ids: &[ComponentId]) -> String {
    let ids: Vec<String> = ids.iter().map(wit_id).collect();
    wit_list(&ids)
}

fn wit_list<T: std::fmt::Display>(items: &[T]) -> String {
    let items: Vec<String> = items.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

impl std::fmt::Display for Returned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Returned::Unit => write!(f, "()"),
            Returned::Bool(value) => write!(f, "{value}"),
            Returned::Value(None) => write!(f, "none"),
            Returned::Value(Some(bytes)) => write!(f, "some({})", wit_bytes(bytes)),
            Returned::Keys(keys) => {
                let keys: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
                write!(f, "[{}]", keys.join(", "))
            }
            Returned::Usage {
                used_bytes,
                quota_bytes,
                key_count,
            } => write!(
                f,
                "{{used-bytes: {used_bytes}, quota-bytes: {quota_bytes}, key-count: {key_count}}}"
            ),
            Returned::CorrelationId(id) => write!(f, "{id:?}"),
            Returned::Id(id) => write!(f, "{}", wit_id(id)),
            Returned::Ids(ids) => write!(f, "{}", wit_ids(ids)),
            Returned::Time {
                seconds,
                nanoseconds,
            } => write!(f, "{{seconds: {seconds}, nanoseconds: {nanoseconds}}}"),
            Returned::Millis(millis) => write!(f, "{millis}"),
            Returned::Info {
                id,
                name,
                version,
                health,
            } => write!(
                f,
                "{{id: {}, name: {name:?}, version: {version:?}, health: {health:?}}}",
                wit_id(id)
            ),
            Returned::Inbox(received) => {
                write!(f, "an inbox of {} messages: {received:?}", received.len())
            }
            Returned::Tally { ok, refused } => write!(f, "{{ok: {ok}, refused: {refused}}}"),
        }
    }
}

/// A call as the WIT would write it (`set("k", list<u8> of 1 byte: "v")`);
/// what only the probe does is named after its call.
impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = |text: &str| format!("{text:?}");
        match self {
            Call::Storage(StorageCall::Get { key }) => write!(f, "get({})", text(key)),
            Call::Storage(StorageCall::Set { key, value }) => {
                write!(f, "set({}, {})", text(key), wit_bytes(value))
            }
            Call::Storage(StorageCall::Delete { key }) => write!(f, "delete({})", text(key)),
            Call::Storage(StorageCall::Exists { key }) => write!(f, "exists({})", text(key)),
            Call::Storage(StorageCall::ListKeys { prefix: None }) => write!(f, "list-keys(none)"),
            Call::Storage(StorageCall::ListKeys {
                prefix: Some(prefix),
            }) => write!(f, "list-keys(some({}))", text(prefix)),
            Call::Storage(StorageCall::Usage) => write!(f, "usage()"),
            Call::HostMessaging(HostMessagingCall::Send { target, payload }) => {
                write!(f, "send({}, {})", wit_id(target), wit_bytes(payload))
            }
            Call::HostMessaging(HostMessagingCall::Request {
                target,
                payload,
                timeout_ms,
            }) => write!(
                f,
                "request({}, {}, {timeout_ms})",
                wit_id(target),
                wit_bytes(payload)
            ),
            Call::HostMessaging(HostMessagingCall::CancelRequest { request_id }) => {
                write!(f, "cancel-request({})", text(request_id))
            }
            Call::HostMessaging(HostMessagingCall::Broadcast { targets, payload }) => {
                write!(f, "broadcast({}, {})", wit_ids(targets), wit_bytes(payload))
            }
            Call::HostMessaging(HostMessagingCall::SelfId) => write!(f, "self-id()"),
            Call::HostServices(HostServicesCall::Log {
                level,
                message,
                context,
            }) => {
                let level = format!("{level:?}").to_lowercase();
                let shown: String = message.chars().take(SHOWN_BYTES).collect();
                let more = if shown.len() < message.len() {
                    "…"
                } else {
                    ""
                };
                let context = match context {
                    None => "none".to_owned(),
                    Some(pairs) => format!("some(list of {} pairs)", pairs.len()),
                };
                write!(f, "log({level}, {shown:?}{more}, {context})")
            }
            Call::HostServices(HostServicesCall::CurrentTime) => write!(f, "current-time()"),
            Call::HostServices(HostServicesCall::CurrentTimeMillis) => {
                write!(f, "current-time-millis()")
            }
            Call::HostServices(HostServicesCall::SleepMillis { duration_ms }) => {
                write!(f, "sleep-millis({duration_ms})")
            }
            Call::HostServices(HostServicesCall::ListComponents) => write!(f, "list-components()"),
            Call::HostServices(HostServicesCall::GetComponentMetadata { id }) => {
                write!(f, "get-component-metadata({})", wit_id(id))
            }
            Call::Filled { byte, len, inner } => {
                write!(
                    f,
                    "{inner} with {len} bytes of 0x{byte:02x} in place of its bytes"
                )
            }
            Call::Probe(ProbeCall::Inbox) => write!(f, "the probe's inbox"),
            Call::Probe(ProbeCall::SetHealth { health }) => {
                write!(f, "the probe's health set to {health:?}")
            }
            Call::Probe(ProbeCall::Trap) => write!(f, "a trap in the probe"),
            Call::Probe(ProbeCall::Spin) => write!(f, "an endless loop in the probe"),
            Call::Probe(ProbeCall::Hog) => write!(f, "the probe allocating until memory runs out"),
            Call::Probe(ProbeCall::WasiSleep { millis }) => {
                write!(f, "a WASI sleep of {millis} ms")
            }
            Call::Probe(ProbeCall::Print { lines, len }) => {
                write!(f, "{lines} lines of {len} bytes on WASI stdout and stderr")
            }
            Call::Probe(ProbeCall::Flood { attack, count }) => {
                write!(f, "{count} times {attack:?}")
            }
            Call::Probe(ProbeCall::Reply { bytes }) => write!(f, "a reply of {bytes} bytes"),
        }
    }
}

impl std::fmt::Debug for Returned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for WitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}({detail:?})", self.case),
            None => write!(f, "{}", self.case),
        }
    }
}

impl std::fmt::Debug for WitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
