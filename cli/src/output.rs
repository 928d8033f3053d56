//! What `airssys` prints: one line per event, the component's id first,
//! levels coloured when stdout is a terminal (and `NO_COLOR` is unset), and
//! the contract's values in WIT words.

use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use airssys_contract::text::printable;
use airssys_host::bindings::exports::airssys::core::component_lifecycle::ComponentMetadata;
use airssys_host::{ComponentId, LogLevel, LogRecord, LogSink};

#[derive(Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    pub fn for_stdout() -> Self {
        Self {
            colour: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn level(self, level: LogLevel) -> String {
        let (name, code) = match level {
            LogLevel::Trace => ("trace", "2"),
            LogLevel::Debug => ("debug", "36"),
            LogLevel::Info => ("info", "32"),
            LogLevel::Warn => ("warn", "33"),
            LogLevel::Error => ("error", "31"),
        };
        self.paint(code, &format!("{name:>5}"))
    }

    /// Prints `text` as a problem: in red when colour is on.
    pub fn problem_line(self, text: &str) {
        print(&self.paint("31", &printable(text)));
    }

    /// Prints one guest log record: level, id, message, context.
    pub fn log_record(self, record: &LogRecord) {
        let context: Vec<String> = record
            .context
            .iter()
            .map(|(key, value)| format!("{}={}", shown(key), shown(value)))
            .collect();
        let context = if context.is_empty() {
            String::new()
        } else {
            format!(" {{{}}}", context.join(", "))
        };
        print(&format!(
            "{} {}",
            self.level(record.level),
            printable(&format!(
                "{}: {}{context}",
                id(&record.component),
                shown(&record.message)
            ))
        ));
    }
}

/// Guest text, shown so that it cannot forge a line: escaped like a Rust
/// string, without the quotes when nothing needed escaping.
pub fn shown(text: &str) -> String {
    let escaped = text.escape_debug().to_string();
    if escaped == text {
        escaped
    } else {
        format!("\"{escaped}\"")
    }
}

/// Payload bytes as text when they are UTF-8, else as a byte count.
pub fn payload(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => shown(text),
        Err(_) => format!("<{} bytes, not UTF-8>", bytes.len()),
    }
}

/// Prints one line. Guest text in it (names, trap messages, ids) is shown
/// with its terminal controls written out.
pub fn line(text: &str) {
    print(&printable(text));
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (`airssys run … | head`) ends the printing, not the run.
    let _ = writeln!(stdout, "{text}");
    // Every line goes out when printed, so a session driven through a pipe
    // sees the answer to a line before it writes the next.
    let _ = stdout.flush();
}

pub fn id(id: &ComponentId) -> String {
    shown(&id.to_string())
}

/// `count thing` or `count things`.
pub fn counted(count: usize, thing: &str) -> String {
    if count == 1 {
        format!("1 {thing}")
    } else {
        format!("{count} {thing}s")
    }
}

/// Guest log records held while a call runs, so that they print after the
/// line that caused the call and before its outcome. At most `capacity`
/// are held: the oldest past it are dropped and counted, so a guest that
/// logs in a loop cannot make `airssys` hold more.
pub struct HeldLogs {
    capacity: usize,
    held: Mutex<(VecDeque<LogRecord>, usize)>,
}

impl HeldLogs {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            held: Mutex::new((VecDeque::new(), 0)),
        }
    }

    /// Prints the records held, oldest first, and how many were dropped.
    pub fn print(&self, style: Style) {
        let (records, dropped) = {
            let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            (std::mem::take(&mut held.0), std::mem::take(&mut held.1))
        };
        if dropped > 0 {
            line(&format!(
                "  … {} dropped before these: at most {} are held during one call (--log-backlog)",
                counted(dropped, "log record"),
                self.capacity
            ));
        }
        for record in &records {
            style.log_record(record);
        }
    }
}

impl LogSink for HeldLogs {
    fn record(&self, record: LogRecord) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        if held.0.len() == self.capacity {
            held.0.pop_front();
            held.1 += 1;
        }
        held.0.push_back(record);
    }
}

