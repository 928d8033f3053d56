//! The suite proves itself: the reference host fails no trial, and each
//! deliberately broken host fails exactly the trials of the function and
//! aspect its mistake is in. Reviewed as insta snapshots of the matrix.

use airssys_conformance::contract::HostFn;
use airssys_conformance::{Contract, Outcome, Report, Suite};
use airssys_reference_adapter::{ReferenceHost, Registration};
use libtest_mimic::Trial;

use crate::broken::defects::{DEFECTS, Defect};
use crate::broken::dynamic::{Answers, DYNAMIC};
use crate::broken::grants::OVER_GRANTS;
use crate::broken::{self, sorted};

pub fn trials() -> Vec<Trial> {
    checks![
        the_reference_host_passes_every_trial,
        a_registration_by_hand_is_judged_as_bindgen_is,
        the_design_notes_registration_fails_every_name_and_the_result_types,
        a_wrong_type_fails_only_that_signature,
        a_missing_function_fails_only_its_name,
        every_function_has_a_behaviour_defect_fixture,
        each_behaviour_defect_fails_exactly_its_functions_trials,
        without_a_runtime_the_runtime_trials_are_ignored_not_passed,
        without_wasi_only_the_clauses_about_wasi_are_not_judged_and_the_matrix_says_why_once,
        each_over_granting_host_fails_exactly_the_grant_trials_of_what_it_over_grants,
        a_dynamic_registration_is_judged_by_its_answers,
    ]
}

fn evaluate(name: &str, registration: Registration) -> Report {
    let suite = Suite::new(ReferenceHost::with_registration(name, registration)).seed(broken::SEED);
    suite.evaluate().expect("the host starts")
}

fn failed(report: &Report) -> Vec<String> {
    let mut names: Vec<String> = report
        .failed_names()
        .into_iter()
        .map(String::from)
        .collect();
    names.sort();
    names
}

/// Every message of a failed or ignored trial that speaks Rust instead of
/// WIT: an `assert_eq!`'s `left:`, `Some(…)`/`None`, a struct's Debug.
fn rust_words(report: &Report) -> Vec<String> {
    const RUST: [&str; 6] = [
        "left:",
        "right:",
        "Some(",
        "None",
        "{ namespace:",
        "assertion",
    ];
    report
        .trials
        .iter()
        .filter_map(|t| match &t.outcome {
            Outcome::Failed(message) | Outcome::Ignored(message) => Some((t, message)),
            _ => None,
        })
        .filter(|(_, message)| RUST.iter().any(|word| message.contains(word)))
        .map(|(t, message)| format!("{}: {message}", t.name))
        .collect()
}

fn ignored(report: &Report) -> Vec<&str> {
    report
        .trials
        .iter()
        .filter(|t| matches!(t.outcome, Outcome::Ignored(_)))
        .map(|t| t.name.as_str())
        .collect()
}

fn the_reference_host_passes_every_trial() {
    let report = evaluate("reference", airssys_host::register_host_functions);
    assert_eq!(failed(&report), Vec::<String>::new());
    assert_eq!(ignored(&report), Vec::<&str>::new());
    assert_eq!(report.matrix().len(), 17);
    // Its matrix is the snapshot `reference` of `adapters.rs`, which
    // checks that the adapter process gives the same.
}

fn a_registration_by_hand_is_judged_as_bindgen_is() {
    let report = evaluate("by hand", broken::by_hand_correct);
    assert_eq!(failed(&report), Vec::<String>::new());
    assert_eq!(ignored(&report), Vec::<&str>::new());
}

fn the_design_notes_registration_fails_every_name_and_the_result_types() {
    let report = evaluate("design notes", broken::design_notes);
    let contract = Contract::bundled();
    let names = contract
        .functions()
        .iter()
        .map(|f| format!("{}::name", f.path()));
    let results = [
        "storage::set",
        "storage::delete",
        "host-messaging::send",
        "host-messaging::cancel-request",
        "host-messaging::broadcast",
    ]
    .map(|f| format!("{f}::signature"));
    assert_eq!(failed(&report), sorted(names.chain(results)));
    let message = |name: &str| {
        let trial = report.trials.iter().find(|t| t.name == name).unwrap();
        format!("{:?}", trial.outcome)
    };
    assert!(message("host-messaging::send::name").contains("bare name `host-messaging`"));
    assert!(
        message("host-messaging::send::signature")
            .contains("expected `result<_, messaging-error>`, found `()`"),
        "{}",
        message("host-messaging::send::signature")
    );
    let behaviour = report
        .trials
        .iter()
        .filter(|t| t.name.contains("::behaviour::"));
    for trial in behaviour {
        assert!(
            matches!(trial.outcome, Outcome::Ignored(_)),
            "{} must be ignored while its function cannot be called: {:?}",
            trial.name,
            trial.outcome
        );
    }
    insta::assert_snapshot!("design-notes", report.review());
}

