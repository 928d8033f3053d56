//! The suite follows the contract when it moves: `--wit` with the 1.1.0
//! draft (`fixtures/contract-1.1.0/wit`) judges names and signatures of
//! every function it declares, its new function's behaviour is reported as
//! not judged (never passed), and the function behind `@unstable` is named
//! as gated until `--wit-features` enables it. Reviewed as insta snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

use airssys_conformance::{Contract, Outcome, Report, Suite};
use airssys_host::bindings::airssys::core::storage::Host as _;
use airssys_host::runtime::ComponentState;
use airssys_host::{AirssysView, ContractVersion, register_host_functions};
use airssys_reference_adapter::ReferenceHost;
use libtest_mimic::Trial;
use wasmtime::component::Linker;

use crate::broken;

pub fn trials() -> Vec<Trial> {
    checks![
        a_host_serving_only_1_0_fails_exactly_the_new_functions_name,
        the_reference_host_judged_against_1_1,
        a_host_whose_1_1_get_is_broken_fails_gets_behaviour_against_1_1,
        an_enabled_feature_judges_its_function,
        a_wit_the_suite_cannot_read_is_refused_with_what_to_pass,
    ]
}

const SUITE: &str = env!("CARGO_BIN_EXE_airssys-conformance");

fn draft() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/contract-1.1.0/wit")
}

fn evaluate(host: ReferenceHost, features: &[&str]) -> Report {
    let features: Vec<String> = features.iter().map(|f| f.to_string()).collect();
    let contract = Contract::load_with_features(&draft(), &features).expect("the draft reads");
    Suite::new(host)
        .seed(broken::SEED)
        .with_contract(contract)
        .evaluate()
        .expect("the host starts")
}

/// Each trial that did not pass, with how it ended.
fn not_passed(report: &Report) -> Vec<(String, Outcome)> {
    report
        .trials
        .iter()
        .filter(|t| t.outcome != Outcome::Passed)
        .map(|t| (t.name.clone(), t.outcome.clone()))
        .collect()
}

const NO_CHECK: &str = "no behaviour check for `airssys:core/storage.get-many` in this suite";
const GATED: &str = "`storage.compare-and-swap` is behind `@unstable(feature = compare-and-swap)`, \
                     not enabled: not judged (`--wit-features compare-and-swap` judges it)";

/// The reference host serving 1.0.0 only, a host that has not updated: it
/// registers the 17 functions of 1.0.0 at `@1.0.0` and nothing else, so
/// wasmtime links the draft's `@1.1.0` imports of them by semver, and
/// `get-many` is missing.
fn a_host_serving_only_1_0_fails_exactly_the_new_functions_name() {
    let report = evaluate(
        ReferenceHost::new().serving(&[ContractVersion::V1_0_0]),
        &[],
    );
    let not_passed = not_passed(&report);
    let names: Vec<&str> = not_passed.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "storage::get-many::name",
            "storage::get-many::signature",
            "storage::get-many::behaviour",
            "storage::compare-and-swap::name",
            "storage::compare-and-swap::signature",
        ]
    );
    assert!(
        matches!(&not_passed[0].1, Outcome::Failed(why) if why.contains("`get-many` is not registered")),
        "{:?}",
        not_passed[0].1
    );
    assert!(matches!(&not_passed[1].1, Outcome::Ignored(why) if why.contains("is not registered")));
    assert_eq!(not_passed[2].1, Outcome::Ignored(NO_CHECK.into()));
    assert_eq!(not_passed[3].1, Outcome::Ignored(GATED.into()));
    assert_eq!(not_passed[4].1, Outcome::Ignored(GATED.into()));
    assert_eq!(report.provenance.contract, "airssys:core@1.1.0");
    assert_eq!(
        report.provenance.wit_dir.as_deref(),
        Some(draft().display().to_string().as_str())
    );
    insta::assert_snapshot!("1-0-host-against-1-1", report.review());
}

/// The reference host, which registers 1.1.0 beside 1.0.0: `get-many`'s
/// name and signature pass, its behaviour and the gated function stay
/// unjudged, and every function of 1.0.0 passes every trial.
fn the_reference_host_judged_against_1_1() {
    let report = evaluate(ReferenceHost::new(), &[]);
    let outcome = |name: &str| {
        let trial = report.trials.iter().find(|t| t.name == name).unwrap();
        trial.outcome.clone()
    };
    assert_eq!(
        outcome("storage::get-many::behaviour"),
        Outcome::Ignored(NO_CHECK.into())
    );
    assert_eq!(
        outcome("storage::compare-and-swap::name"),
        Outcome::Ignored(GATED.into())
    );
    // Every other trial passes: the functions of 1.0.0, now imported at
    // 1.1.0, and `get-many`'s name and signature.
    for trial in &report.trials {
        if trial.name != "storage::get-many::behaviour"
            && !trial.name.starts_with("storage::compare-and-swap::")
        {
            assert_eq!(trial.outcome, Outcome::Passed, "{}", trial.name);
        }
    }
    insta::assert_snapshot!("reference-against-1-1", report.review());
}

