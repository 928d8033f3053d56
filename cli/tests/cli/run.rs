//! `airssys run` sessions as a component author drives them: requests and
//! their replies, senders, `initialize`'s config, host settings, `health`
//! and `metadata`, output in the order things happened, readable traps, and
//! stdin acted on line by line.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use airssys_guests::{COUNTER, FAULT_PROBE};

use crate::{airssys, assert_printed, text};

/// A component that shows what `airssys run` gave it (see the file).
const ECHO_WAT: &str = include_str!("echo.wat");

/// Asserts that `lines` are printed in this order, each found after the last.
fn assert_in_order(printed: &str, lines: &[&str]) {
    let mut from = 0;
    for expected in lines {
        match printed[from..].find(expected) {
            Some(at) => from += at + expected.len(),
            None => panic!(
                "{expected:?} is not printed after {:?} in:\n{printed}",
                &printed[..from]
            ),
        }
    }
}

/// The component files of a test, under the names that make their ids.
struct Files(tempfile::TempDir);

impl Files {
    fn new() -> Self {
        Self(tempfile::tempdir().unwrap())
    }

    fn copy(&self, name: &str, from: &str) -> String {
        let to = self.0.path().join(name);
        std::fs::copy(from, &to).unwrap();
        to.display().to_string()
    }

    fn echo(&self, name: &str) -> String {
        let to = self.0.path().join(name);
        std::fs::write(&to, wat::parse_str(ECHO_WAT).unwrap()).unwrap();
        to.display().to_string()
    }
}