fn a_wrong_type_fails_only_that_signature() {
    let report = evaluate("wrong signatures", broken::wrong_signatures);
    let expected = [
        "storage::list-keys",
        "host-messaging::self-id",
        "host-services::current-time-millis",
    ]
    .map(|f| format!("{f}::signature"));
    assert_eq!(
        failed(&report),
        sorted(expected),
        "{}",
        report.to_markdown()
    );
    insta::assert_snapshot!("wrong-signatures", report.review());
}

fn a_missing_function_fails_only_its_name() {
    let report = evaluate("missing cancel-request", broken::missing_cancel_request);
    assert_eq!(failed(&report), ["host-messaging::cancel-request::name"]);
    assert_eq!(
        ignored(&report),
        [
            "host-messaging::cancel-request::signature",
            "host-messaging::cancel-request::behaviour::MSG-7"
        ]
    );
    insta::assert_snapshot!("missing-function", report.review());
}

fn every_function_has_a_behaviour_defect_fixture() {
    for function in HostFn::ALL {
        assert!(
            DEFECTS.iter().any(|d| d.function == function),
            "no behaviour defect fixture for {function}"
        );
    }
}

/// Each defect's name and report, in order. A few at a time: much of a
/// run is waiting (sleeps, timeouts, the disk), not computing.
fn evaluate_all(defects: &[Defect]) -> Vec<(String, Report)> {
    let hosts: Vec<(String, Registration)> = defects
        .iter()
        .map(|d| (format!("{}: {}", d.function, d.what), d.registration))
        .collect();
    evaluate_hosts(&hosts)
}

