//! A panic's text, sent to the host's log before the trap.
//!
//! In a component a panic aborts: the host sees a trap, and at most a wasm
//! backtrace naming `unwrap_failed`. Built for `wasm32-wasip2`, Rust's own
//! hook writes the text to a stderr the host may not show; built for
//! `wasm32-unknown-unknown` it has nowhere to write it. So the export glue
//! ([`export!`](crate::export)) installs, at the first call into the
//! component, a hook that logs one record through the contract's `log`
//! (SVC-1) in place of Rust's own report:
//!
//! | field | value |
//! |---|---|
//! | level | `error` |
//! | message | `panicked: ` and the panic's text, cut to fit [`LOG_MESSAGE_BYTES`] |
//! | context `panic.location` | `file:line:column`, when Rust knows it |
//! | context `panic.export` | the export that was running, e.g. `handle-message` |
//!
//! Natively, under [`testing`](crate::testing), the standard hook stays:
//! a panic is a failing test with its message, as usual.

use std::cell::Cell;

use airssys_contract::GuestFn;
use airssys_contract::limits::LOG_MESSAGE_BYTES;
use airssys_contract::log::cut_marker;

use crate::logging::{Level, log_with};

/// What starts the message of a panic's record.
pub const PANIC_PREFIX: &str = "panicked: ";

/// The context key of the panic's `file:line:column`.
pub const LOCATION_KEY: &str = "panic.location";

/// The context key of the export that was running, by its WIT name.
pub const EXPORT_KEY: &str = "panic.export";

/// Room left for the cut marker, so that the whole record fits the host's
/// limit and is not cut a second time there (SVC-1.1).
const MARKER_ROOM: usize = 128;

thread_local! {
    /// The export running now, for the record's `panic.export`.
    static RUNNING: Cell<Option<GuestFn>> = const { Cell::new(None) };
}

/// Runs `call` as the export `export`: with the hook installed (on wasm)
/// and `export` named in any panic's record.
pub(crate) fn in_export<R>(export: GuestFn, call: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "wasm32")]
    install();
    /// Puts back the outer export even when `call` unwinds (natively).
    struct Restore(Option<GuestFn>);
    impl Drop for Restore {
        fn drop(&mut self) {
            RUNNING.set(self.0);
        }
    }
    let _restore = Restore(RUNNING.replace(Some(export)));
    call()
}

/// Installs the hook once; later calls do nothing. The export glue calls it
/// on wasm; a native test may call it to see the records on its `TestHost`,
/// and then still gets Rust's own report after each record.
pub fn install() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()));
            let text = info
                .payload_as_str()
                .unwrap_or("a panic whose payload is not text (`std::panic::panic_any`)");
            let (message, context) = record(text, location, RUNNING.get());
            log_with(Level::Error, message, &context);
            // In a component the record is the panic's one report: Rust's
            // own hook would repeat it on a stderr that a host may turn into
            // log records too (the reference host does). Natively, a test
            // shows the usual text as well.
            if cfg!(not(target_arch = "wasm32")) {
                previous(info);
            }
        }));
    });
}

/// The log record of a panic with `text`, at `location`, in `export`.
pub(crate) fn record(
    text: &str,
    location: Option<String>,
    export: Option<GuestFn>,
) -> (String, Vec<(&'static str, String)>) {
    // Cut here, as the host would (SVC-1.1), so that a huge text is neither
    // copied whole nor sent whole; the marker says how long it was.
    let room = LOG_MESSAGE_BYTES - MARKER_ROOM - PANIC_PREFIX.len();
    let message = if text.len() > room {
        let end = text.floor_char_boundary(room);
        let marker = cut_marker(text.len(), end);
        format!("{PANIC_PREFIX}{}{marker}", &text[..end])
    } else {
        format!("{PANIC_PREFIX}{text}")
    };
    let mut context = Vec::with_capacity(2);
    if let Some(location) = location {
        context.push((LOCATION_KEY, location));
    }
    if let Some(export) = export {
        context.push((EXPORT_KEY, export.name().to_owned()));
    }
    (message, context)
}

#[cfg(test)]
mod tests {
    use airssys_contract::log::cut_message;

    use super::*;

    #[test]
    fn a_panic_reads_as_its_text_with_where_and_in_which_export() {
        let (message, context) = record(
            "called `Option::unwrap()` on a `None` value",
            Some("src/lib.rs:12:5".into()),
            Some(GuestFn::HandleMessage),
        );
        assert_eq!(
            message,
            "panicked: called `Option::unwrap()` on a `None` value"
        );
        assert_eq!(
            context,
            [
                ("panic.location", "src/lib.rs:12:5".to_owned()),
                ("panic.export", "handle-message".to_owned())
            ]
        );
        let (_, context) = record("boom", None, None);
        assert!(context.is_empty());
    }

    #[test]
    fn a_long_text_is_cut_to_fit_the_log_limit_once() {
        let text = "é".repeat(LOG_MESSAGE_BYTES);
        let (message, _) = record(&text, None, None);
        assert!(message.len() <= LOG_MESSAGE_BYTES, "{}", message.len());
        assert!(message.starts_with("panicked: éé"));
        assert!(
            message.ends_with("kept]") && message.contains(&format!("[cut: {} bytes", text.len())),
            "{}",
            &message[message.len() - 60..]
        );
        assert_eq!(
            cut_message(message.clone(), LOG_MESSAGE_BYTES),
            message,
            "the host keeps it whole"
        );
    }

    #[test]
    fn the_running_export_is_named_and_put_back_after_an_unwind() {
        let inside = in_export(GuestFn::Shutdown, || RUNNING.get());
        assert_eq!(inside, Some(GuestFn::Shutdown));
        let unwound = std::panic::catch_unwind(|| in_export(GuestFn::Health, || panic!("x")));
        assert!(unwound.is_err());
        assert_eq!(RUNNING.get(), None);
    }
}
