//! The contract's second implementation, the JavaScript host (`hosts/js`),
//! judged through its adapter process: the suite proves itself on a host it
//! shares no code, runtime or words with. Each deliberately broken variant
//! (`hosts/js/src/broken.mjs`) fails exactly the trials of its mistake,
//! besides the JS host's own expected failures; reviewed as snapshots.
//!
//! Needs Node.js 20 or later; runs `npm ci` in `hosts/js` when its
//! `node_modules` is missing. Without `node` the trials are ignored, with
//! the fix, except under `CI`, where they fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use airssys_conformance::{Outcome, Report, Suite};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// The variants of `hosts/js/src/broken.mjs`, each with what it breaks.
const BROKEN: [&str; 6] = [
    "missing-usage",
    "bare-instance",
    "self-id-as-text",
    "empty-value-is-none",
    "send-drops-last-byte",
    "time-two-seconds-late",
];

fn main() -> std::process::ExitCode {
    let mut trials = vec![Trial::ignorable_test(
        "the_js_host_fails_only_what_its_expectations_file_lists",
        the_js_host,
    )];
    for name in BROKEN {
        trials.push(Trial::ignorable_test(
            format!("broken_js_host::{name}"),
            move || broken(name),
        ));
    }
    libtest_mimic::run(&Arguments::from_args(), trials).exit_code()
}

fn host_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hosts/js")
}

/// The adapter command, `npm ci` done; `None` (with the fix) without Node.
fn adapter(variant: Option<&str>) -> Result<Result<String, String>, Failed> {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let dir = host_dir();
    let ready = READY.get_or_init(|| {
        let node = Command::new("node").arg("--version").output();
        if !node.is_ok_and(|o| o.status.success()) {
            return Err("needs Node.js 20 or later with npm (`node` is not on PATH)".into());
        }
        if !dir
            .join("node_modules/@bytecodealliance/jco-transpile")
            .is_dir()
        {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .map_err(|e| format!("cannot run npm ({e})"))?;
            if !status.success() {
                return Err(format!("`npm ci` in {} failed ({status})", dir.display()));
            }
        }
        Ok(())
    });
    if let Err(fix) = ready {
        return match std::env::var_os("CI") {
            Some(_) => Err(fix.clone().into()),
            None => Ok(Err(fix.clone())),
        };
    }
    let script = dir.join("bin/airssys-js-adapter.mjs");
    let mut command = format!("node '{}'", script.display());
    if let Some(variant) = variant {
        command.push_str(&format!(" --broken {variant}"));
    }
    Ok(Ok(command))
}

fn evaluate(command: String) -> Report {
    Suite::adapter(command)
        .seed(1)
        .evaluate()
        .expect("the JS adapter starts")
}

fn names(report: &Report, keep: impl Fn(&Outcome) -> bool) -> BTreeSet<String> {
    report
        .trials
        .iter()
        .filter(|t| keep(&t.outcome))
        .map(|t| t.name.clone())
        .collect()
}

/// The JS host's own run, once for all trials.
fn js_host() -> Result<Result<&'static Report, String>, Failed> {
    static REPORT: OnceLock<Report> = OnceLock::new();
    let command = match adapter(None)? {
        Ok(command) => command,
        Err(fix) => return Ok(Err(fix)),
    };
    Ok(Ok(REPORT.get_or_init(|| evaluate(command))))
}

/// The trials `hosts/js/conformance-expected.toml` lists.
fn expected() -> BTreeSet<String> {
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(rename = "expected-failures")]
        expected_failures: std::collections::BTreeMap<String, String>,
    }
    let path = host_dir().join("conformance-expected.toml");
    let text = std::fs::read_to_string(&path).expect("the expectations file");
    let file: File = toml::from_str(&text).expect("an expectations file");
    file.expected_failures.into_keys().collect()
}

fn the_js_host() -> Result<Completion, Failed> {
    let report = match js_host()? {
        Ok(report) => report,
        Err(fix) => return Ok(Completion::ignored_with(fix)),
    };
    let failed = names(report, |o| matches!(o, Outcome::Failed(_)));
    let ignored = names(report, |o| matches!(o, Outcome::Ignored(_)));
    assert_eq!(
        failed,
        expected(),
        "the JS host's failures, and its expectations file"
    );
    assert!(
        ignored
            .iter()
            .all(|name| name.contains("SVC-1.3") || name.contains("SVC-4.2")),
        "only the WASI clauses go unjudged on a host without WASI: {ignored:#?}"
    );
    Ok(Completion::Completed)
}

fn broken(name: &str) -> Result<Completion, Failed> {
    let own = match js_host()? {
        Ok(report) => names(report, |o| !matches!(o, Outcome::Passed)),
        Err(fix) => return Ok(Completion::ignored_with(fix)),
    };
    let command = adapter(Some(name))?.map_err(Failed::from)?;
    let report = evaluate(command);
    // What the variant changes: trials passing on the JS host that do not here.
    let changed: Vec<String> = report
        .trials
        .iter()
        .filter(|t| !own.contains(&t.name))
        .filter_map(|t| match &t.outcome {
            Outcome::Passed => None,
            Outcome::Failed(_) => Some(format!("{}: failed", t.name)),
            Outcome::Ignored(_) => Some(format!("{}: not judged", t.name)),
            Outcome::Expected(_) => Some(format!("{}: expected failure", t.name)),
        })
        .collect();
    insta::assert_snapshot!(format!("broken-js-{name}"), changed.join("\n"));
    Ok(Completion::Completed)
}
