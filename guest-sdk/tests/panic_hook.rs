//! The panic hook the export glue installs on wasm, run natively: a test
//! binary of its own, as the hook is process-wide.

use airssys_guest::bindings::airssys::core::types::{ComponentMessage, MessageMetadata, Timestamp};
use airssys_guest::logging::Level;
use airssys_guest::testing::TestHost;
use airssys_guest::{Component, ComponentId, Error, Message, panic_hook};

struct Panicker;

impl Component for Panicker {
    /// An empty payload unwraps a `None`; a number panics with that many bytes of text.
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let _first = message.payload.first().unwrap();
        let size: usize = message.text()?.parse()?;
        panic!("{}", "x".repeat(size))
    }
}

fn message(payload: &str) -> ComponentMessage {
    ComponentMessage {
        sender: ComponentId::new("acme", "client", "0"),
        payload: payload.as_bytes().to_vec(),
        metadata: MessageMetadata {
            correlation_id: None,
            reply_to: None,
            timestamp: Timestamp {
                seconds: 0,
                nanoseconds: 0,
            },
            content_type: None,
        },
    }
}

/// Calls `handle-message` as the export glue does, and returns the panic's records.
fn panic_in_handle_message(payload: &str) -> Vec<airssys_guest::testing::LogRecord> {
    let host = TestHost::new();
    panic_hook::install();
    let outcome = std::panic::catch_unwind(|| {
        airssys_guest::__private::handle_message::<Panicker>(message(payload))
    });
    assert!(outcome.is_err(), "the handler panics");
    host.logs()
}

#[test]
fn a_panic_is_logged_with_its_text_location_and_export_before_it_unwinds() {
    let logs = panic_in_handle_message("");
    assert_eq!(logs.len(), 1, "{logs:?}");
    let record = &logs[0];
    assert_eq!(record.level, Level::Error);
    assert_eq!(
        record.message,
        "panicked: called `Option::unwrap()` on a `None` value"
    );
    let context: Vec<(&str, &str)> = record
        .context
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(context.len(), 2, "{context:?}");
    assert_eq!(context[0].0, "panic.location");
    assert!(
        context[0].1.starts_with("guest-sdk/tests/panic_hook.rs:"),
        "{context:?}"
    );
    assert_eq!(context[1], ("panic.export", "handle-message"));

    // Installing again neither doubles the record nor loses it.
    panic_hook::install();
    assert_eq!(panic_in_handle_message("").len(), 1);
}

#[test]
fn a_panic_text_of_a_megabyte_is_cut_to_the_log_limit_by_the_guest() {
    let logs = panic_in_handle_message(&(1024 * 1024).to_string());
    let message = &logs[0].message;
    assert!(message.len() <= airssys_guest::limits::LOG_MESSAGE_BYTES);
    assert!(
        message.ends_with("[cut: 1048576 bytes, first 16246 kept]"),
        "{}",
        &message[message.len() - 50..]
    );
}
