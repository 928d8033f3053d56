//! What a person does with a run's results, done as they would do it, with
//! the installed command (`airssys-conformance`) against a broken host
//! behind an adapter process:
//! - pastes a failure's repeat command, and sees that one trial fail the
//!   same way, for a host and for a component;
//! - compares two runs with `airssys-conformance diff`;
//! - opens `conformance.html` in a browser (headless Chromium), on a desktop
//!   and on a phone.
//!
//! The adapters are this test binary itself: started with
//! `AIRSSYS_TEST_ADAPTER=<fixture>`, it serves the reference host, or the
//! reference host with one function's defect (`broken/defects.rs`), as
//! `adapters::serve` says.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use airssys_conformance::contract::HostFn;
use libtest_mimic::{Completion, Failed, Trial};
use serde_json::Value;

use crate::adapters::FIXTURE;
use crate::broken::defects;
use crate::broken::sorted;
use crate::{node, trial_name};

/// The broken host: `get` reads an empty value as none (STO-1, STO-2, STO-5).
const BROKEN: &str = "storage::get";
const SUITE: &str = env!("CARGO_BIN_EXE_airssys-conformance");

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            trial_name(
                module_path!(),
                "every_failure_ends_with_a_command_that_repeats_it_alone_the_same_way",
            ),
            repeat_commands,
        ),
        Trial::test(
            trial_name(
                module_path!(),
                "a_components_failure_repeats_alone_the_same_way_too",
            ),
            component_repeat_commands,
        ),
        Trial::test(
            trial_name(
                module_path!(),
                "diff_names_exactly_the_broken_trials_and_fails_on_a_regression",
            ),
            diff,
        ),
        Trial::ignorable_test(
            trial_name(
                module_path!(),
                "the_page_shows_a_person_the_failures_on_a_desktop_and_a_phone",
            ),
            page_in_browser,
        ),
    ]
}

/// Where this run's files go.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// The command that starts the adapter serving `fixture`: this test binary,
/// named relative to the directory the suite runs in ([`this_binary_dir`]),
/// so the reports, and the screenshots `just screenshots` takes of them,
/// show no path of the machine that ran them.
fn adapter(fixture: &str) -> String {
    format!("{FIXTURE}={fixture} '{}'", this_binary())
}

/// This test binary, as the suite's adapter commands name it.
fn this_binary() -> String {
    let exe = std::env::current_exe().unwrap();
    format!("./{}", exe.file_name().unwrap().to_string_lossy())
}

/// `command` run as a person runs the installed suite: with
/// `airssys-conformance` on `PATH` (the repeat commands it prints start with
/// that name, its `arg0`), from the directory of this test binary.
fn as_installed(mut command: Command) -> Command {
    let suite_dir = Path::new(SUITE).parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![suite_dir.to_owned()];
    dirs.extend(std::env::split_paths(&path));
    command
        .env("PATH", std::env::join_paths(dirs).unwrap())
        .current_dir(this_binary_dir())
        // The suite resolves an adapter's relative path from `PWD`, as
        // `cargo conformance` run from a subdirectory needs.
        .env("PWD", this_binary_dir());
    command
}

/// Where this test binary is: the directory the suite runs in.
fn this_binary_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().to_owned()
}

/// A run of the suite on the host serving `fixture`, its reports in a
/// directory of their own; run once, whichever trial asks first.
struct Run {
    dir: PathBuf,
    output: Output,
    json: Value,
}

impl Run {
    fn of(fixture: &str) -> Self {
        Self::with(
            &fixture.replace("::", "-"),
            &["--adapter", &adapter(fixture)],
        )
    }

    /// A run with `judged` (the options that choose what to judge), its
    /// reports in the scratch directory `name`.
    fn with(name: &str, judged: &[&str]) -> Self {
        let dir = scratch().join(name);
        let mut suite = Command::new(SUITE);
        std::os::unix::process::CommandExt::arg0(&mut suite, "airssys-conformance");
        let output = as_installed(suite)
            .args(judged)
            .args(["--seed", "1", "--timings", "--report"])
            .arg(&dir)
            .output()
            .expect("airssys-conformance starts");
        let json = read_json(&dir.join("conformance.json"));
        Self { dir, output, json }
    }

    /// The failed trials' names and their reports' entries.
    fn failures(&self) -> Vec<&Value> {
        self.json["trials"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["outcome"] == "failed")
            .collect()
    }

    fn console(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
}

fn broken_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| Run::of(BROKEN))
}

