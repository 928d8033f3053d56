//! `airssys run`: load, send, deliver, print.

use std::io::{BufRead, IsTerminal, Read};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use airssys_host::messaging::router::{DeliveryKind, TIMEOUT_CONTENT_TYPE};
use airssys_host::runtime::Delivered;
use airssys_host::{
    AirssysHost, Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions, Runtime,
    StorageConfig,
};

use crate::args::{RunArgs, parse_id};
use crate::output::{PrintedLogs, Style, id, line, payload};

/// The sender of what `airssys run` sends.
fn cli_id() -> ComponentId {
    ComponentId::new("airssys", "cli", "1")
}

/// `local/<file name without .wasm>/1`.
fn default_id(file: &Path) -> Result<ComponentId, String> {
    let name = file
        .file_stem()
        .and_then(|stem| stem.to_str())
        .filter(|stem| !stem.is_empty())
        .ok_or_else(|| {
            format!(
                "{}: no file name to make an id of; give one with --id",
                file.display()
            )
        })?;
    Ok(ComponentId::new("local", name, "1"))
}

#[derive(Default)]
struct Tally {
    sent: usize,
    problems: usize,
    delivered: usize,
    timeouts: usize,
}

pub fn run(args: RunArgs) -> Result<ExitCode, String> {
    let style = Style::for_stdout();
    let storage = args
        .storage
        .clone()
        .map(StorageConfig::Redb)
        .unwrap_or_default();
    let config = HostConfig {
        storage,
        ..HostConfig::default()
    };
    let host = AirssysHost::new(config)
        .map_err(|e| e.to_string())?
        .with_log_sink(Arc::new(PrintedLogs(style)));
    let runtime = Runtime::with_host(host).map_err(|e| e.to_string())?;

    let mut ids = Vec::new();
    for file in &args.components {
        let given = args
            .ids
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, id)| id.clone());
        ids.push(match given {
            Some(id) => id,
            None => default_id(file)?,
        });
    }
    let named = args.grants.iter().map(|(id, _)| id);
    for named in named.chain(args.sends.iter().map(|(id, _)| id)) {
        if !ids.contains(named) {
            return Err(format!(
                "{} is given in --grant or --send but is none of the components: {}",
                id(named),
                ids.iter().map(id).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for (file, component_id) in args.components.iter().zip(&ids) {
        let mut capabilities = Capabilities::default();
        for (granted, grant) in &args.grants {
            if granted == component_id {
                grant.add_to(&mut capabilities);
            }
        }
        let component = runtime
            .compile_file(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        runtime
            .load(
                component_id.clone(),
                &component,
                LoadOptions::granting(capabilities),
            )
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let registration = runtime.host().registry().get(component_id);
        let (name, version) = registration
            .map(|r| (r.name, r.version))
            .unwrap_or_default();
        line(&format!(
            "loaded {} from {} ({} {})",
            id(component_id),
            file.display(),
            crate::output::shown(&name),
            crate::output::shown(&version)
        ));
    }

    let mut tally = Tally::default();
    let deliver = |tally: &mut Tally| {
        let report = runtime.run_until_idle_observed(args.deliver_for, &mut |delivered| {
            print_delivery(style, &delivered)
        });
        tally.delivered += report.delivered;
        tally.timeouts += report.timeouts;
        tally.problems += report.problems.len() + report.problems_dropped;
    };
    deliver(&mut tally);
    if !args.sends.is_empty() {
        for (target, text) in &args.sends {
            send(&runtime, style, target, text, &mut tally);
            deliver(&mut tally);
        }
    } else if !std::io::stdin().is_terminal() {
        let mut stdin = std::io::stdin().lock();
        let mut number = 0;
        while let Some(read) = next_line(&mut stdin).map_err(|e| format!("reading stdin: {e}"))? {
            number += 1;
            let parsed = read.and_then(|text| {
                if text.trim().is_empty() {
                    return Ok(None);
                }
                parse_line(&text).map(|(target, message)| Some((target, message.to_owned())))
            });
            match parsed {
                Ok(None) => continue,
                Ok(Some((target, message))) => send(&runtime, style, &target, &message, &mut tally),
                Err(why) => {
                    tally.problems += 1;
                    style.problem_line(&format!("stdin line {number}{why}"));
                }
            }
            deliver(&mut tally);
        }
    }
    line(&format!(
        "{} sent, {} delivered between components, {} timed out, {} problems",
        tally.sent, tally.delivered, tally.timeouts, tally.problems
    ));
    Ok(if tally.problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The longest stdin line read: a line holds one message, and no message
/// may be longer than the contract's limit.
const LINE_BYTES: usize = airssys_contract::limits::MESSAGE_BYTES;

/// The next line of `input`: `None` at its end; `Err` (what follows the line
/// number) for a line that is not UTF-8 or longer than [`LINE_BYTES`], which
/// is skipped whole, so the lines after it still run.
fn next_line(input: &mut impl BufRead) -> std::io::Result<Option<Result<String, String>>> {
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

/// `ID TEXT`: the rest of the line after the id is the message.
fn parse_line(text: &str) -> Result<(ComponentId, &str), String> {
    let (target, message) = text.split_once(' ').unwrap_or((text, ""));
    let target = parse_id(target).map_err(|e| format!(": {e}; a line is `ID TEXT`"))?;
    Ok((target, message))
}

fn send(runtime: &Runtime, style: Style, target: &ComponentId, text: &str, tally: &mut Tally) {
    tally.sent += 1;
    line(&format!("→ {}: {}", id(target), payload(text.as_bytes())));
    let message = ComponentMessage::new(cli_id(), text.as_bytes().to_vec());
    match runtime.invoke(target, &message) {
        Ok(Ok(Some(reply))) => line(&format!("← {}: {}", id(target), payload(&reply))),
        Ok(Ok(None)) => line(&format!("← {}: ok, no reply", id(target))),
        Ok(Err(error)) => {
            tally.problems += 1;
            style.problem_line(&format!("← {}: err({error:?})", id(target)));
        }
        Err(call) => {
            tally.problems += 1;
            style.problem_line(&format!("← {}: {call}", id(target)));
        }
    }
}

/// One delivery between components: a message, a request, a reply, or a
/// request's timeout; then its problem, if it had one.
fn print_delivery(style: Style, delivered: &Delivered<'_>) {
    let message = delivered.message;
    let (from, to) = (id(&message.sender), id(delivered.target));
    let correlation = message.metadata.correlation_id.as_deref().unwrap_or("?");
    let timed_out = message.metadata.content_type.as_deref() == Some(TIMEOUT_CONTENT_TYPE);
    line(&match delivered.kind {
        DeliveryKind::Message => format!("⇢ {from} → {to}: {}", payload(&message.payload)),
        DeliveryKind::Request => format!(
            "⇢ {from} → {to} (request {correlation}): {}",
            payload(&message.payload)
        ),
        DeliveryKind::Callback if timed_out => {
            format!("↩ {to}: its request {correlation} to {from} timed out")
        }
        DeliveryKind::Callback => format!(
            "↩ {from} → {to} (reply to {correlation}): {}",
            payload(&message.payload)
        ),
    });
    if let Err(problem) = delivered.outcome {
        style.problem_line(&format!(
            "  not delivered: {}",
            crate::output::shown(problem)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<Result<String, String>> {
        let mut input = input;
        std::iter::from_fn(|| next_line(&mut input).unwrap()).collect()
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
}
