//! Where guest log records go: `tracing`, and a sink the embedder can read (SVC-1).

use std::sync::Mutex;

use crate::bindings::airssys::core::types::{ComponentId, LogLevel};

/// One `log` call, as the host received it (after any cut of an over-long message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    pub component: ComponentId,
    pub level: LogLevel,
    pub message: String,
    pub context: Vec<(String, String)>,
}

/// Receives every guest log record. Must not block for long: it runs inside the guest's call.
pub trait LogSink: Send + Sync + 'static {
    fn record(&self, record: LogRecord);
}

/// Keeps every record in memory, in arrival order.
#[derive(Debug, Default)]
pub struct LogBuffer {
    records: Mutex<Vec<LogRecord>>,
}

impl LogBuffer {
    pub fn records(&self) -> Vec<LogRecord> {
        self.records
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl LogSink for LogBuffer {
    fn record(&self, record: LogRecord) {
        self.records
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(record);
    }
}

/// Cuts `message` to at most `limit` bytes on a character boundary, marking the cut.
pub(crate) fn truncate_marked(mut message: String, limit: usize) -> String {
    if message.len() <= limit {
        return message;
    }
    let original = message.len();
    let end = message.floor_char_boundary(limit);
    message.truncate(end);
    message.push_str(&format!("… [cut: {original} bytes, first {end} kept]"));
    message
}

/// Every guest-chosen text goes out quoted and escaped (`Debug`), so that a
/// message, context pair or id with a newline cannot forge a log line.
pub(crate) fn emit_to_tracing(record: &LogRecord) {
    let component = format!("{:?}", record.component.to_string());
    let context = format!("{:?}", record.context);
    let message = format!("{:?}", record.message);
    match record.level {
        LogLevel::Trace => {
            tracing::trace!(target: "airssys::guest", %component, %context, "{message}")
        }
        LogLevel::Debug => {
            tracing::debug!(target: "airssys::guest", %component, %context, "{message}")
        }
        LogLevel::Info => {
            tracing::info!(target: "airssys::guest", %component, %context, "{message}")
        }
        LogLevel::Warn => {
            tracing::warn!(target: "airssys::guest", %component, %context, "{message}")
        }
        LogLevel::Error => {
            tracing::error!(target: "airssys::guest", %component, %context, "{message}")
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

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
            component: ComponentId::new("ns\nERROR", "a", "1"),
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

    #[test]
    fn short_messages_are_kept_whole() {
        assert_eq!(truncate_marked("hello".into(), 5), "hello");
    }

    #[test]
    fn cuts_on_a_char_boundary_and_marks_the_cut() {
        let cut = truncate_marked("aé".repeat(10), 4);
        assert!(cut.starts_with("aéa…"), "{cut}");
        assert!(cut.contains("[cut: 30 bytes, first 4 kept]"), "{cut}");
    }
}
