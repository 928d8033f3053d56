//! A report with one trial of each outcome, for the formats' tests.

use std::time::Duration;

use super::*;

/// A report with one trial of each outcome, a failure with its repeat
/// command, and a note: every part a page or badge shows.
pub(crate) fn report() -> Report {
    let trial = |name: &str, aspect: Aspect, outcome: Outcome| TrialResult {
        name: name.into(),
        function: name.rsplit_once("::behaviour").map_or_else(
            || name.rsplit_once("::").unwrap().0.to_owned(),
            |(function, _)| function.to_owned(),
        ),
        aspect,
        outcome,
        took: Duration::from_millis(name.len() as u64),
        repeat: None,
    };
    let behaviour = |clause: &str| Aspect::Behaviour(Some(clause.into()));
    let mut failed = trial(
        "storage::get::behaviour::STO-2",
        behaviour("STO-2"),
        Outcome::Failed(
            "STO-2: `get` of a key never set is `ok(none)`; an empty value is `some([])`, never `none`.\n  get(\"empty\") = none <where> [] was stored & read"
                .into(),
        ),
    );
    failed.repeat = Some(
        "airssys-conformance --adapter 'my-adapter --flag' --seed 7 --exact storage::get::behaviour::STO-2".into(),
    );
    Report {
        host: "my <host>".into(),
        provenance: Provenance {
            contract: "airssys:core@1.0.0".into(),
            wit_digest: "d5c5".into(),
            wit_dir: None,
            wit_features: Vec::new(),
            suite_version: "0.1.0".into(),
            protocol: 1,
            reached_through: "adapter `my-adapter --flag`".into(),
            adapter: "my-adapter".into(),
            adapter_version: "2.0".into(),
            wasmtime: "48.0.8".into(),
        },
        seed: 7,
        trials: vec![
            trial("storage::get::name", Aspect::Name, Outcome::Passed),
            trial(
                "storage::get::signature",
                Aspect::Signature,
                Outcome::Passed,
            ),
            trial(
                "storage::get::behaviour::STO-1",
                behaviour("STO-1"),
                Outcome::Passed,
            ),
            failed,
            trial(
                "storage::set::name",
                Aspect::Name,
                Outcome::Expected("not registered yet\n  missing".into()),
            ),
            trial(
                "storage::set::behaviour::STO-1",
                behaviour("STO-1"),
                Outcome::Ignored("needs `set`".into()),
            ),
        ],
        rows: vec!["storage::get".into(), "storage::set".into()],
        notes: vec!["The host provides no WASI: two trials are not judged.".into()],
    }
}

#[test]
fn a_tally_counts_each_outcome_once() {
    let tally = report().tally();
    assert_eq!(
        (tally.passed, tally.failed, tally.ignored, tally.expected),
        (3, 1, 1, 1)
    );
    assert_eq!(tally.fraction(), "3/6");
    assert_eq!(
        tally.sentence(),
        "3 of 6 trials passed · 1 failed · 1 not judged · 1 expected failures"
    );
}

#[test]
fn a_behaviour_cell_shows_its_worst_outcome() {
    let matrix = report().matrix();
    assert_eq!(matrix[0].behaviour_cell(), Cell::Fail);
    assert_eq!(
        matrix[0].behaviour_text(|s| format!("*{s}*")),
        "*1 of 2 passed*"
    );
    assert_eq!(matrix[1].behaviour_cell(), Cell::Ignored);
    assert_eq!(matrix[1].behaviour_text(|s| s), "0 of 0 passed, 1 ignored");
    assert_eq!(matrix[1].signature, Cell::NotRun);
}

#[test]
fn a_verdict_with_backticks_keeps_its_markdown_fence() {
    let mut report = report();
    report.trials[3].outcome = Outcome::Failed("got ```` here".into());
    assert!(
        report
            .to_markdown()
            .contains("`````text\ngot ```` here\n`````")
    );
}

#[test]
fn every_written_failure_carries_its_repeat_command() {
    let report = report();
    let command = report.trials[3].repeat.clone().unwrap();
    assert!(
        report
            .to_markdown()
            .contains(&format!("```sh\n{command}\n```"))
    );
    assert!(report.to_junit().contains(&escape(&command)));
    assert_eq!(report.to_json()["trials"][3]["repeat"], command.as_str());
    assert!(report.to_json()["trials"][2].get("repeat").is_none());
    assert_eq!(report.to_json()["seed"], 7);
}

#[test]
fn timings_list_the_slowest_first_then_the_sums() {
    let timings = report().timings();
    let lines: Vec<&str> = timings.lines().collect();
    assert_eq!(lines[1], "timings, slowest first (seconds):");
    assert!(
        lines[2].starts_with("  storage::get::behaviour::STO-1 "),
        "{timings}"
    );
    assert!(lines[2].ends_with("0.030"), "{timings}");
    assert!(timings.contains("  all trials"), "{timings}");
    assert!(timings.contains("    storage "), "{timings}");
    assert_eq!(report().to_json()["trials"][0]["seconds"], 0.018);
}

#[test]
fn write_writes_every_file_it_names() {
    let dir = tempfile::tempdir().unwrap();
    report().write(dir.path()).unwrap();
    for file in Report::FILES {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(text.contains("airssys:core"), "{file}");
    }
}
