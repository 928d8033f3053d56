//! The lines of an `airssys run` session (stdin, or `--line`): what each
//! asks for, and how a line is read off a stream that may stay open.

use std::io::{BufRead, Read};

use airssys_host::ComponentId;

use crate::args::parse_id;

/// The line syntax, for `airssys run --help`, the `help` line and every
/// error about a line.
pub const SYNTAX: &str = "\
Session lines (stdin, or --line; each acted on when it arrives):
  ID TEXT                      send TEXT to ID's handle-message as a message
  send ID TEXT                 the same
  request ID TEXT              send TEXT as a request: print its reply, or that none came
  from SENDER ID TEXT          send as SENDER instead of --sender (also `from SENDER request ID TEXT`;
                               the reply is printed here, never delivered to SENDER)
  health ID                    call ID's health and print the health-status
  metadata ID                  call ID's metadata and print every field
  help                         print this
  # …                          a comment; blank lines are skipped too
IDs are namespace/name/instance, e.g. local/counter/1. TEXT is the rest of the
line after one space, sent as UTF-8 bytes. What the components send one another
is delivered after each line.";

/// What one line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `ID TEXT`, `send ID TEXT`, `request ID TEXT`, with or without `from SENDER`.
    Message {
        /// `None`: the session's `--sender`.
        sender: Option<ComponentId>,
        target: ComponentId,
        text: String,
        request: bool,
    },
    Health(ComponentId),
    Metadata(ComponentId),
    Help,
}

/// What `text` asks for; `None` for a blank line or a comment. `Err` says
/// what is wrong and the syntax.
pub fn parse(text: &str) -> Result<Option<Line>, String> {
    let trimmed = text.trim_start();
    if trimmed.trim_end().is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    // Leading blanks are no part of the command; trailing ones may be of TEXT.
    parse_command(trimmed)
        .map(Some)
        .map_err(|why| format!("{why}. Write one of:\n{}", commands_of(SYNTAX)))
}

