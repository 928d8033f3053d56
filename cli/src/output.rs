//! What `airssys` prints: one line per event, the component's id first,
//! levels coloured when stdout is a terminal (and `NO_COLOR` is unset).

use std::io::{IsTerminal, Write};

use airssys_contract::text::printable;
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
}

/// Prints every guest log record as it happens.
pub struct PrintedLogs(pub Style);

impl LogSink for PrintedLogs {
    fn record(&self, record: LogRecord) {
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
            self.0.level(record.level),
            printable(&format!(
                "{}: {}{context}",
                id(&record.component),
                shown(&record.message)
            ))
        ));
    }
}

pub fn id(id: &ComponentId) -> String {
    shown(&id.to_string())
}