fn reference_run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| Run::of("reference"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn expected_failures() -> Vec<String> {
    defects::of(BROKEN).unwrap().failing_trials()
}

fn name(trial: &Value) -> String {
    trial["name"].as_str().unwrap().to_owned()
}

fn repeat_commands() -> Result<(), Failed> {
    let run = broken_run();
    assert_eq!(run.output.status.code(), Some(101), "{}", run.console());
    assert_eq!(
        sorted(run.failures().iter().map(|t| name(t))),
        expected_failures()
    );
    assert_repeat(run);
    // `--timings`, and each trial's time in the report.
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(stderr.contains("timings, slowest first"), "{stderr}");
    for trial in run.json["trials"].as_array().unwrap() {
        assert!(trial["seconds"].as_f64().is_some(), "{trial}");
    }
    Ok(())
}

fn component_repeat_commands() -> Result<(), Failed> {
    // `guests/lifecycle.wat` with `health` of another type.
    let lifecycle = include_str!("../guests/lifecycle.wat");
    let broken = lifecycle.replace(
        "(func $health (result $health-status)",
        "(func $health (result u32)",
    );
    assert_ne!(broken, lifecycle);
    let file = scratch().join("wrong type.wat");
    std::fs::write(&file, broken).unwrap();
    let run = Run::with("component", &["--component", file.to_str().unwrap()]);
    assert_eq!(run.output.status.code(), Some(101), "{}", run.console());
    let failed: Vec<String> = run.failures().iter().map(|t| name(t)).collect();
    assert_eq!(failed, ["wrong type::health::signature"]);
    assert_repeat(&run);
    Ok(())
}

/// Each failure of `run` carries a repeat command in every report and on
/// the console, and that command, pasted, fails that trial alone, with the
/// same message.
fn assert_repeat(run: &Run) {
    let failures = run.failures();
    assert!(!failures.is_empty());
    let markdown = std::fs::read_to_string(run.dir.join("conformance.md")).unwrap();
    let junit = std::fs::read_to_string(run.dir.join("junit.xml")).unwrap();
    for (at, failure) in failures.into_iter().enumerate() {
        let trial = name(failure);
        let command = failure["repeat"]
            .as_str()
            .unwrap_or_else(|| panic!("{trial} has no repeat command"));
        // Named as it was started (`as_installed`).
        assert!(command.starts_with("airssys-conformance "), "{command}");
        // Quoted for `sh` when it has to be.
        let exact = [format!("--exact {trial}"), format!("--exact '{trial}'")];
        assert!(exact.iter().any(|e| command.ends_with(e)), "{command}");
        for (shown, text) in [("console", &run.console()), ("conformance.md", &markdown)] {
            assert!(text.contains(command), "{shown} lacks `{command}`");
        }
        let xml = command
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(junit.contains(&xml), "junit.xml lacks `{command}`");

        // Pasted, with a report of its own to compare.
        let again = run.dir.join(format!("again-{at}"));
        let output = as_installed(Command::new("sh"))
            .arg("-c")
            .arg(format!("{command} --report '{}'", again.display()))
            .output()
            .unwrap();
        let console = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(101), "{command}:\n{console}");
        assert!(
            console.contains("0 passed; 1 failed; 0 ignored"),
            "{command}:\n{console}"
        );
        let judged = read_json(&again.join("conformance.json"));
        let trials = judged["trials"].as_array().unwrap();
        assert_eq!(trials.len(), 1, "{command} ran {trials:#?}");
        assert_eq!(name(&trials[0]), trial);
        assert_eq!(trials[0]["outcome"], "failed");
        assert_eq!(trials[0]["message"], failure["message"], "{command}");
    }
}

