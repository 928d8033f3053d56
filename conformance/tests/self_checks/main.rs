//! The suite's self-checks, one test binary for all: every one of them links
//! wasmtime and Cranelift, and one binary instead of six is one link and one
//! 80 MB file instead of six. A module per concern; each trial is named
//! `<module>::<check>`, so `cargo test --workspace --test self_checks
//! broken_hosts` runs one module's.
//!
//! The adapters of `adapters` and `reports` are this binary itself: started
//! with `AIRSSYS_TEST_ADAPTER=<fixture>`, it serves that fixture on stdin and
//! stdout instead of running the trials.

/// The trials of a module's checks, each named after its function:
/// `checks![a, b]` in `broken_hosts` is `broken_hosts::a`, `broken_hosts::b`.
macro_rules! checks {
    ($($check:ident),+ $(,)?) => {
        vec![$($crate::check(module_path!(), stringify!($check), $check)),+]
    };
}

mod adapters;
mod broken;
mod broken_guests;
mod broken_hosts;
mod chaos;
mod contract_versions;
mod guests_across_versions;
mod js_hosts;
mod node;
mod reports;
mod semver_hosts;

use std::process::ExitCode;

use libtest_mimic::{Arguments, Conclusion, Failed, Trial};

fn main() -> ExitCode {
    if let Ok(fixture) = std::env::var(adapters::FIXTURE) {
        return adapters::serve(&fixture);
    }
    let args = Arguments::from_args();
    let beside = [
        broken_hosts::trials(),
        broken_guests::trials(),
        guests_across_versions::trials(),
        chaos::trials(),
        adapters::trials(),
        reports::trials(),
        contract_versions::trials(),
        semver_hosts::trials(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let beside = libtest_mimic::run(&args, beside);
    // The JS host's runs last and one at a time, with nothing beside them:
    // their snapshots are exact, and they judge timing clauses (SVC-3,
    // SVC-4) that other runs on the same cores could upset.
    let mut alone_args = args.clone();
    alone_args.test_threads.get_or_insert(1);
    let alone = libtest_mimic::run(&alone_args, js_hosts::trials());
    exit_code(&[beside, alone])
}

/// Failure if any group of trials failed, as libtest-mimic says for one.
fn exit_code(groups: &[Conclusion]) -> ExitCode {
    match groups.iter().find(|group| group.has_failed()) {
        Some(failed) => failed.exit_code(),
        None => ExitCode::SUCCESS,
    }
}

/// The trial of a check that panics when it fails (an `assert!`), named
/// `<module>::<check>` from the `module_path!()` of its module.
fn check(module_path: &str, name: &str, test: fn()) -> Trial {
    Trial::test(trial_name(module_path, name), move || {
        test();
        Ok::<(), Failed>(())
    })
}

/// `<module>::<name>`, for the module at `module_path` (`self_checks::<module>`):
/// `broken_guests::on_adapters::<name>` in a module's own module.
fn trial_name(module_path: &str, name: &str) -> String {
    let module = module_path
        .split_once("::")
        .map_or(module_path, |(_crate, module)| module);
    format!("{module}::{name}")
}