/// A `health-status` as the WIT names it.
pub use airssys_host::services::health_name as health;

pub use airssys_host::runtime::wit_words::{component_error, wasm_error};

/// A WIT string: always quoted, escaped so that it stays on its line.
fn quoted(text: &str) -> String {
    airssys_host::runtime::wit_words::string(text)
}

/// Every field of a `component-metadata`, one line each, as `field: value`.
pub fn metadata_lines(metadata: &ComponentMetadata) -> Vec<String> {
    let ComponentMetadata {
        name,
        version,
        description,
        author,
        license,
        supported_operations,
        stateful,
    } = metadata;
    let operations: Vec<String> = supported_operations.iter().map(|o| quoted(o)).collect();
    vec![
        format!("name: {}", quoted(name)),
        format!("version: {}", quoted(version)),
        format!("description: {}", quoted(description)),
        format!("author: {}", quoted(author)),
        format!("license: {}", quoted(license)),
        format!("supported-operations: [{}]", operations.join(", ")),
        format!("stateful: {stateful}"),
    ]
}

/// A trap's words as lines to print: every line of the message, and
/// wasmtime's backtrace frames summed up in one line (how many, and the
/// innermost functions), since a frame's offsets mean little to the
/// component's author and dozens of them would bury the message.
pub fn trap_lines(text: &str) -> Vec<String> {
    const HEADING: &str = "error while executing at wasm backtrace:";
    let mut lines: Vec<String> = Vec::new();
    let mut frames = Vec::new();
    // Split at line feeds only: a carriage return a guest put at the end of
    // a name stays, to be written out, not taken for a line's end.
    for raw in text.split('\n') {
        match frame(raw) {
            Some(Frame::Function(function)) => {
                // `{:#}` puts the cause after the last frame, on its line.
                // A name may hold `: ` too, so the cause is told by what it
                // is: a line said before (the host says the cause first),
                // or a wasm trap.
                let said = lines
                    .iter()
                    .find_map(|said| function.strip_suffix(&format!(": {said}")))
                    .map(|function| (function, None))
                    .or_else(|| {
                        function
                            .split_once(": wasm trap: ")
                            .map(|(function, trap)| (function, Some(format!("wasm trap: {trap}"))))
                    });
                let (function, said) = said.unwrap_or((function.as_str(), None));
                frames.push(readable(function));
                if let Some(said) = said.filter(|said| !lines.contains(said)) {
                    lines.push(said);
                }
            }
            Some(Frame::Detail) => {}
            None => {
                // The host's words may run on into wasmtime's heading.
                let kept = raw.trim();
                let kept = match kept.strip_suffix(HEADING) {
                    Some(words) => words.trim_end().trim_end_matches(':'),
                    None => kept,
                }
                .to_owned();
                // The host says the cause first and then wasmtime's whole
                // text, which repeats it after the frames.
                if !kept.is_empty() && !lines.contains(&kept) {
                    lines.push(kept);
                }
            }
        }
    }
    if !frames.is_empty() {
        const SHOWN: usize = 4;
        let innermost: Vec<&str> = frames.iter().take(SHOWN).map(String::as_str).collect();
        let more = if frames.len() > SHOWN { ", …" } else { "" };
        lines.push(format!(
            "wasm backtrace: {}, innermost first: {}{more}",
            counted(frames.len(), "frame"),
            innermost.join(" ← ")
        ));
    }
    lines
}

enum Frame {
    /// A numbered frame: its `module!function` (or `<unknown>`), and after
    /// the last frame, the cause.
    Function(String),
    /// A frame's inlined caller, its source line, or wasmtime's hint.
    Detail,
}