/// `airssys-conformance diff OLD NEW`: its Markdown and exit status.
fn diff_of(old: &Run, new: &Run) -> (String, Option<i32>) {
    let output = Command::new(SUITE)
        .arg("diff")
        .arg(old.dir.join("conformance.json"))
        .arg(new.dir.join("conformance.json"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (text, output.status.code())
}

fn diff() -> Result<(), Failed> {
    let (reference, broken) = (reference_run(), broken_run());
    assert!(reference.failures().is_empty(), "{}", reference.console());

    let (regressed, status) = diff_of(reference, broken);
    assert_eq!(status, Some(1), "{regressed}");
    let listed = |text: &str, heading: &str| -> Vec<String> {
        let Some((_, section)) = text.split_once(heading) else {
            return Vec::new();
        };
        let section = section.split("\n## ").next().unwrap_or_default();
        sorted(
            section
                .lines()
                .filter_map(|line| line.strip_prefix("- `"))
                .filter_map(|line| line.split_once('`'))
                .map(|(trial, _)| trial.to_owned()),
        )
    };
    assert_eq!(
        listed(&regressed, "## Regressed"),
        expected_failures(),
        "{regressed}"
    );
    assert!(!regressed.contains("## Fixed"), "{regressed}");
    // The two runs' adapters differ, and the text names where this test's binary is.
    insta::assert_snapshot!(
        "diff-reference-to-broken",
        regressed.replace(&this_binary(), "[this test binary]")
    );

    let (fixed, status) = diff_of(broken, reference);
    assert_eq!(status, Some(0), "{fixed}");
    assert_eq!(listed(&fixed, "## Fixed"), expected_failures(), "{fixed}");

    let (same, status) = diff_of(broken, broken);
    assert_eq!(status, Some(0), "{same}");
    assert!(same.contains("No trial changed its verdict."), "{same}");
    assert!(!same.contains("## Provenance"), "{same}");

    let output = Command::new(SUITE)
        .args(["diff", "no-such-report.json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("diff takes two reports"));
    Ok(())
}

/// Where Chromium is; `None` when it is not installed.
fn chromium() -> Option<PathBuf> {
    let path =
        std::env::var_os("CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from);
    path.is_file().then_some(path)
}

/// The browser test's own directory, its `npm ci` done.
fn browser_dir() -> Result<PathBuf, Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    node::check_version()?;
    node::npm_ci(&dir, "playwright-core")?;
    Ok(dir)
}

/// What a person sees of `run`'s page at `width` pixels, as `look.mjs` reads it.
fn look(run: &Run, width: u32, browser: &Path, chromium: &Path) -> Result<Value, Failed> {
    let name = run.dir.file_name().unwrap().to_string_lossy();
    let shot = run.dir.join(format!("report-{name}-{width}"));
    let output = Command::new("node")
        .env("CHROMIUM", chromium)
        .arg(browser.join("look.mjs"))
        .arg(run.dir.join("conformance.html"))
        .arg(&shot)
        .arg(width.to_string())
        .output()
        .map_err(|e| format!("cannot run node ({e}): install Node.js 20 or later"))?;
    if !output.status.success() {
        return Err(format!(
            "look.mjs failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    // `just screenshots` keeps them for the README.
    if let Some(docs) = std::env::var_os("AIRSSYS_SCREENSHOTS") {
        for suffix in [".png", "-failure.png"] {
            let taken = PathBuf::from(format!("{}{suffix}", shot.display()));
            let kept = PathBuf::from(&docs).join(taken.file_name().unwrap());
            if taken.exists() {
                std::fs::copy(&taken, &kept)
                    .map_err(|e| format!("cannot keep {}: {e}", kept.display()))?;
            }
        }
    }
    Ok(serde_json::from_slice(&output.stdout)?)
}

fn page_in_browser() -> Result<Completion, Failed> {
    let Some(chromium) = chromium() else {
        let fix = "needs Chromium: `sudo apt-get install chromium` (or CHROMIUM=/path/to/chromium)";
        // CI installs it (.ci/run): there, a missing browser is a failure.
        return match std::env::var_os("CI") {
            Some(_) => Err(fix.into()),
            None => Ok(Completion::ignored_with(fix)),
        };
    };
    let browser = browser_dir()?;
    for width in [1280, 390] {
        let (reference, broken) = (reference_run(), broken_run());
        for (run, failures) in [(reference, Vec::new()), (broken, expected_failures())] {
            let seen = look(run, width, &browser, &chromium)?;
            let at = format!("{} at {width} px: {seen:#}", run.dir.display());
            assert_eq!(
                seen["console"],
                serde_json::json!([]),
                "console messages, {at}"
            );
            assert_eq!(seen["requests"], serde_json::json!([]), "fetched, {at}");
            assert_eq!(
                seen["overflowsWindow"], false,
                "wider than the window, {at}"
            );
            assert_eq!(seen["rows"], HostFn::ALL.len(), "{at}");
            let summary = seen["summary"].as_str().unwrap_or_default();
            assert!(
                summary.contains(&format!("· {} failed ·", failures.len())),
                "{at}"
            );
            let failing_rows: Vec<&str> = seen["failingRows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| row.as_str().unwrap_or("(not visible)"))
                .collect();
            match failures.is_empty() {
                true => assert!(failing_rows.is_empty(), "{at}"),
                false => {
                    assert_eq!(failing_rows.len(), 1, "{at}");
                    assert!(failing_rows[0].starts_with(BROKEN), "{at}");
                    // The defect's clauses fail, the function's others pass.
                    let clauses = defects::of(BROKEN).unwrap().function.clauses().len();
                    let passed = clauses - failures.len();
                    let cell = format!("✗ {passed} of {clauses} passed");
                    assert!(failing_rows[0].contains(&cell), "{cell}, {at}");
                }
            }
            let shown = seen["failures"].as_array().unwrap();
            assert_eq!(
                sorted(
                    shown
                        .iter()
                        .map(|f| f["trial"].as_str().unwrap().to_owned())
                ),
                failures,
                "{at}"
            );
            for failure in shown {
                let trial = failure["trial"].as_str().unwrap();
                let reported = run
                    .failures()
                    .into_iter()
                    .find(|t| t["name"] == trial)
                    .unwrap();
                assert_eq!(failure["linked"], true, "{trial}, {at}");
                assert_eq!(failure["repeat"], reported["repeat"], "{trial}, {at}");
                let text = failure["shown"].as_str().unwrap_or_default();
                assert!(text.contains("✗ FAIL"), "{trial}, {at}");
                assert!(text.contains("Seed: 1"), "{trial}, {at}");
            }
        }
    }
    Ok(Completion::Completed)
}
