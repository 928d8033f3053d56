//! Running the suite: as a libtest-style command line, or programmatically.

use std::cell::Cell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, Once};
use std::time::Instant;

use libtest_mimic::{Arguments, Failed, Trial};

use crate::contract::Contract;
use crate::host::HostUnderTest;
use crate::plan::{Context, Outcome, TrialSpec};
use crate::report::{Report, TrialResult};

/// The conformance suite for one host.
pub struct Suite<H: HostUnderTest> {
    host: Arc<H>,
    contract: Arc<Contract>,
}

impl<H: HostUnderTest> Suite<H> {
    /// The suite of this repository's contract (`wit/`) for `host`.
    pub fn new(host: H) -> Self {
        Self {
            host: Arc::new(host),
            contract: Arc::new(Contract::bundled()),
        }
    }

    pub fn contract(&self) -> &Contract {
        &self.contract
    }

    fn context(&self) -> Context<H> {
        Context::new(self.host.clone(), self.contract.clone())
            .unwrap_or_else(|e| panic!("cannot set up the conformance suite: {e}"))
    }

    /// Runs every trial, several at a time, and returns what each concluded.
    pub fn evaluate(&self) -> Report {
        let context = self.context();
        let plan = context.plan();
        let next = Mutex::new(0..plan.len());
        let outcomes: Vec<Mutex<Option<Outcome>>> = plan.iter().map(|_| Mutex::new(None)).collect();
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    while let Some(index) = next.lock().unwrap().next() {
                        let outcome = decide(&context, &plan[index]);
                        *outcomes[index].lock().unwrap() = Some(outcome);
                    }
                });
            }
        });
        let trials = plan
            .iter()
            .zip(outcomes)
            .map(|(spec, outcome)| result(&context, spec, outcome.into_inner().unwrap().unwrap()))
            .collect();
        Report {
            host: self.host.name(),
            trials,
        }
    }

    /// Reads libtest's arguments (filters, `--list`, `--exact`, `--ignored`, …)
    /// plus `--report DIR` from the command line, runs, and returns libtest's exit code.
    pub fn run_from_args(self) -> ExitCode {
        let (report_dir, arguments) = match split_report_arg(std::env::args()) {
            Ok(split) => split,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        };
        let arguments = Arguments::from_iter(arguments);
        let context = Arc::new(self.context());
        let plan = context.plan();
        if !arguments.list {
            let started = Instant::now();
            let ready = context.guests();
            eprintln!(
                "airssys:core@1.0.0 conformance of `{}`: {} trials for {} functions read from wit/",
                self.host.name(),
                plan.len(),
                self.contract.functions().len(),
            );
            match ready {
                Ok(_) => eprintln!(
                    "probe components ready in {:.2?} (precompiled once, cached in target/airssys-guests)",
                    started.elapsed()
                ),
                Err(error) => eprintln!("warning: the probe components are unusable: {error}"),
            }
        }
        let results: Arc<Mutex<Vec<(usize, Outcome)>>> = Arc::default();
        let trials = plan
            .iter()
            .cloned()
            .enumerate()
            .map(|(index, spec)| {
                let (context, results) = (context.clone(), results.clone());
                let ignored = spec.ignored.is_some();
                Trial::test(spec.name.clone(), move || {
                    let outcome = decide_run(&context, &spec);
                    results.lock().unwrap().push((index, outcome.clone()));
                    match outcome {
                        Outcome::Failed(message) => Err(Failed::from(message)),
                        _ => Ok(()),
                    }
                })
                .with_ignored_flag(ignored)
            })
            .collect();
        let conclusion = libtest_mimic::run(&arguments, trials);
        if let Some(dir) = report_dir {
            let mut ran = results.lock().unwrap().clone();
            ran.sort_by_key(|(index, _)| *index);
            let report = Report {
                host: self.host.name(),
                trials: ran
                    .into_iter()
                    .map(|(index, outcome)| result(&context, &plan[index], outcome))
                    .collect(),
            };
            match report.write(&self.contract, &dir) {
                Ok(()) => eprintln!(
                    "conformance reports written to {} (conformance.md, conformance.json, junit.xml)",
                    dir.display()
                ),
                Err(error) => {
                    eprintln!("error: cannot write reports to {}: {error}", dir.display());
                    return ExitCode::from(2);
                }
            }
        }
        conclusion.exit_code()
    }
}

fn decide<H: HostUnderTest>(context: &Context<H>, spec: &TrialSpec) -> Outcome {
    match &spec.ignored {
        Some(reason) => Outcome::Ignored(reason.clone()),
        None => context.run(spec),
    }
}

/// Under libtest-mimic an ignored trial runs only when asked (`--ignored`).
fn decide_run<H: HostUnderTest>(context: &Context<H>, spec: &TrialSpec) -> Outcome {
    context.run(spec)
}

fn result<H: HostUnderTest>(
    context: &Context<H>,
    spec: &TrialSpec,
    outcome: Outcome,
) -> TrialResult {
    TrialResult {
        name: spec.name.clone(),
        function: context.contract.functions()[spec.function].path(),
        aspect: spec.aspect.clone(),
        outcome,
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Checks fail by panicking; their message goes into the trial's outcome, so
/// the panic hook's copy on stderr would only repeat it. The hook stays quiet
/// only on threads inside `quiet_panics`, so panics elsewhere (the caller's
/// own tests) are reported as usual.
pub(crate) fn quiet_panics<R>(f: impl FnOnce() -> R) -> R {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
    let was = QUIET.replace(true);
    let result = f();
    QUIET.set(was);
    result
}

fn split_report_arg(
    args: impl Iterator<Item = String>,
) -> Result<(Option<PathBuf>, Vec<String>), String> {
    let mut report = None;
    let mut rest = Vec::new();
    let mut args = args;
    while let Some(arg) = args.next() {
        if arg == "--report" {
            let dir = args
                .next()
                .ok_or("--report needs a directory, e.g. `--report target/conformance`")?;
            report = Some(PathBuf::from(dir));
        } else if let Some(dir) = arg.strip_prefix("--report=") {
            report = Some(PathBuf::from(dir));
        } else {
            rest.push(arg);
        }
    }
    Ok((report, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn report_flag_is_taken_out_of_libtests_arguments() {
        let (dir, rest) = split_report_arg(args(&["bin", "--report", "out", "storage"])).unwrap();
        assert_eq!(dir, Some(PathBuf::from("out")));
        assert_eq!(rest, ["bin", "storage"]);
        let (dir, _) = split_report_arg(args(&["bin", "--report=x"])).unwrap();
        assert_eq!(dir, Some(PathBuf::from("x")));
        assert!(
            split_report_arg(args(&["bin", "--report"]))
                .unwrap_err()
                .contains("directory")
        );
    }
}
