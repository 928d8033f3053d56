//! The suite judges hosts through adapter processes exactly as in process,
//! and a host that crashes, hangs or babbles gets a verdict, never a hang.
//!
//! The adapters are this test binary itself: started with
//! `AIRSSYS_TEST_ADAPTER=<fixture>`, it serves that fixture on stdin and
//! stdout instead of running the trials (`serve`, called by `main`).

use std::io::BufRead;
use std::process::ExitCode;
use std::time::Duration;

use airssys_conformance::{Contract, Outcome, Report, Suite, TimeLimits};
use airssys_reference_adapter::{ReferenceHost, Registration};
use libtest_mimic::Trial;

use crate::broken;
use crate::broken::defects::{self, sleep_millis_never_returns};

/// The variable that makes this binary an adapter serving the fixture it names.
pub const FIXTURE: &str = "AIRSSYS_TEST_ADAPTER";

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "the_reference_host_through_its_adapter_matches_in_process",
            reference_matches,
        ),
        trial(
            "the_design_notes_registration_through_an_adapter",
            design_notes,
        ),
        trial(
            "behaviour_defects_keep_their_attribution_through_an_adapter",
            defects,
        ),
        trial(
            "a_host_call_that_never_returns_times_out_alone",
            hanging_host,
        ),
        trial(
            "a_host_call_that_never_returns_times_out_alone_in_process",
            hanging_host_in_process,
        ),
        trial(
            "an_adapter_that_exits_at_start_is_one_clear_error",
            exits_at_start,
        ),
        trial("an_adapter_that_never_answers_is_stopped", never_answers),
        trial(
            "an_adapter_that_prints_garbage_is_one_clear_error",
            prints_garbage,
        ),
        trial(
            "an_adapter_of_another_protocol_version_is_refused",
            other_protocol,
        ),
        trial(
            "refusals_in_words_the_suite_cannot_read_are_judged_by_the_imports_they_name",
            unreadable_words,
        ),
    ]
}

fn trial(name: &str, test: fn()) -> Trial {
    crate::check(module_path!(), name, test)
}

/// What the test binary does when started as an adapter: the fixtures of
/// this module, and each function's first defect under the function's path
/// (`storage::get`, for `reports.rs` too).
pub fn serve(fixture: &str) -> ExitCode {
    if let Some(inner) = fixture.strip_prefix(UNREADABLE) {
        return serve_in_other_words(inner);
    }
    if let Some(inner) = fixture.strip_prefix(crate::semver_hosts::AS_1_3) {
        return crate::semver_hosts::serve_as_1_3(inner);
    }
    let registration: Registration = match fixture {
        "reference" => airssys_host::register_host_functions,
        "design-notes" => broken::design_notes,
        "wrong-signatures" => broken::wrong_signatures,
        "missing-cancel-request" => broken::missing_cancel_request,
        "sleep-never-returns" => sleep_millis_never_returns,
        "exits" => {
            eprintln!("cannot open the host's configuration file");
            return ExitCode::from(3);
        }
        "silent" => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        "garbage" => {
            println!("Starting my-host v2 ...");
            return airssys_conformance::serve(ReferenceHost::new());
        }
        "other-protocol" => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).unwrap();
            let hello = r#"{"answer":"hello","protocol":99,"adapter":"future","version":"9","host":"h","wasmtime":"99.0.0","supports":{"load":false,"runtime":false,"traps":false}}"#;
            println!("{hello}");
            return ExitCode::SUCCESS;
        }
        other => match defects::of(other) {
            Some(defect) => defect.registration,
            None => crate::semver_hosts::registration(other)
                .unwrap_or_else(|| panic!("no adapter fixture {other:?}")),
        },
    };
    airssys_conformance::serve(ReferenceHost::with_registration(fixture, registration))
}

/// The fixture prefix of a host whose refusals are in words no reader knows.
const UNREADABLE: &str = "in-other-words:";

/// Serves fixture `inner` through a second adapter process, replacing the
/// words of every refusal that names its unsatisfied imports with "nein":
/// a host on another runtime, whose adapter speaks protocol 1.1.
fn serve_in_other_words(inner: &str) -> ExitCode {
    use airssys_conformance_adapter::{AdapterError, Response};

    relay(inner, |answer| {
        match serde_json::from_str::<Response>(answer) {
            Ok(Response::Refused { unsatisfied, .. }) if !unsatisfied.is_empty() => {
                let refusal = AdapterError::msg("nein").with_unsatisfied(unsatisfied);
                serde_json::to_string(&Response::from(refusal)).unwrap()
            }
            _ => answer.trim_end().to_owned(),
        }
    })
}

/// Serves fixture `inner` through a second adapter process, which passes
/// each request on and writes each answer as `rewrite` makes it: an adapter
/// that answers as another one would.
pub fn relay(inner: &str, mut rewrite: impl FnMut(&str) -> String) -> ExitCode {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(FIXTURE, inner)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the inner adapter starts");
    let mut to_inner = child.stdin.take().unwrap();
    let mut from_inner = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        writeln!(to_inner, "{line}").unwrap();
        to_inner.flush().unwrap();
        let mut answer = String::new();
        if from_inner.read_line(&mut answer).unwrap() == 0 {
            break;
        }
        writeln!(out, "{}", rewrite(&answer)).unwrap();
        out.flush().unwrap();
    }
    // The inner adapter ends when its stdin closes, as the protocol says.
    drop(to_inner);
    match child.wait() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

fn through_adapter(fixture: &str) -> Suite {
    let exe = std::env::current_exe().unwrap();
    Suite::adapter(format!("{FIXTURE}={fixture} '{}'", exe.display())).seed(broken::SEED)
}