/// The command rows of [`SYNTAX`], for errors: what to write instead.
fn commands_of(syntax: &str) -> String {
    syntax
        .lines()
        .filter(|line| line.starts_with("  "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_command(text: &str) -> Result<Line, String> {
    let (word, rest) = split_word(text);
    match word {
        "help" if rest.trim().is_empty() => Ok(Line::Help),
        "health" => only_id(rest, "health").map(Line::Health),
        "metadata" => only_id(rest, "metadata").map(Line::Metadata),
        "from" => {
            let (sender, rest) = split_word(rest);
            let sender = id(sender, "from SENDER")?;
            message(rest, Some(sender))
        }
        _ => message(text, None),
    }
}

/// `ID TEXT`, `send ID TEXT` or `request ID TEXT`.
fn message(text: &str, sender: Option<ComponentId>) -> Result<Line, String> {
    let (word, rest) = split_word(text);
    let (request, text) = match word {
        "send" => (false, rest),
        "request" => (true, rest),
        _ => (false, text),
    };
    let (target, payload) = split_word(text);
    if target.is_empty() {
        return Err(format!("`{}` names no component", text.trim()));
    }
    Ok(Line::Message {
        sender,
        target: id(target, "ID")?,
        text: payload.to_owned(),
        request,
    })
}

fn only_id(rest: &str, command: &str) -> Result<ComponentId, String> {
    let (target, extra) = split_word(rest);
    if target.is_empty() {
        return Err(format!(
            "`{command}` needs the id of a component: {command} ID"
        ));
    }
    if !extra.trim().is_empty() {
        return Err(format!(
            "`{command}` takes an id alone; `{}` is more",
            extra.trim()
        ));
    }
    id(target, "ID")
}

fn id(text: &str, place: &str) -> Result<ComponentId, String> {
    parse_id(text).map_err(|e| format!("{e} (in the place of {place})"))
}

/// The first word, and what follows the one space after it.
fn split_word(text: &str) -> (&str, &str) {
    text.split_once(' ').unwrap_or((text, ""))
}

/// The longest line read: a line holds one message, and no message may be
/// longer than the contract's limit.
pub const LINE_BYTES: usize = airssys_contract::limits::MESSAGE_BYTES;

/// The next line of `input`: `None` at its end; `Err` (what follows the line
/// number) for a line that is not UTF-8 or longer than [`LINE_BYTES`], which
/// is skipped whole, so the lines after it still run. It returns as soon as
/// a line is complete, so a pipe that stays open is answered line by line.
pub fn next_line(input: &mut impl BufRead) -> std::io::Result<Option<Result<String, String>>> {
    let mut bytes = Vec::new();
    let read = input
        .by_ref()
        .take(LINE_BYTES as u64 + 1)
        .read_until(b'\n', &mut bytes)?;
    if read == 0 {
        return Ok(None);
    }
    let ended = bytes.last() == Some(&b'\n');
    if ended {
        bytes.pop();
    }
    if bytes.len() > LINE_BYTES {
        // Skip the rest of the line, however long.
        let mut rest = Vec::new();
        while !ended
            && input
                .by_ref()
                .take(64 * 1024)
                .read_until(b'\n', &mut rest)?
                > 0
        {
            if rest.last() == Some(&b'\n') {
                break;
            }
            rest.clear();
        }
        return Ok(Some(Err(format!(
            " is longer than {LINE_BYTES} bytes, the contract's message limit; skipped"
        ))));
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    Ok(Some(String::from_utf8(bytes).map_err(|e| {
        format!(" is not UTF-8 ({e}); skipped: a message is a line of text")
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<Result<String, String>> {
        let mut input = input;
        std::iter::from_fn(|| next_line(&mut input).unwrap()).collect()
    }

    fn a() -> ComponentId {
        ComponentId::new("local", "a", "1")
    }

    #[test]
    fn each_line_is_read_once_whatever_it_holds() {
        assert_eq!(lines(b"a\r\nb"), [Ok("a".into()), Ok("b".into())]);
        let mut long = vec![b'x'; LINE_BYTES + 10];
        long.extend(b"\nafter\n");
        let read = lines(&long);
        assert_eq!(
            read.len(),
            2,
            "{:?}",
            read.iter().map(|l| l.is_ok()).collect::<Vec<_>>()
        );
        assert!(read[0].as_ref().unwrap_err().contains("longer than"));
        assert_eq!(read[1], Ok("after".into()));
        let exactly = vec![b'x'; LINE_BYTES];
        assert_eq!(lines(&exactly), [Ok("x".repeat(LINE_BYTES))]);
        assert!(
            lines(b"\xff\n")[0]
                .as_ref()
                .unwrap_err()
                .contains("not UTF-8")
        );
    }

    #[test]
    fn each_command_is_read_with_its_parts() {
        let message = |sender: Option<ComponentId>, text: &str, request: bool| {
            Ok(Some(Line::Message {
                sender,
                target: a(),
                text: text.into(),
                request,
            }))
        };
        assert_eq!(parse("local/a/1 get  x "), message(None, "get  x ", false));
        assert_eq!(parse("send local/a/1 get x"), message(None, "get x", false));
        assert_eq!(parse("local/a/1"), message(None, "", false));
        assert_eq!(parse("  send local/a/1 x"), message(None, "x", false));
        assert_eq!(
            parse("request local/a/1 get x"),
            message(None, "get x", true)
        );
        let client = ComponentId::new("acme", "client", "7");
        assert_eq!(
            parse("from acme/client/7 request local/a/1 get x"),
            message(Some(client.clone()), "get x", true)
        );
        assert_eq!(
            parse("from acme/client/7 local/a/1 hi"),
            message(Some(client), "hi", false)
        );
        assert_eq!(parse("health local/a/1"), Ok(Some(Line::Health(a()))));
        assert_eq!(parse("metadata local/a/1"), Ok(Some(Line::Metadata(a()))));
        assert_eq!(parse("help"), Ok(Some(Line::Help)));
        assert_eq!(parse("  # a comment"), Ok(None));
        assert_eq!(parse("   "), Ok(None));
    }

    #[test]
    fn a_wrong_line_says_why_and_the_syntax() {
        for (line, why) in [
            ("nonsense", "\"nonsense\" is not a component id"),
            ("health", "`health` needs the id of a component"),
            ("health local/a/1 now", "takes an id alone"),
            ("from local/a/1 health local/a/1", "(in the place of ID)"),
            ("from nobody local/a/1 x", "(in the place of from SENDER)"),
            ("request", "names no component"),
        ] {
            let error = parse(line).unwrap_err();
            assert!(error.contains(why), "{line}: {error}");
            assert!(error.contains("request ID TEXT"), "{line}: {error}");
        }
    }
}
