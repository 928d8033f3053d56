//! The guest side of the suite proves itself: every component of this
//! workspace passes, and each deliberately broken component fails exactly
//! its own rows, for the reason its snapshot shows. The broken ones are
//! `guests/lifecycle.wat`, which passes, with one edit each.

use std::path::PathBuf;

use airssys_conformance::{GuestSuite, Outcome, Report};
use libtest_mimic::Trial;

// Not `on_adapters`: a trial filter matches by substring, and the
// `adapters::` that selects (or `--skip`s) the adapters module's trials would
// take these too.
#[path = "guests/on_adapters.rs"]
mod on_adapter_hosts;

/// Fixed, so that the snapshots of generated messages stay the same.
const SEED: u64 = 7;

const LIFECYCLE: &str = include_str!("../guests/lifecycle.wat");

struct BrokenGuest {
    name: &'static str,
    /// Replaces the first text with the second in `lifecycle.wat`.
    edit: (&'static str, &'static str),
    /// The trials it must fail, and no others.
    fails: &'static [&'static str],
    /// What the first failure's whole message must say, beyond its first line.
    says: Option<&'static str>,
}

const COMPONENT: &str = "(component\n";

const BROKEN: &[BrokenGuest] = &[
    BrokenGuest {
        name: "missing-export",
        edit: ("    (export \"health\" (func $health))\n", ""),
        fails: &["missing-export::health::name"],
        says: None,
    },
    BrokenGuest {
        name: "wrong-type",
        edit: (
            "(func $health (result $health-status)",
            "(func $health (result u32)",
        ),
        fails: &["wrong-type::health::signature"],
        says: None,
    },
    BrokenGuest {
        name: "traps-on-large-payloads",
        edit: (
            "(func (export \"handle-message\") (param $message i32) (result i32)\n",
            "(func (export \"handle-message\") (param $message i32) (result i32)\n      \
             (if (i32.gt_u (i32.load offset=28 (local.get $message)) (i32.const 4096)) \
             (then unreachable))\n",
        ),
        fails: &["traps-on-large-payloads::handle-message::behaviour::GST-2"],
        says: None,
    },
    BrokenGuest {
        name: "refuses-to-initialize",
        edit: (
            "(func (export \"initialize\") (param i32 i32 i32 i32 i32 i64 i64 i32 i64) (result i32)\n      \
             (global.set $bump (i32.const 65536)) (i32.const 512))",
            // `err(initialization-failed(""))`: the result's case 1, the error's case 0.
            "(data (i32.const 600) \"\\01\")\n    \
             (func (export \"initialize\") (param i32 i32 i32 i32 i32 i64 i64 i32 i64) (result i32)\n      \
             (i32.const 600))",
        ),
        fails: &["refuses-to-initialize::initialize::behaviour::GST-1"],
        says: None,
    },
    BrokenGuest {
        name: "traps-on-mid-sized-payloads",
        // Only generated messages reach these sizes: the fixed ones are
        // empty or 1 MiB.
        edit: (
            "(func (export \"handle-message\") (param $message i32) (result i32)\n",
            "(func (export \"handle-message\") (param $message i32) (result i32)\n      \
             (if (i32.and (i32.gt_u (i32.load offset=28 (local.get $message)) (i32.const 2048)) \
             (i32.lt_u (i32.load offset=28 (local.get $message)) (i32.const 65536))) \
             (then unreachable))\n",
        ),
        fails: &["traps-on-mid-sized-payloads::handle-message::behaviour::GST-2"],
        // The message proptest found (shrinking stops after 64 reloads).
        says: Some("smallest failing message proptest found: payload b\""),
    },
    BrokenGuest {
        name: "traps-in-initialize",
        edit: (
            "(func (export \"initialize\") (param i32 i32 i32 i32 i32 i64 i64 i32 i64) (result i32)\n      \
             (global.set $bump (i32.const 65536)) (i32.const 512))",
            "(func (export \"initialize\") (param i32 i32 i32 i32 i32 i64 i64 i32 i64) (result i32)\n      \
             unreachable)",
        ),
        fails: &["traps-in-initialize::initialize::behaviour::GST-1"],
        says: None,
    },
    BrokenGuest {
        name: "long-metadata-name",
        // The name's length, 8, becomes 2000: over the 1 KiB hosts keep (HOST-2.1).
        edit: (
            "\"\\00\\08\\00\\00\\08\\00\\00\\00",
            "\"\\00\\08\\00\\00\\d0\\07\\00\\00",
        ),
        fails: &["long-metadata-name::metadata::behaviour::GST-4"],
        says: None,
    },
    BrokenGuest {
        name: "empty-metadata-version",
        // The version's length, 5, becomes 0.
        edit: ("\\08\\08\\00\\00\\05\\00", "\\08\\08\\00\\00\\00\\00"),
        fails: &["empty-metadata-version::metadata::behaviour::GST-4"],
        says: None,
    },
    BrokenGuest {
        name: "wrong-wasi-type",
        edit: (
            "(export \"now\" (func (result u64)))",
            "(export \"now\" (func (result u32)))",
        ),
        fails: &["wrong-wasi-type::import::wasi:clocks/monotonic-clock@0.2.6::signature"],
        says: None,
    },
    BrokenGuest {
        name: "unprovided-import",
        edit: (
            COMPONENT,
            "(component\n  (import \"acme:teleport/beam@1.0.0\" (instance (export \"beam\" (func))))\n",
        ),
        fails: &["unprovided-import::import::acme:teleport/beam@1.0.0::name"],
        says: None,
    },
    BrokenGuest {
        name: "old-interface-version",
        edit: (
            COMPONENT,
            "(component\n  (import \"airssys:core/host-services@0.9.0\" \
             (instance (export \"current-time-millis\" (func (result u64)))))\n",
        ),
        fails: &["old-interface-version::import::airssys:core/host-services@0.9.0::name"],
        says: None,
    },
    BrokenGuest {
        name: "wrong-import-type",
        edit: (
            COMPONENT,
            "(component\n  (import \"airssys:core/host-services@1.0.0\" \
             (instance (export \"current-time-millis\" (func (result u32)))))\n",
        ),
        fails: &["wrong-import-type::import::airssys:core/host-services@1.0.0::signature"],
        says: None,
    },
];

