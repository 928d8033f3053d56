//! Semver, stated: a host that registers `storage` under another version
//! than the contract's gets a name verdict that says how the name was found.
//! Exactly: a plain pass. Another version of the contract's semver track
//! (`@1.0.1`, `@1.1.0`): a pass, with the note that wasmtime links it by
//! semver and a runtime without semver matching would not. Another major,
//! a pre-release or no version: a failure that says why in semver's words
//! and how to fix it. Each host is the reference host's functions
//! registered by hand, `storage` under the name the case names.

use airssys_conformance::{Outcome, Report, Suite};
use airssys_host::runtime::ComponentState;
use airssys_reference_adapter::{ReferenceHost, Registration};
use libtest_mimic::Trial;
use wasmtime::component::Linker;

use crate::broken::by_hand::{self, Mistakes, NONE};
use crate::broken::{self, sorted};

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = CASES
        .iter()
        .map(|case| {
            let name = crate::trial_name(module_path!(), case.name);
            Trial::test(name, move || {
                judge(case);
                Ok(())
            })
        })
        .collect();
    trials.extend(checks![
        the_verdict_through_an_adapter_process_is_the_one_in_process,
        through_an_adapter_of_protocol_1_3_how_names_were_found_cannot_be_seen
    ]);
    trials
}

/// One host: `storage` registered under another name, and what its name
/// verdicts must say.
struct Case {
    /// The trial's and the snapshot's name.
    name: &'static str,
    registration: Registration,
    /// `Some(words)`: every `storage` name passes, and one note contains
    /// the words. `None`: no note at all.
    note: Option<&'static str>,
    /// Words every `storage` name failure contains; empty: none fails.
    failure: &'static str,
}

/// `storage` registered under `$instance`, the other interfaces where
/// components import them.
macro_rules! storage_at {
    ($function:ident, $instance:literal) => {
        fn $function(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
            fn instance(interface: &str) -> String {
                match interface {
                    "storage" => $instance.to_owned(),
                    other => by_hand::qualified(other),
                }
            }
            by_hand::register(linker, Mistakes { instance, ..NONE })
        }
    };
}

storage_at!(exact, "airssys:core/storage@1.0.0");
storage_at!(patch, "airssys:core/storage@1.0.1");
storage_at!(minor, "airssys:core/storage@1.1.0");
storage_at!(major, "airssys:core/storage@2.0.0");
storage_at!(unversioned, "airssys:core/storage");
storage_at!(pre_release, "airssys:core/storage@1.0.0-rc.1");

const CASES: [Case; 6] = [
    Case {
        name: "storage-at-1.0.0",
        registration: exact,
        note: None,
        failure: "",
    },
    Case {
        name: "storage-at-1.0.1",
        registration: patch,
        note: Some(
            "registered at `@1.0.1`; wasmtime links `@1.0.0` guests to them by semver; a \
             runtime without semver matching would not",
        ),
        failure: "",
    },
    Case {
        name: "storage-at-1.1.0",
        registration: minor,
        note: Some(
            "registered at `@1.1.0`; wasmtime links `@1.0.0` guests to them by semver; a \
             runtime without semver matching would not",
        ),
        failure: "",
    },
    Case {
        name: "storage-at-2.0.0",
        registration: major,
        note: None,
        failure: "on another semver track (`2.x` where the contract's version 1.0.0 is on \
                  `1.x`)",
    },
    Case {
        name: "storage-unversioned",
        registration: unversioned,
        note: None,
        failure: "without a version: an unversioned name matches only itself",
    },
    Case {
        name: "storage-at-1.0.0-rc.1",
        registration: pre_release,
        note: None,
        failure: "a pre-release: a pre-release name matches only itself",
    },
];

fn evaluate(case: &Case) -> Report {
    Suite::new(ReferenceHost::with_registration(
        case.name,
        case.registration,
    ))
    .seed(broken::SEED)
    .evaluate()
    .expect("the host starts")
}

fn storage_names(report: &Report) -> Vec<String> {
    sorted(
        report
            .trials
            .iter()
            .filter(|t| t.name.starts_with("storage::") && t.name.ends_with("::name"))
            .map(|t| t.name.clone()),
    )
}