fn in_process(name: &str, registration: Registration) -> Report {
    Suite::new(ReferenceHost::with_registration(name, registration))
        .seed(broken::SEED)
        .evaluate()
        .expect("the host starts")
}

fn failed(report: &Report) -> Vec<&str> {
    let mut names = report.failed_names();
    names.sort();
    names
}

fn reference_matches() {
    let contract = Contract::bundled();
    let through = through_adapter("reference")
        .evaluate()
        .expect("the adapter starts");
    let inside = in_process("reference", airssys_host::register_host_functions);
    assert_eq!(failed(&through), Vec::<&str>::new());
    assert_eq!(through.review(), inside.review());
    assert!(through.provenance.adapter.starts_with("self_checks"));
    assert_eq!(through.provenance.wasmtime, inside.provenance.wasmtime);
    assert_eq!(through.provenance.wit_digest, contract.digest());
    insta::assert_snapshot!("reference", through.review());
}

fn design_notes() {
    let contract = Contract::bundled();
    let through = through_adapter("design-notes")
        .evaluate()
        .expect("the adapter starts");
    let inside = in_process("design-notes", broken::design_notes);
    assert_eq!(through.review(), inside.review());
    // Every name fails, and the five result types (broken_hosts.rs says which).
    assert_eq!(failed(&through), failed(&inside));
    assert_eq!(
        failed(&through).len(),
        contract.functions().len() + 5,
        "{:#?}",
        failed(&through)
    );
}

fn defects() {
    for function in [
        "storage::get",
        "host-messaging::send",
        "host-services::current-time",
    ] {
        let defect = defects::of(function).unwrap();
        let report = through_adapter(function)
            .evaluate()
            .expect("the adapter starts");
        let expected = defect.failing_trials();
        assert_eq!(failed(&report), expected, "{function}: {}", defect.what);
    }
}

fn hanging_host() {
    times_out_alone(through_adapter("sleep-never-returns"));
}

/// The call is left to its thread, which the suite no longer waits for.
fn hanging_host_in_process() {
    times_out_alone(Suite::new(ReferenceHost::with_registration(
        "sleep never returns",
        sleep_millis_never_returns,
    )));
}

/// Long enough that no other trial comes near it on a loaded 2-core machine,
/// short enough to keep the test quick.
fn times_out_alone(suite: Suite) {
    let limits = TimeLimits {
        trial: Duration::from_secs(8),
        ..TimeLimits::default()
    };
    let report = suite.limits(limits).evaluate().expect("the host starts");
    assert_eq!(
        failed(&report),
        ["host-services::sleep-millis::behaviour::SVC-4"]
    );
    let trial = report.failures().next().unwrap();
    let Outcome::Failed(message) = &trial.outcome else {
        unreachable!()
    };
    assert!(
        message.contains("the time limit of 8 s ran out")
            && message.contains("`host-services::sleep-millis`"),
        "{message}"
    );
    let passed = report
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Passed)
        .count();
    assert_eq!(passed, report.trials.len() - 1);
}

fn exits_at_start() {
    let error = through_adapter("exits").evaluate().unwrap_err().to_string();
    assert!(error.contains("exited (exit status: 3"), "{error}");
    assert!(error.contains("before answering `hello`"), "{error}");
    assert!(
        error.contains("cannot open the host's configuration file"),
        "{error}"
    );
}

fn never_answers() {
    let limits = TimeLimits {
        startup: Duration::from_secs(2),
        ..TimeLimits::default()
    };
    let error = through_adapter("silent")
        .limits(limits)
        .evaluate()
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("did not answer `hello` within 2 s and was stopped"),
        "{error}"
    );
}

fn prints_garbage() {
    let error = through_adapter("garbage")
        .evaluate()
        .unwrap_err()
        .to_string();
    assert!(error.contains("not a protocol message"), "{error}");
    assert!(error.contains("Starting my-host v2"), "{error}");
}

fn other_protocol() {
    let error = through_adapter("other-protocol")
        .evaluate()
        .unwrap_err()
        .to_string();
    assert!(error.contains("protocol version 99"), "{error}");
}

/// Protocol 1.1: with every refusal's words replaced ("nein"), the names and
/// signatures of registrations with misplaced, mistyped and missing
/// functions are judged as in process, from the imports the refusals name,
/// and nothing is left unjudged.
fn unreadable_words() {
    let hosts: [(&str, Registration); 3] = [
        ("design-notes", broken::design_notes),
        ("wrong-signatures", broken::wrong_signatures),
        ("missing-cancel-request", broken::missing_cancel_request),
    ];
    for (fixture, registration) in hosts {
        let inside = in_process(fixture, registration);
        let other_words = through_adapter(&format!("{UNREADABLE}{fixture}"))
            .evaluate()
            .expect("the adapter starts");
        assert_eq!(failed(&other_words), failed(&inside), "{fixture}");
        assert_eq!(
            other_words.tally().ignored,
            inside.tally().ignored,
            "{fixture}"
        );
        assert!(!failed(&inside).is_empty(), "{fixture}");
    }
    let missing = through_adapter(&format!("{UNREADABLE}missing-cancel-request"))
        .evaluate()
        .expect("the adapter starts");
    let name = missing
        .trials
        .iter()
        .find(|t| t.name == "host-messaging::cancel-request::name")
        .unwrap();
    let Outcome::Failed(message) = &name.outcome else {
        panic!("{:?}", name.outcome);
    };
    assert!(message.contains("missing function"), "{message}");
    assert!(message.contains("the host says: nein"), "{message}");
}