pub fn trials() -> Vec<Trial> {
    let mut trials = checks![
        every_component_of_the_workspace_passes,
        each_broken_component_fails_exactly_its_own_rows,
        a_file_that_is_not_a_component_is_refused_with_the_fix,
        guest_names_with_terminal_controls_reach_the_verdicts_escaped,
        a_guest_that_spins_on_mid_sized_payloads_is_judged_within_the_trial_limit,
    ];
    trials.extend(on_adapter_hosts::trials());
    trials
}

fn evaluate(files: Vec<PathBuf>) -> Report {
    GuestSuite::new(files)
        .seed(SEED)
        .evaluate()
        .expect("the files are components")
}

/// The names of the trials that failed.
pub(crate) fn failed(report: &Report) -> Vec<&str> {
    report.failed_names()
}

/// Each trial that did not pass, with its outcome: ignored is not passed.
pub(crate) fn not_passed(report: &Report) -> Vec<(&str, &Outcome)> {
    report
        .trials
        .iter()
        .filter(|t| t.outcome != Outcome::Passed)
        .map(|t| (t.name.as_str(), &t.outcome))
        .collect()
}

fn every_component_of_the_workspace_passes() {
    let dir = tempfile::tempdir().unwrap();
    let lifecycle = dir.path().join("lifecycle.wat");
    std::fs::write(&lifecycle, LIFECYCLE).unwrap();
    let mut files: Vec<PathBuf> = airssys_guests::ALL
        .iter()
        .map(|(_, path)| PathBuf::from(path))
        .collect();
    files.push(lifecycle);
    // A name of exactly 1 KiB, the most hosts keep (HOST-2.1), passes.
    let at_the_limit = dir.path().join("name-at-the-limit.wat");
    let edited = LIFECYCLE.replacen(
        "\"\\00\\08\\00\\00\\08\\00\\00\\00",
        "\"\\00\\08\\00\\00\\00\\04\\00\\00",
        1,
    );
    assert_ne!(edited, LIFECYCLE);
    std::fs::write(&at_the_limit, edited).unwrap();
    files.push(at_the_limit);
    let report = evaluate(files);
    assert_eq!(
        failed(&report),
        Vec::<&str>::new(),
        "{}",
        report.to_markdown()
    );
    let ignored: Vec<&str> = report
        .trials
        .iter()
        .filter(|t| matches!(t.outcome, Outcome::Ignored(_)))
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(ignored, Vec::<&str>::new());
    // Six exports, a behaviour trial for each, and the imports of each guest.
    assert!(report.trials.len() > (airssys_guests::ALL.len() + 2) * 18);
}

