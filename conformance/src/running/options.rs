//! The suite's own command-line options, taken out of libtest's.

use std::path::PathBuf;
use std::time::Duration;

use crate::connection::caller_dir;
use crate::trials::TimeLimits;

/// What `--help` adds to libtest's options.
pub const HELP: &str = "\
airssys:core conformance options (besides libtest's filter, --exact, --list, ...):
    --adapter COMMAND       judge the host behind this adapter process (run with `sh -c`),
                            e.g. --adapter \"cargo run -q -p my-host-adapter\"
    --component FILE.wasm…  judge these components instead of a host (files that follow,
                            ending in .wasm or .wat, are judged too): their exports, imports
                            and the GST clauses, run on the reference host; with --adapter,
                            run on the host behind it (adapter protocol 1.3 for GST-2..5)
    --wit DIR               judge against the contract's WIT in DIR (the .wit files with the
                            world `runtime-host` of a version of `airssys:core`) instead of the
                            suite's own wit/ (airssys:core@1.0.0), e.g. --wit
                            fixtures/contract-1.1.0/wit: names and signatures of every function
                            it imports are judged; behaviour where the suite has checks; a
                            function it has none for is reported as not judged, never passed.
                            With --component, the components' imports are judged against it.
                            Refused, with what to change: an unversioned package, imports that
                            are not named interfaces, resource functions and types no probe
                            carries (handles, futures, streams, maps, fixed-size lists)
    --wit-features F1,F2    with --wit: also judge the functions behind
                            `@unstable(feature = F1)`, ...; without it they are named as gated,
                            not judged
    --timeout SECS          time limit of each trial (default 30); on expiry the adapter
                            is stopped and the trial fails as timed out. A component's trial
                            stops at its next load or call, and keeps the smallest failure
                            found so far
    --startup-timeout SECS  time an adapter may take to answer `hello` (default 300)
    --expect FILE           the host's known failures (TOML): expected failures do not fail
                            the run, unexpected passes do
    --bless                 with --expect: write the current failures to FILE instead
    --report DIR            write conformance.md, conformance.json, junit.xml, conformance.html
                            (a page to look at) and badge.svg into DIR
    --timings               after the run, every trial's time, slowest first, and the sums
                            per interface or component (the reports hold each trial's time
                            too); a trial's time includes starting an adapter when its
                            connection needed a new one
    --seed N                the seed of the property-based checks (default: random, printed
                            at the start and in every property failure)

Every failure ends with the command that runs it again, alone, against the same host.

airssys-conformance diff OLD.json NEW.json
                            what changed between two runs' conformance.json, as Markdown:
                            regressions, fixes, newly judged or unjudged trials, provenance
                            and seed (an expected failure counts as a failure); two runs
                            judged different contracts when package, WIT digest or features
                            differ (not the directory read from); exit status 1 on a
                            regression

Relative paths, the adapter's command included, are taken from the directory the command
was typed in ($PWD), not from the package directory `cargo test` runs the suite in.";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub adapter: Option<String>,
    /// Components to judge instead of a host.
    pub components: Vec<PathBuf>,
    /// The contract's WIT to judge against, instead of the suite's own.
    pub wit: Option<PathBuf>,
    /// The `@unstable` features of `wit` to enable.
    pub wit_features: Vec<String>,
    pub report: Option<PathBuf>,
    pub expect: Option<PathBuf>,
    pub bless: bool,
    /// Print every trial's time after the run.
    pub timings: bool,
    pub limits: TimeLimits,
    pub seed: Option<u64>,
    /// What is left for libtest.
    pub libtest: Vec<String>,
    pub help: bool,
}

impl Options {
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter().peekable();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = |example: &str| {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{flag} needs a value, e.g. `{flag} {example}`"))
            };
            match flag.as_str() {
                "--adapter" => {
                    options.adapter = Some(value("\"cargo run -q -p my-host-adapter\"")?)
                }
                "--component" => {
                    options
                        .components
                        .push(value("target/wasm32-wasip2/release/my_component.wasm")?.into());
                    // `--component a.wasm b.wasm`: the files that follow are components too.
                    while let Some(next) = args.next_if(|next| is_component_file(next)) {
                        options.components.push(next.into());
                    }
                }
                "--wit" => options.wit = Some(value("fixtures/contract-1.1.0/wit")?.into()),
                "--wit-features" => {
                    let list = value("compare-and-swap")?;
                    let features = list.split(',').map(str::trim).filter(|f| !f.is_empty());
                    options.wit_features.extend(features.map(str::to_owned));
                }
                "--report" => options.report = Some(value("target/conformance")?.into()),
                "--expect" => options.expect = Some(value("conformance-expected.toml")?.into()),
                "--timeout" => options.limits.trial = seconds(&flag, &value("30")?)?,
                "--startup-timeout" => options.limits.startup = seconds(&flag, &value("300")?)?,
                "--seed" => {
                    let text = value("12345")?;
                    let seed = text.parse().map_err(|_| {
                        format!("--seed takes a whole number, e.g. `--seed 12345`; got {text:?}")
                    })?;
                    options.seed = Some(seed);
                }
                "--bless" => options.bless = true,
                "--timings" => options.timings = true,
                // `cargo conformance` already ends its alias with `--`; a
                // second one (`cargo conformance -- --component x.wasm --list`)
                // would make libtest read every later flag as a filter.
                "--" => {}
                "--help" | "-h" => {
                    options.help = true;
                    options.libtest.push(arg);
                }
                _ => options.libtest.push(arg),
            }
        }
        let caller = caller_dir();
        options.report = options.report.map(|path| caller.join(path));
        options.expect = options.expect.map(|path| caller.join(path));
        options.wit = options.wit.map(|path| caller.join(path));
        options.components = options
            .components
            .into_iter()
            .map(|path| caller.join(path))
            .collect();
        if !options.wit_features.is_empty() && options.wit.is_none() {
            return Err(format!(
                "--wit-features enables features of the WIT given with --wit, and the suite's own \
                 wit/ has none: add `--wit DIR` (e.g. `--wit fixtures/contract-1.1.0/wit \
                 --wit-features {}`)",
                options.wit_features.join(",")
            ));
        }
        if options.bless && options.expect.is_none() {
            return Err("--bless writes the file given with --expect: add `--expect FILE`".into());
        }
        Ok(options)
    }
}

