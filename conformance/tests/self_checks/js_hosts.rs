//! The contract's second implementation, the JavaScript host (`hosts/js`),
//! judged through its adapter process: the suite proves itself on a host it
//! shares no code, runtime or words with. Each deliberately broken variant
//! (`hosts/js/src/broken.mjs`) fails exactly the trials of its mistake,
//! besides the JS host's own expected failures; reviewed as snapshots.
//!
//! Also runs the JS host's own unit tests (`node --test`, `hosts/js/test`).
//! Needs Node.js 20 or later; runs `npm ci` in `hosts/js` when its
//! `node_modules` is missing. Without Node the trials are ignored, with the
//! fix, except under `CI`, where they fail.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use airssys_conformance::{Outcome, Report, Suite};
use libtest_mimic::{Completion, Failed, Trial};

use crate::{node, trial_name};

/// Run by `main` one at a time, after every other trial: the snapshots are
/// exact, and runs judge timing clauses (SVC-3, SVC-4) that two runs beside
/// each other could upset.
pub fn trials() -> Vec<Trial> {
    let named = |name: &str| trial_name(module_path!(), name);
    let mut trials = vec![
        Trial::ignorable_test(named("the_js_hosts_own_unit_tests_pass"), unit_tests),
        Trial::ignorable_test(
            named("the_js_host_fails_only_what_its_expectations_file_lists"),
            the_js_host,
        ),
    ];
    match broken_variants() {
        Ok(names) => {
            for name in names {
                trials.push(Trial::ignorable_test(
                    trial_name(module_path!(), &format!("broken_js_host::{name}")),
                    move || broken(&name),
                ));
            }
        }
        Err(fix) => trials.push(Trial::ignorable_test(named("broken_js_host"), move || {
            without_node(&fix)
        })),
    }
    trials
}

fn host_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../hosts/js")
}

/// Node.js 20 or later, with `hosts/js`'s `npm ci` done; else the fix.
fn node_ready() -> &'static Result<(), String> {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    READY.get_or_init(|| {
        node::check_version()?;
        node::npm_ci(&host_dir(), "@bytecodealliance/jco-transpile")?;
        Ok(())
    })
}

/// What a trial that needs Node ends as without it: ignored with the fix,
/// except under `CI` (which installs it), where it fails.
fn without_node(fix: &str) -> Result<Completion, Failed> {
    match std::env::var_os("CI") {
        Some(_) => Err(fix.into()),
        None => Ok(Completion::ignored_with(fix)),
    }
}

/// The adapter command for the JS host, or its broken `variant`.
fn adapter(variant: Option<&str>) -> Result<String, String> {
    node_ready().clone()?;
    let script = host_dir().join("bin/airssys-js-adapter.mjs");
    let mut command = format!("node '{}'", script.display());
    if let Some(variant) = variant {
        command.push_str(&format!(" --broken {variant}"));
    }
    Ok(command)
}

/// The broken variants, as `hosts/js/src/broken.mjs` names them.
fn broken_variants() -> Result<Vec<String>, String> {
    node_ready().clone()?;
    let output = Command::new("node")
        .arg(host_dir().join("bin/airssys-js-adapter.mjs"))
        .arg("--list-broken")
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !output.status.success() {
        return Err(format!("`--list-broken` failed ({})", output.status));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

fn unit_tests() -> Result<Completion, Failed> {
    if let Err(fix) = node_ready() {
        return without_node(fix);
    }
    let output = Command::new("node")
        .args(["--test", "test/"])
        .current_dir(host_dir())
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "`node --test` in hosts/js failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout)
        )
        .into());
    }
    Ok(Completion::Completed)
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
fn js_host() -> Result<&'static Report, String> {
    static REPORT: OnceLock<Report> = OnceLock::new();
    let command = adapter(None)?;
    Ok(REPORT.get_or_init(|| evaluate(command)))
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
    let report = match js_host() {
        Ok(report) => report,
        Err(fix) => return without_node(&fix),
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
    let own = match js_host() {
        Ok(report) => names(report, |o| !matches!(o, Outcome::Passed)),
        Err(fix) => return without_node(&fix),
    };
    let command = adapter(Some(name))?;
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
