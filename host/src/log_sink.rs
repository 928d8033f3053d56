//! Where guest log records go: `tracing`, and a sink the embedder can read (SVC-1).
//!
//! Below the context (`ctx`), which holds the sink, and below the
//! `host-services` interface (`services`), whose `log` delivers to it: the
//! context never reaches up into an interface, as in wasmtime-wasi.

use crate::bindings::airssys::core::types::LogLevel;
use crate::bounded::Ring;
use crate::component_id::SharedId;

/// One `log` call, as the host received it (after any cut of an over-long message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The component that logged it, by the id the host assigned.
    pub component: SharedId,
    /// The level it was logged at; `info` for a stdout line, `warn` for a
    /// stderr line (SVC-1.3).
    pub level: LogLevel,
    /// The message, cut to `max_log_message_bytes` if longer (SVC-1.1).
    pub message: String,
    /// The key/value pairs in order, within `max_log_context_bytes`; pairs
    /// past it are dropped and a last pair says how many (SVC-1.1).
    pub context: Vec<(String, String)>,
}

/// Receives every guest log record. Must not block for long: it runs inside the guest's call.
pub trait LogSink: Send + Sync + 'static {
    /// Receives one record, after the host's cuts (SVC-1.1).
    fn record(&self, record: LogRecord);
}

/// Keeps the newest records in memory, in arrival order: at most
/// [`LogBuffer::DEFAULT_CAPACITY`] unless built [`with_capacity`](LogBuffer::with_capacity).
/// Older ones are dropped and counted, so a guest that logs in a loop
/// cannot make the host hold more.
#[derive(Debug)]
pub struct LogBuffer {
    records: Ring<LogRecord>,
}

impl Default for LogBuffer {
    fn default() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }
}

impl LogBuffer {
    /// With records of at most 16 KiB of message and 4 KiB of context (the
    /// defaults), about 20 MiB at most.
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// A buffer that keeps the newest `capacity` records (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            records: Ring::new(capacity),
        }
    }

    /// The records kept, oldest first.
    pub fn records(&self) -> Vec<LogRecord> {
        self.records.records()
    }

    /// How many records were dropped to keep within the capacity.
    pub fn dropped(&self) -> u64 {
        self.records.dropped()
    }
}

impl LogSink for LogBuffer {
    fn record(&self, record: LogRecord) {
        self.records.push(record);
    }
}

/// Sends `record` where every guest record goes (SVC-1.2): to `tracing`,
/// and to the embedder's sink if it set one.
pub(crate) fn deliver(sink: Option<&dyn LogSink>, record: LogRecord) {
    emit_to_tracing(&record);
    if let Some(sink) = sink {
        sink.record(record);
    }
}

/// Every guest-chosen text goes out quoted and escaped (`Debug`), so that a
/// message, context pair or id with a newline cannot forge a log line.
pub(crate) fn emit_to_tracing(record: &LogRecord) {
    // Fields are formatted only when a subscriber wants the level.
    let component = record.component.to_string();
    let (component, context, message) = (&component, &record.context, &record.message);
    match record.level {
        LogLevel::Trace => {
            tracing::trace!(target: "airssys::guest", component = ?component, context = ?context, "{message:?}")
        }
        LogLevel::Debug => {
            tracing::debug!(target: "airssys::guest", component = ?component, context = ?context, "{message:?}")
        }
        LogLevel::Info => {
            tracing::info!(target: "airssys::guest", component = ?component, context = ?context, "{message:?}")
        }
        LogLevel::Warn => {
            tracing::warn!(target: "airssys::guest", component = ?component, context = ?context, "{message:?}")
        }
        LogLevel::Error => {
            tracing::error!(target: "airssys::guest", component = ?component, context = ?context, "{message:?}")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::bindings::airssys::core::types::ComponentId;

    /// Keeps the text of every event's fields, as a subscriber would print it.
    struct Capture(Arc<Mutex<String>>);

    struct Fields<'a>(&'a mut String);

    impl tracing::field::Visit for Fields<'_> {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            use std::fmt::Write as _;
            write!(self.0, "{}={value:?} ", field.name()).unwrap();
        }
    }

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            event.record(&mut Fields(&mut self.0.lock().unwrap()));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    #[test]
    fn guest_text_cannot_forge_log_lines() {
        let printed = Arc::new(Mutex::new(String::new()));
        let record = LogRecord {
            component: ComponentId::new("ns\nERROR", "a", "1").into(),
            level: LogLevel::Info,
            message: "ok\nERROR airssys: forged".into(),
            context: vec![("k\n".into(), "v\r\n".into())],
        };
        tracing::subscriber::with_default(Capture(printed.clone()), || emit_to_tracing(&record));
        let printed = printed.lock().unwrap();
        assert!(printed.contains("forged"), "{printed}");
        assert!(
            !printed.contains('\n') && !printed.contains('\r'),
            "{printed}"
        );
    }
}