fn is_component_file(arg: &str) -> bool {
    !arg.starts_with('-') && (arg.ends_with(".wasm") || arg.ends_with(".wat"))
}

fn seconds(flag: &str, text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() && secs < 1e9 => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err(format!(
            "{flag} takes a positive number of seconds, e.g. `{flag} 30`; got {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &[&str]) -> Result<Options, String> {
        Options::parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn suite_options_are_taken_out_of_libtests_arguments() {
        let options = parse(&[
            "bin",
            "--report",
            "out",
            "storage",
            "--adapter=my adapter",
            "--timeout",
            "2.5",
            "--exact",
            "--seed=42",
            "--timings",
        ])
        .unwrap();
        assert_eq!(options.seed, Some(42));
        assert!(options.timings);
        assert_eq!(options.report, Some(caller_dir().join("out")));
        assert_eq!(options.adapter.as_deref(), Some("my adapter"));
        assert_eq!(options.limits.trial, Duration::from_millis(2500));
        assert_eq!(options.libtest, ["bin", "storage", "--exact"]);
    }

    #[test]
    fn the_files_after_component_are_components_until_another_argument() {
        let options =
            parse(&["bin", "--component", "a.wasm", "b.wat", "counter", "c.wasm"]).unwrap();
        assert_eq!(
            options.components,
            [caller_dir().join("a.wasm"), caller_dir().join("b.wat")]
        );
        assert_eq!(options.libtest, ["bin", "counter", "c.wasm"]);
    }

    #[test]
    fn wit_and_its_features_are_taken_from_the_callers_directory_and_split_at_commas() {
        let options = parse(&[
            "bin",
            "--wit",
            "next/wit",
            "--wit-features=a, b",
            "--wit-features",
            "c",
        ])
        .unwrap();
        assert_eq!(options.wit, Some(caller_dir().join("next/wit")));
        assert_eq!(options.wit_features, ["a", "b", "c"]);
        assert_eq!(options.libtest, ["bin"]);
        let without_wit = parse(&["bin", "--wit-features", "a"]).unwrap_err();
        assert!(without_wit.contains("add `--wit DIR`"), "{without_wit}");
        assert!(
            parse(&["bin", "--wit"])
                .unwrap_err()
                .contains("`--wit fixtures/contract-1.1.0/wit`")
        );
    }

    #[test]
    fn a_second_double_dash_leaves_later_flags_to_libtest() {
        let options = parse(&["bin", "--", "--component", "a.wasm", "--list"]).unwrap();
        assert_eq!(options.components, [caller_dir().join("a.wasm")]);
        assert_eq!(options.libtest, ["bin", "--list"]);
    }

    #[test]
    fn bad_values_say_what_to_write() {
        assert!(
            parse(&["bin", "--seed", "-1"])
                .unwrap_err()
                .contains("--seed takes a whole number, e.g. `--seed 12345`; got \"-1\"")
        );
        assert!(
            parse(&["bin", "--report"])
                .unwrap_err()
                .contains("--report target/conformance")
        );
        assert!(
            parse(&["bin", "--timeout", "0"])
                .unwrap_err()
                .contains("positive number")
        );
        assert!(
            parse(&["bin", "--timeout", "soon"])
                .unwrap_err()
                .contains("\"soon\"")
        );
        // Components judged on the adapter's host.
        let both = parse(&["bin", "--adapter", "x", "--component", "a.wasm"]).unwrap();
        assert_eq!(both.adapter.as_deref(), Some("x"));
        assert_eq!(both.components, [caller_dir().join("a.wasm")]);
        assert!(
            parse(&["bin", "--bless"])
                .unwrap_err()
                .contains("--expect FILE")
        );
    }
}