fn each_broken_component_fails_exactly_its_own_rows() {
    let dir = tempfile::tempdir().unwrap();
    for broken in BROKEN {
        let (from, to) = broken.edit;
        assert!(
            LIFECYCLE.contains(from),
            "{}: the edit does not apply",
            broken.name
        );
        let file = dir.path().join(format!("{}.wat", broken.name));
        std::fs::write(&file, LIFECYCLE.replacen(from, to, 1)).unwrap();
        let report = evaluate(vec![file]);
        assert_eq!(failed(&report), broken.fails, "{}", report.to_markdown());
        if let Some(says) = broken.says {
            let message = match &report.failures().next().unwrap().outcome {
                Outcome::Failed(message) => message.clone(),
                other => panic!("{other:?}"),
            };
            assert!(message.contains(says), "{message}");
        }
        insta::assert_snapshot!(broken.name, report.review());
    }
}

fn a_file_that_is_not_a_component_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("module.wasm");
    std::fs::write(&module, wat::parse_str("(module)").unwrap()).unwrap();
    let why = GuestSuite::new([&module]).evaluate().unwrap_err();
    assert!(
        why.contains("core WebAssembly module, not a component"),
        "{why}"
    );
    assert!(why.contains("--target wasm32-wasip2"), "{why}");
    let missing = dir.path().join("missing.wasm");
    let why = GuestSuite::new([&missing]).evaluate().unwrap_err();
    assert!(
        why.contains("cannot read") && why.contains("missing.wasm"),
        "{why}"
    );
}

/// A guest chooses the names in its name section, and trap messages quote
/// them: the suite's verdicts show such a name with its terminal controls
/// written out, so it cannot clear a reader's terminal or recolour a line.
fn guest_names_with_terminal_controls_reach_the_verdicts_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let memory = "    (memory (export \"memory\") 1)\n";
    let name = "$\"\\1b[2J\\1b[32mverdict: all good\\0d\"";
    let trapping = LIFECYCLE.replacen(
        memory,
        &format!("{memory}    (func {name} unreachable)\n    (start {name})\n"),
        1,
    );
    assert_ne!(
        trapping, LIFECYCLE,
        "the fixture has no memory line to add to"
    );
    let file = dir.path().join("controls-in-a-name.wat");
    std::fs::write(&file, trapping).unwrap();
    let report = evaluate(vec![file]);
    let messages: Vec<&str> = report
        .failures()
        .filter_map(|t| match &t.outcome {
            Outcome::Failed(message) => Some(message.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\\u{1b}[2J\\u{1b}[32mverdict: all good\\u{d}")),
        "no verdict quotes the trapping function's name: {messages:#?}\n{}",
        report.to_markdown()
    );
    for shown in [report.to_markdown(), report.to_junit()] {
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\r'),
            "terminal controls shown raw:\n{shown:?}"
        );
    }
}

/// A guest whose calls run to their budget is reloaded for each shrink
/// step; the trial's limit (`--timeout`) ends the shrinking, so a slow guest
/// costs a trial about its limit plus one call's budget, not a budget per
/// step.
fn a_guest_that_spins_on_mid_sized_payloads_is_judged_within_the_trial_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (
        "(func (export \"handle-message\") (param $message i32) (result i32)\n",
        "(func (export \"handle-message\") (param $message i32) (result i32)\n      \
         (if (i32.and (i32.gt_u (i32.load offset=28 (local.get $message)) (i32.const 2048)) \
         (i32.lt_u (i32.load offset=28 (local.get $message)) (i32.const 65536))) \
         (then (loop $spin (br $spin))))\n",
    );
    assert!(LIFECYCLE.contains(from), "the edit does not apply");
    let file = dir.path().join("spins-on-mid-sized-payloads.wat");
    std::fs::write(&file, LIFECYCLE.replacen(from, to, 1)).unwrap();
    let limits = airssys_conformance::TimeLimits {
        trial: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    let suite = GuestSuite::new([file]).seed(SEED).limits(limits);
    let started = std::time::Instant::now();
    let report = suite.evaluate().expect("the file is a component");
    let took = started.elapsed();
    assert_eq!(
        failed(&report),
        ["spins-on-mid-sized-payloads::handle-message::behaviour::GST-2"],
        "{}",
        report.to_markdown()
    );
    let Outcome::Failed(message) = &report.failures().next().unwrap().outcome else {
        unreachable!("a failure")
    };
    assert!(
        message.contains("exceeded its execution budget")
            && message
                .contains("before the trial's limit of 2 s (--timeout) stopped its shrinking"),
        "{message}"
    );
    // The limit, then at most the one call that was running at it (its
    // budget is 5 s), then the rest of the file's trials.
    assert!(took < std::time::Duration::from_secs(15), "took {took:?}");
}