/// Each host's name and report, in order, three hosts at a time.
fn evaluate_hosts(hosts: &[(String, Registration)]) -> Vec<(String, Report)> {
    const AT_ONCE: usize = 3;
    let next = std::sync::Mutex::new(hosts.iter().enumerate());
    let done = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE {
            scope.spawn(|| {
                loop {
                    let Some((index, (name, registration))) = next.lock().unwrap().next() else {
                        break;
                    };
                    let report = evaluate(name, *registration);
                    done.lock().unwrap().push((index, name.clone(), report));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(index, _, _)| *index);
    done.into_iter()
        .map(|(_, name, report)| (name, report))
        .collect()
}

/// The snapshot names, `<kind>-<function>-<name>`: two alike would judge
/// two hosts against one snapshot, with a diff that says nothing of why.
fn snapshot_names(kind: &str, named: impl Iterator<Item = (HostFn, &'static str)>) -> Vec<String> {
    let names: Vec<String> = named
        .map(|(function, name)| format!("{kind}-{}-{name}", function.path().replace("::", "-")))
        .collect();
    let mut once = names.clone();
    once.sort();
    once.dedup();
    assert_eq!(
        once.len(),
        names.len(),
        "two {kind} fixtures of one function share a name: {names:#?}"
    );
    names
}

fn each_behaviour_defect_fails_exactly_its_functions_trials() {
    let snapshots = snapshot_names("defect", DEFECTS.iter().map(|d| (d.function, d.name)));
    let mut wrong = Vec::new();
    let reports = evaluate_all(DEFECTS);
    for ((defect, snapshot), (name, report)) in DEFECTS.iter().zip(snapshots).zip(reports) {
        let expected = defect.failing_trials();
        let got = failed(&report);
        wrong.extend(rust_words(&report));
        if got != expected {
            wrong.push(format!(
                "{name}\n  expected to fail {expected:?}\n  failed {got:?}\n{}",
                report.to_markdown()
            ));
        }
        insta::assert_snapshot!(snapshot, report.review());
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

fn without_a_runtime_the_runtime_trials_are_ignored_not_passed() {
    let suite = Suite::new(ReferenceHost::new().linker_only()).seed(broken::SEED);
    let report = suite.evaluate().expect("the host starts");
    assert_eq!(
        failed(&report),
        Vec::<String>::new(),
        "{}",
        report.to_markdown()
    );
    let ignored = ignored(&report);
    assert!(
        ignored.contains(&"host-messaging::send::behaviour::MSG-2"),
        "{ignored:?}"
    );
    assert!(
        ignored.contains(&"storage::set::behaviour::STO-11"),
        "{ignored:?}"
    );
    assert!(
        !ignored.contains(&"storage::get::behaviour::STO-1"),
        "{ignored:?}"
    );
    for trial in &report.trials {
        if let Outcome::Ignored(reason) = &trial.outcome {
            assert!(
                reason.contains("HostUnderTest::runtime"),
                "{}: {reason}",
                trial.name
            );
        }
    }
}

fn without_wasi_only_the_clauses_about_wasi_are_not_judged_and_the_matrix_says_why_once() {
    let suite = Suite::new(ReferenceHost::new().without_wasi()).seed(broken::SEED);
    let report = suite.evaluate().expect("the host starts");
    assert_eq!(failed(&report), Vec::<String>::new());
    let about_wasi: Vec<&str> = report
        .trials
        .iter()
        .filter(|t| matches!(&t.outcome, Outcome::Ignored(reason) if reason.contains("provides no WASI")))
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        about_wasi,
        [
            "host-services::log::behaviour::SVC-1.3",
            "host-services::sleep-millis::behaviour::SVC-4.2"
        ]
    );
    // Storage, clocks and sleep are judged with components that import the contract alone.
    for judged in [
        "storage::get::behaviour::STO-1",
        "host-services::current-time::behaviour::SVC-2",
        "host-services::sleep-millis::behaviour::SVC-4",
    ] {
        let trial = report.trials.iter().find(|t| t.name == judged).unwrap();
        assert_eq!(trial.outcome, Outcome::Passed, "{judged}");
    }
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    assert!(
        report.notes[0].contains("no WASI 0.2") && report.notes[0].contains("SVC-1.3 and SVC-4.2"),
        "{}",
        report.notes[0]
    );
    assert_eq!(
        report.matrix_markdown().matches("provides no WASI").count(),
        1
    );
}

fn each_over_granting_host_fails_exactly_the_grant_trials_of_what_it_over_grants() {
    let mut wrong = Vec::new();
    for over in OVER_GRANTS {
        let host =
            ReferenceHost::with_registration(over.what, airssys_host::register_host_functions)
                .with_grants(over.grants);
        let report = Suite::new(host)
            .seed(broken::SEED)
            .evaluate()
            .expect("the host starts");
        let expected = sorted(over.fails.iter().map(|name| name.to_string()));
        let got = failed(&report);
        if got != expected {
            wrong.push(format!(
                "{}\n  expected to fail {expected:?}\n  failed {got:?}\n{}",
                over.what,
                report.to_markdown()
            ));
        }
        insta::assert_snapshot!(format!("over-grant-{}", over.name), report.review());
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// `func_new` registers a function whose type wasmtime checks only when it
/// lowers an answer, so instantiation says nothing of it: each dynamic host
/// is judged by its answers, on each branch. One that answers another type
/// fails its signature and nothing else (its behaviour is not judged, naming
/// the signature); one that answers right fails nothing; one whose branch
/// fails for another reason has its signature not judged, never passed.
fn a_dynamic_registration_is_judged_by_its_answers() {
    let snapshots = snapshot_names("dynamic", DYNAMIC.iter().map(|d| (d.function, d.name)));
    let hosts: Vec<(String, Registration)> = DYNAMIC
        .iter()
        .map(|d| (format!("{}: {}", d.function, d.what), d.registration))
        .collect();
    let mut wrong = Vec::new();
    for ((dynamic, snapshot), (name, report)) in
        DYNAMIC.iter().zip(snapshots).zip(evaluate_hosts(&hosts))
    {
        let path = dynamic.function.path();
        let got = failed(&report);
        wrong.extend(rust_words(&report));
        let signature = report
            .trials
            .iter()
            .find(|t| t.name == format!("{path}::signature"))
            .expect("a signature trial");
        let own = |name: &str| name.starts_with(&format!("{path}::"));
        let as_due = match dynamic.answers {
            Answers::Typed => got.is_empty() && ignored(&report).is_empty(),
            Answers::Mistyped => {
                let worded = matches!(&signature.outcome, Outcome::Failed(message)
                    if message.contains("with a value of another type than the contract's")
                        && !message.contains("trapped"));
                let behaviour_ignored = report
                    .trials
                    .iter()
                    .filter(|t| t.name.starts_with(&format!("{path}::behaviour")))
                    .all(|t| matches!(&t.outcome, Outcome::Ignored(why) if why.contains("signature trial")));
                // Trials of other functions that need this one are not
                // judged, and say why; none is ignored for another reason.
                let ignored_for_another_reason = report.trials.iter().any(|t| {
                    matches!(&t.outcome, Outcome::Ignored(why)
                        if !own(&t.name)
                            && !why.contains(&format!("`{path}`"))
                            && !why.contains(&format!("`{}`", dynamic.function.name())))
                });
                got == [format!("{path}::signature")]
                    && worded
                    && behaviour_ignored
                    && !ignored_for_another_reason
            }
            Answers::Unseen => {
                matches!(&signature.outcome, Outcome::Ignored(why) if why.contains("not seen"))
                    && !got.is_empty()
                    && got
                        .iter()
                        .all(|name| own(name) && name.contains("::behaviour::"))
            }
        };
        if !as_due {
            let reasons: Vec<String> = report
                .trials
                .iter()
                .filter_map(|t| match &t.outcome {
                    Outcome::Ignored(why) | Outcome::Failed(why) => {
                        Some(format!("{}: {why}", t.name))
                    }
                    _ => None,
                })
                .collect();
            wrong.push(format!(
                "{name}: expected {:?}\n  failed {got:?}\n  not passed {reasons:#?}",
                dynamic.answers
            ));
        }
        insta::assert_snapshot!(snapshot, report.review());
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