/// The reference host with its `@1.1.0` `get` broken (an empty value reads
/// as none); its `@1.0.0` `get` is right. Judged against 1.1.0, the probes
/// import `@1.1.0`, so `get`'s behaviour trials call the broken one and
/// fail; judged against 1.0.0, they call the right one and pass.
fn a_host_whose_1_1_get_is_broken_fails_gets_behaviour_against_1_1() {
    fn broken_1_1_get(linker: &mut Linker<ComponentState>) -> wasmtime::Result<()> {
        register_host_functions(linker)?;
        linker.allow_shadowing(true);
        linker.instance("airssys:core/storage@1.1.0")?.func_wrap(
            "get",
            |mut store: wasmtime::StoreContextMut<'_, ComponentState>, (key,): (String,)| {
                let got = store.data_mut().airssys().get(key);
                Ok((got.map(|value| value.filter(|v| !v.is_empty())),))
            },
        )?;
        linker.allow_shadowing(false);
        Ok(())
    }
    let get_behaviour = |report: &Report| -> Vec<String> {
        report
            .trials
            .iter()
            .filter(|t| t.name.starts_with("storage::get::behaviour"))
            .filter(|t| matches!(t.outcome, Outcome::Failed(_)))
            .map(|t| t.name.clone())
            .collect()
    };
    let host =
        || ReferenceHost::with_registration("reference, its 1.1.0 get broken", broken_1_1_get);
    let against_1_1 = evaluate(host(), &[]);
    assert_eq!(
        get_behaviour(&against_1_1),
        [
            "storage::get::behaviour::STO-1",
            "storage::get::behaviour::STO-2",
            "storage::get::behaviour::STO-5",
        ],
        "{}",
        against_1_1.review()
    );
    let against_1_0 = Suite::new(host())
        .seed(broken::SEED)
        .evaluate()
        .expect("the host starts");
    assert_eq!(get_behaviour(&against_1_0), Vec::<String>::new());
}

/// With the feature enabled, `compare-and-swap` is part of the contract:
/// judged by name (the reference host does not register it), and its
/// behaviour reported as not judged.
fn an_enabled_feature_judges_its_function() {
    let report = evaluate(ReferenceHost::new(), &["compare-and-swap"]);
    let outcome = |name: &str| {
        let trial = report.trials.iter().find(|t| t.name == name).unwrap();
        trial.outcome.clone()
    };
    assert!(
        matches!(outcome("storage::compare-and-swap::name"), Outcome::Failed(why) if why.contains("`compare-and-swap` is not registered")),
        "{:?}",
        outcome("storage::compare-and-swap::name")
    );
    assert_eq!(
        outcome("storage::compare-and-swap::behaviour"),
        Outcome::Ignored(
            "no behaviour check for `airssys:core/storage.compare-and-swap` in this suite".into()
        )
    );
    assert_eq!(report.provenance.wit_features, ["compare-and-swap"]);
    let markdown = report.to_markdown();
    let contract_line = format!(
        "- contract: airssys:core@1.1.0 (wit sha256 {}, read from {}, features compare-and-swap)",
        report.provenance.wit_digest,
        draft().display()
    );
    assert!(markdown.contains(&contract_line), "{markdown}");
}

/// What `airssys-conformance --wit DIR` says for a directory it cannot use,
/// with the directory written as `[dir]`.
fn refusal(files: &[(String, String)], features: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let wit = dir.path().join("wit");
    std::fs::create_dir(&wit).unwrap();
    for (name, text) in files {
        std::fs::write(wit.join(name), text).unwrap();
    }
    let mut command = Command::new(SUITE);
    command
        .args(["--adapter", "never-started", "--wit", "wit"])
        .current_dir(dir.path())
        .env("PWD", dir.path());
    if !features.is_empty() {
        command.args(["--wit-features", &features.join(",")]);
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    String::from_utf8(output.stderr)
        .unwrap()
        .replace(&dir.path().display().to_string(), "[dir]")
}

fn a_wit_the_suite_cannot_read_is_refused_with_what_to_pass() {
    let one = |text: &str| vec![("world.wit".to_owned(), text.to_owned())];
    let whole_draft: Vec<(String, String)> = std::fs::read_dir(draft())
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    let cases = [
        ("no .wit file", refusal(&[], &[])),
        (
            "does not parse",
            refusal(
                &one("package airssys:core@1.1.0;\nworld runtime-host {\n  import storage\n}\n"),
                &[],
            ),
        ),
        (
            "no world runtime-host",
            refusal(&one("package airssys:core@1.1.0;\n\nworld other {}\n"), &[]),
        ),
        (
            "a feature it does not have",
            refusal(&whole_draft, &["cas"]),
        ),
    ];
    let text: Vec<String> = cases
        .iter()
        .map(|(case, said)| format!("## {case}\n{said}"))
        .collect();
    insta::assert_snapshot!("wit-refused", text.join("\n"));
}