/// Whether `line` is part of wasmtime's backtrace: `    0:  0x1a2b -
/// probe.wasm!f`, `    1: <unknown>!f`, an inlined `        - g`, a source
/// line `            at src/lib.rs:3:5`, its heading and its hint.
fn frame(line: &str) -> Option<Frame> {
    let indented = line.starts_with(char::is_whitespace);
    let trimmed = line.trim_start();
    if trimmed == "error while executing at wasm backtrace:"
        || trimmed.starts_with("note: using the `WASMTIME_BACKTRACE_DETAILS=1`")
        || (indented && (trimmed.starts_with("at ") || trimmed.starts_with("- ")))
    {
        return Some(Frame::Detail);
    }
    let (number, rest) = trimmed.split_once(':')?;
    let rest = rest.trim_start();
    // anyhow numbers causes the same way (`    0: cause`): a frame is told
    // by its offset or its `module!function`.
    let numbered = indented
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
        && (rest.starts_with("0x") || rest.contains('!'));
    if !numbered {
        return None;
    }
    let function = match rest.split_once(" - ") {
        Some((_offset, function)) => function,
        None => rest,
    };
    Some(Frame::Function(function.trim().to_owned()))
}

/// A Rust symbol without what only tells builds apart: the crate hashes
/// in `std[d123b7a1a2ed1472]::process::abort` and the `::h0123…` suffix.
fn readable(symbol: &str) -> String {
    let hex = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_hexdigit());
    let symbol = match symbol.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hex(hash) => path,
        _ => symbol,
    };
    let mut kept = String::with_capacity(symbol.len());
    let mut rest = symbol;
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map(|at| open + at);
        match close {
            Some(close) if hex(&rest[open + 1..close]) => {
                kept.push_str(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => {
                kept.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    kept.push_str(rest);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trap_keeps_its_message_lines_and_sums_up_its_frames() {
        let text = "wasm trap: wasm `unreachable` instruction executed\n\
            error while executing at wasm backtrace:\n    \
            0:  0x1a2b - probe.wasm!abort\n                    - inlined\n    \
            1:  0x1c00 - probe.wasm!handle\n                    at src/lib.rs:3:5\n    \
            2: <unknown>!f\n    3:  0x10 - probe.wasm!a\n    \
            4:  0x11 - probe.wasm!b: wasm trap: wasm `unreachable` instruction executed\n\
            note: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more\n\n\
            Caused by:\n    wasm trap: wasm `unreachable` instruction executed";
        assert_eq!(
            trap_lines(text),
            [
                "wasm trap: wasm `unreachable` instruction executed",
                "Caused by:",
                "wasm backtrace: 5 frames, innermost first: probe.wasm!abort ← \
                 probe.wasm!handle ← <unknown>!f ← probe.wasm!a, …",
            ]
        );
        // anyhow's numbered causes are no frames.
        assert_eq!(
            trap_lines("Caused by:\n    0: no quota"),
            ["Caused by:", "0: no quota"]
        );
        assert_eq!(
            trap_lines("a\n    0: 0x1 - m!<wasm function 4>: a"),
            [
                "a",
                "wasm backtrace: 1 frame, innermost first: m!<wasm function 4>"
            ]
        );
        // A name that holds `: ` keeps it; the heading a host's words run
        // on into is dropped.
        assert_eq!(
            trap_lines(
                "cannot load: trapped: error while executing at wasm backtrace:\n    \
                 0: 0x1 - m!verdict: ok: wasm trap: wasm `unreachable` instruction executed"
            ),
            [
                "cannot load: trapped",
                "wasm trap: wasm `unreachable` instruction executed",
                "wasm backtrace: 1 frame, innermost first: m!verdict: ok"
            ]
        );
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(counted(1, "problem"), "1 problem");
        assert_eq!(counted(0, "problem"), "0 problems");
        assert_eq!(counted(2, "problem"), "2 problems");
    }

    #[test]
    fn held_logs_keep_the_newest_and_count_the_rest() {
        let logs = HeldLogs::new(2);
        for n in 0..5 {
            logs.record(LogRecord {
                component: ComponentId::new("a", "b", "1").into(),
                level: LogLevel::Info,
                message: n.to_string(),
                context: vec![],
            });
        }
        let held = logs.held.lock().unwrap();
        let kept: Vec<&str> = held.0.iter().map(|r| r.message.as_str()).collect();
        assert_eq!((kept, held.1), (vec!["3", "4"], 3));
    }
}