fn judge(case: &Case) {
    let report = evaluate(case);
    let mut failed: Vec<String> = report
        .failed_names()
        .into_iter()
        .map(String::from)
        .collect();
    failed.sort();
    if case.failure.is_empty() {
        assert_eq!(failed, Vec::<String>::new(), "{}", case.name);
    } else {
        // Exactly the names of `storage`: their signatures are judged where
        // the host put them, and their behaviour is not judged.
        assert_eq!(failed, storage_names(&report), "{}", case.name);
        assert_eq!(failed.len(), 6, "{}", case.name);
        for trial in report.trials.iter().filter(|t| failed.contains(&t.name)) {
            let Outcome::Failed(message) = &trial.outcome else {
                unreachable!()
            };
            assert!(message.contains(case.failure), "{}: {message}", trial.name);
            assert!(
                message.contains("register it at `airssys:core/storage@1.0.0`"),
                "{}: {message}",
                trial.name
            );
        }
    }
    match case.note {
        None => assert_eq!(report.notes, Vec::<String>::new(), "{}", case.name),
        Some(words) => {
            assert_eq!(report.notes.len(), 1, "{}: {:?}", case.name, report.notes);
            assert!(
                report.notes[0].contains(words)
                    && report.notes[0].contains("`get`, `set`, `delete`"),
                "{}: {}",
                case.name,
                report.notes[0]
            );
        }
    }
    insta::assert_snapshot!(case.name, report.review());
}

/// The fixture prefix of an adapter that speaks protocol 1.3: it does not
/// announce `exact_names`.
pub const AS_1_3: &str = "as-1.3:";

/// Serves fixture `inner` through a second adapter process, answering
/// `hello` as an adapter of protocol 1.3 would: minor 3, no `exact_names`.
pub fn serve_as_1_3(inner: &str) -> std::process::ExitCode {
    crate::adapters::relay(inner, |answer| {
        let mut json: serde_json::Value = serde_json::from_str(answer).unwrap();
        if json["answer"] == "hello" {
            json["minor"] = 3.into();
            json["supports"]
                .as_object_mut()
                .unwrap()
                .remove("exact_names");
        }
        json.to_string()
    })
}

/// What the test binary serves as an adapter for `fixture`, if it is a
/// case of this module (`adapters::serve`).
pub fn registration(fixture: &str) -> Option<Registration> {
    CASES
        .iter()
        .find(|case| case.name == fixture)
        .map(|case| case.registration)
}

/// Through an adapter process the suite asks the same question (protocol
/// 1.4's `check` with exact names) and gets the same verdicts: the exact
/// registration a plain pass, the `@1.1.0` one a pass with its note.
fn the_verdict_through_an_adapter_process_is_the_one_in_process() {
    let exe = std::env::current_exe().unwrap();
    for case in [&CASES[0], &CASES[2]] {
        let through = Suite::adapter(format!(
            "{}={} '{}'",
            crate::adapters::FIXTURE,
            case.name,
            exe.display()
        ))
        .seed(broken::SEED)
        .evaluate()
        .expect("the adapter starts");
        let inside = evaluate(case);
        assert_eq!(through.notes, inside.notes, "{}", case.name);
        assert_eq!(through.review(), inside.review(), "{}", case.name);
        assert_eq!(
            through.notes.is_empty(),
            case.note.is_none(),
            "{}",
            case.name
        );
    }
}

/// An adapter of protocol 1.3 cannot answer a `check` with exact names: every
/// name passes as before, and one note says that how they were found cannot
/// be seen through it, and why, even for a host registered by semver.
fn through_an_adapter_of_protocol_1_3_how_names_were_found_cannot_be_seen() {
    let exe = std::env::current_exe().unwrap();
    let report = Suite::adapter(format!(
        "{}={AS_1_3}{} '{}'",
        crate::adapters::FIXTURE,
        CASES[2].name,
        exe.display()
    ))
    .seed(broken::SEED)
    .evaluate()
    .expect("the adapter starts");
    assert_eq!(report.failed_names(), Vec::<&str>::new());
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    let note = &report.notes[0];
    assert!(
        note.starts_with("Whether any function is registered under exactly the name")
            && note.contains("does not announce `exact_names` (adapter protocol 1.4")
            && note.contains("a runtime without semver matching links only the first"),
        "{note}"
    );
}