#[test]
fn a_request_gets_its_reply_and_a_plain_message_none() {
    let files = Files::new();
    let counter = files.copy("counter.wasm", COUNTER);
    let output = airssys(
        &["run", &counter, "--grant", "local/counter/1=all"],
        "request local/counter/1 increment x\nlocal/counter/1 increment x\n\
         request local/counter/1 get x\nrequest local/counter/1 merge x local/counter/1\n",
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_in_order(
        &printed,
        &[
            "→ local/counter/1 (request cli-1): increment x\n",
            "← local/counter/1 (reply to cli-1): 1\n",
            "→ local/counter/1: increment x\n",
            "← local/counter/1: ok\n",
            "← local/counter/1 (reply to cli-2): 2\n",
            // `merge` answers a request with nothing: to its requester it times out.
            "← local/counter/1: ok, no reply to request cli-3 (a component that asked would get a timeout notice)\n",
            "4 sent, 2 delivered between components, 0 timed out, 0 problems\n",
        ],
    );
}

#[test]
fn the_sender_is_chosen_by_option_and_by_line() {
    let files = Files::new();
    let counter = files.copy("counter.wasm", COUNTER);
    let output = airssys(
        &[
            "run",
            &counter,
            "--grant",
            "local/counter/1=storage",
            "--sender",
            "acme/client/1",
        ],
        "local/counter/1 increment x\nfrom acme/other/2 request local/counter/1 increment x\n",
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_in_order(
        &printed,
        &[
            "→ local/counter/1: increment x\n",
            "info local/counter/1: counted 1 {key=x, by=acme/client/1}\n",
            "→ local/counter/1 (request cli-1 from acme/other/2): increment x\n",
            "info local/counter/1: counted 2 {key=x, by=acme/other/2}\n",
            "← local/counter/1 (reply to cli-1): 2\n",
        ],
    );
}

#[test]
fn config_data_env_vars_and_limits_reach_initialize() {
    let files = Files::new();
    let echo = files.echo("echo.wasm");
    let other = files.echo("other.wasm");
    let config_file = files.0.path().join("other.toml");
    std::fs::write(&config_file, "mode = \"file\"").unwrap();
    let output = airssys(
        &[
            "run",
            &echo,
            &other,
            "--config",
            "local/echo/1=hello config",
            "--env",
            "local/echo/1=GREETING=bonjour",
            "--config-file",
            &format!("local/other/1={}", config_file.display()),
            "--limit",
            "local/echo/1=max_execution_time=1500ms",
            "--host",
            "default_limits.max_execution_time=4s",
        ],
        "request local/echo/1 config\nrequest local/echo/1 env\n\
         request local/other/1 config\nrequest local/other/1 env\n\
         request local/echo/1 limits\nrequest local/other/1 limits\n",
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_in_order(
        &printed,
        &[
            "← local/echo/1 (reply to cli-1): hello config\n",
            "← local/echo/1 (reply to cli-2): bonjour\n",
            "← local/other/1 (reply to cli-3): \"mode = \\\"file\\\"\"\n",
            "← local/other/1 (reply to cli-4): no env\n",
            "← local/echo/1 (reply to cli-5): 1500\n",
            "← local/other/1 (reply to cli-6): 4000\n",
        ],
    );
}

#[test]
fn config_for_a_component_not_loaded_or_given_twice_is_refused() {
    let files = Files::new();
    let echo = files.echo("echo.wasm");
    let ghost = airssys(&["run", &echo, "--config", "local/ghost/1=x"], "");
    assert_eq!(ghost.status.code(), Some(2), "{}", text(&ghost));
    assert_printed(
        &text(&ghost),
        &["local/ghost/1 is given in --config but is none of the components: local/echo/1"],
    );
    let twice = airssys(
        &[
            "run",
            &echo,
            "--config",
            "local/echo/1=x",
            "--config",
            "local/echo/1=y",
        ],
        "",
    );
    assert_eq!(twice.status.code(), Some(2), "{}", text(&twice));
    assert_printed(&text(&twice), &["given config data 2 times"]);
}

#[test]
fn host_settings_reach_the_host_and_a_wrong_one_names_them_all() {
    let files = Files::new();
    let probe = files.copy("fault.wasm", FAULT_PROBE);
    let started = std::time::Instant::now();
    let output = airssys(
        &[
            "run",
            &probe,
            "--host",
            "default_limits.max_execution_time=300ms",
        ],
        "request local/fault/1 {\"probe\":{\"call\":\"spin\"}}\n",
    );
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert_printed(
        &printed,
        &[
            "← local/fault/1: trapped in handle-message",
            "exceeded its execution budget of 300 ms (max-execution-time)",
            "1 sent, 0 delivered between components, 0 timed out, 1 problem\n",
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(4), "{printed}");

    let wrong = airssys(&["run", &probe, "--host", "quota=5"], "");
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong));
    assert_printed(
        &text(&wrong),
        &["`quota` is no host setting; the settings are: storage_quota_bytes, max_keys"],
    );
    let invalid = airssys(&["run", &probe, "--host", "queue_depth=0"], "");
    assert_eq!(invalid.status.code(), Some(2), "{}", text(&invalid));
    assert_printed(
        &text(&invalid),
        &["invalid host setting `queue_depth`: is 0"],
    );
}

#[test]
fn health_and_metadata_are_called_on_demand() {
    let files = Files::new();
    let echo = files.echo("echo.wasm");
    let output = airssys(
        &["run", &echo],
        "health local/echo/1\nmetadata local/echo/1\n",
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_in_order(
        &printed,
        &[
            "loaded local/echo/1 from ",
            " (config-echo 0.3.0), degraded\n",
            "→ local/echo/1: health\n",
            "← local/echo/1: degraded\n",
            "→ local/echo/1: metadata\n",
            "← local/echo/1: metadata\n",
            "    name: \"config-echo\"\n",
            "    version: \"0.3.0\"\n",
            "    description: \"echoes its config\"\n",
            "    author: \"airssys tests\"\n",
            "    license: \"MIT\"\n",
            "    supported-operations: [\"echo\"]\n",
            "    stateful: true\n",
        ],
    );
}

#[test]
fn every_component_is_shut_down_at_the_end_and_a_failure_is_a_problem() {
    let files = Files::new();
    let echo = files.echo("echo.wasm");
    let calm = airssys(&["run", &echo], "local/echo/1 hello\n");
    assert!(calm.status.success(), "{}", text(&calm));
    let output = airssys(&["run", &echo], "local/echo/1 stop badly\n");
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert_in_order(
        &printed,
        &[
            "info local/echo/1: asked to log\n",
            "← local/echo/1: ok\n",
            "← local/echo/1: its shutdown returned err(shutdown-failed(\"asked to fail\"))\n",
            "1 sent, 0 delivered between components, 0 timed out, 1 problem\n",
        ],
    );
}

/// Each call's log records come after the line that caused it and before
/// its outcome; a delivery's after the delivery's own line.
#[test]
fn log_records_print_between_their_cause_and_its_outcome() {
    let files = Files::new();
    let a = files.copy("a.wasm", COUNTER);
    let b = files.copy("b.wasm", COUNTER);
    let output = airssys(
        &[
            "run",
            &a,
            &b,
            "--grant",
            "local/a/1=all",
            "--grant",
            "local/b/1=all",
        ],
        "local/a/1 increment x\nlocal/b/1 merge x local/a/1\n",
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_in_order(
        &printed,
        &[
            "→ local/a/1: increment x\n",
            "info local/a/1: counted 1 {key=x, by=airssys/cli/1}\n",
            "← local/a/1: ok\n",
            "→ local/b/1: merge x local/a/1\n",
            "← local/b/1: ok\n",
            "⇢ local/b/1 → local/a/1 (request ",
            "): get x\n",
            "↩ local/a/1 → local/b/1 (reply to ",
            "): 1\n",
            "info local/b/1: merged 1, now 1 {key=x, peer=local/a/1}\n",
            "2 sent, 2 delivered between components, 0 timed out, 0 problems\n",
        ],
    );
}

#[test]
fn a_trap_prints_its_message_on_its_own_lines_after_the_panic_text() {
    let files = Files::new();
    let echo = files.echo("echo.wasm");
    let probe = files.copy("fault.wasm", FAULT_PROBE);
    let output = airssys(
        &["run", &echo, &probe],
        "local/echo/1 panic\nrequest local/fault/1 {\"probe\":{\"call\":\"trap\"}}\n\
         local/echo/1 again\n",
    );
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert_in_order(
        &printed,
        &[
            "→ local/echo/1: panic\n",
            "error local/echo/1: panicked: boom {panic.location=src/lib.rs:7:5, panic.export=handle-message}\n",
            "← local/echo/1: trapped in handle-message; the component is retired, no call enters it again:\n",
            "    wasm trap: wasm `unreachable` instruction executed\n",
            "    wasm backtrace: 1 frame, innermost first: m!<wasm function ",
            "→ local/fault/1 (request cli-1): ",
            "← local/fault/1: trapped in handle-message;",
            "    wasm trap: wasm `unreachable` instruction executed\n",
            "    wasm backtrace: 6 frames, innermost first: fault_probe.wasm!abort ← ",
            "fault_probe.wasm!<fault_probe::FaultProbe as fault_probe::exports::airssys::core::component_lifecycle::Guest>::handle_message, …\n",
            "← local/echo/1: component `local/echo/1` trapped earlier and cannot be entered again",
            "3 sent, 0 delivered between components, 0 timed out, 3 problems\n",
        ],
    );
    // Frames are summed up, not listed, and nothing is escaped Debug.
    assert!(!printed.contains("error while executing"), "{printed}");
    assert!(!printed.contains("    0: "), "{printed}");
    assert!(!printed.contains("Trapped {"), "{printed}");
}

#[test]
fn a_bad_line_says_the_syntax_and_the_session_goes_on() {
    let files = Files::new();
    let counter = files.copy("counter.wasm", COUNTER);
    let output = airssys(
        &["run", &counter, "--grant", "local/counter/1=storage"],
        "# a comment\nhealth\nrequest local/counter/1 increment x\nmetadata local/ghost/1\n",
    );
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert_in_order(
        &printed,
        &[
            "stdin line 2: `health` needs the id of a component: health ID. Write one of:\n",
            "  request ID TEXT ",
            "← local/counter/1 (reply to cli-1): 1\n",
            "← local/ghost/1: no component `local/ghost/1` is loaded; the components are: local/counter/1\n",
            "1 sent, 0 delivered between components, 0 timed out, 2 problems\n",
        ],
    );
}

#[test]
fn the_help_documents_the_line_syntax_and_the_settings() {
    let output = airssys(&["run", "--help"], "");
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_printed(
        &printed,
        &[
            "request ID TEXT",
            "from SENDER ID TEXT",
            "health ID",
            "metadata ID",
            "default_limits.max_execution_time=5000ms",
            "rate_limits.messages_per_second=10000",
            "--config-file <ID=PATH>",
        ],
    );
}

/// stdin stays open: each line is answered before the next is written.
#[test]
fn stdin_is_acted_on_line_by_line() {
    let files = Files::new();
    let counter = files.copy("counter.wasm", COUNTER);
    let mut child = Command::new(env!("CARGO_BIN_EXE_airssys"))
        .args(["run", &counter, "--grant", "local/counter/1=storage"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("airssys starts");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, printed) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |expected: &str| loop {
        match printed.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => {
                let found = line == expected;
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(_) => panic!(
                "no {expected:?} while stdin stays open; printed:\n{}",
                seen.join("\n")
            ),
        }
    };
    for n in 1..=3 {
        writeln!(stdin, "request local/counter/1 increment x").unwrap();
        stdin.flush().unwrap();
        wait_for(&format!("← local/counter/1 (reply to cli-{n}): {n}"));
    }
    drop(stdin);
    wait_for("3 sent, 0 delivered between components, 0 timed out, 0 problems");
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}
