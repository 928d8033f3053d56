//! Where guest log records go: `tracing`, and a sink the embedder can read (SVC-1).

use crate::bindings::airssys::core::types::{ComponentId, LogLevel};
use crate::bounded::Ring;
use crate::ctx::AirssysHost;

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

/// The context pairs, in order, while their keys and values add up to at
/// most `limit` bytes; the pairs past that are dropped, and a last pair
/// `("…", "N of M context pairs dropped")` says so (SVC-1.1).
pub(crate) fn bound_context(pairs: Vec<(String, String)>, limit: usize) -> Vec<(String, String)> {
    let given = pairs.len();
    let mut used = 0;
    let mut kept: Vec<(String, String)> = pairs
        .into_iter()
        .take_while(|(key, value)| {
            used += key.len() + value.len();
            used <= limit
        })
        .collect();
    // `collect` may reuse the guest's list, with room for every pair given.
    kept.shrink_to_fit();
    if kept.len() < given {
        let dropped = given - kept.len();
        kept.push((
            "…".into(),
            format!("{dropped} of {given} context pairs dropped"),
        ));
    }
    kept
}

/// Cuts `message` to at most `limit` bytes on a character boundary, marking the cut.
/// The result is a new string: truncating in place would keep the whole
/// original allocation alive in every record a buffer holds.
pub(crate) fn truncate_marked(message: String, limit: usize) -> String {
    if message.len() <= limit {
        return message;
    }
    let end = message.floor_char_boundary(limit);
    let marker = mark_cut(message.len(), end);
    let mut kept = String::with_capacity(end + marker.len());
    kept.push_str(&message[..end]);
    kept.push_str(&marker);
    kept
}

/// What ends a cut message: how long it was, and how much of it is kept.
pub(crate) fn mark_cut(original: usize, kept: usize) -> String {
    format!("… [cut: {original} bytes, first {kept} kept]")
}

/// Sends `record` where every guest record goes (SVC-1.2).
pub(crate) fn deliver(host: &AirssysHost, record: LogRecord) {
    emit_to_tracing(&record);
    if let Some(sink) = &host.log_sink {
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

    fn pairs(n: usize, len: usize) -> Vec<(String, String)> {
        (0..n).map(|i| (format!("{i}"), "v".repeat(len))).collect()
    }

    #[test]
    fn context_within_the_limit_is_kept_whole() {
        assert_eq!(bound_context(pairs(4, 9), 40), pairs(4, 9));
    }

    #[test]
    fn context_past_the_limit_is_dropped_in_order_and_marked() {
        let kept = bound_context(pairs(5, 9), 25);
        assert_eq!(kept[..2], pairs(2, 9)[..]);
        assert_eq!(kept[2], ("…".into(), "3 of 5 context pairs dropped".into()));
        assert_eq!(kept.len(), 3);
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
