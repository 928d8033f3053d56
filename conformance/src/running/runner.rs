//! One way to run a plan of trials, for a host's suite and a guest suite
//! alike: all at once for a test ([`evaluate`]), or as libtest trials from
//! the command line ([`run`]), then the reports and the expectations file.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airssys_contract::text::printable;
use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::report::{Report, repeatable};
use crate::running::expectations::Expectations;
use crate::running::options::Options;
use crate::running::repeat::Invocation;
use crate::trials::Outcome;

/// What a suite judges: its trials in order, how to judge one, and how its
/// report names them.
pub(crate) trait Plan: Send + Sync + 'static {
    /// Each trial's name and, when it cannot judge, why; in plan order.
    fn trials(&self) -> Vec<(String, Option<String>)>;

    /// Judges trial `index` (one that can judge).
    fn run(&self, index: usize) -> Outcome;

    /// The seed of the property-based parts of the trials.
    fn seed(&self) -> u64;

    /// The line the console shows before the trials.
    fn heading(&self) -> String;

    /// What holds for the whole run, said once before the trials and under
    /// the report's matrix.
    fn notes(&self) -> Vec<String>;

    /// The report of the trials that ended, in plan order.
    fn report(&self, ended: Vec<Ended>) -> Report;
}

/// How one trial ended, and how long judging it took.
#[derive(Debug, Clone)]
pub(crate) struct Ended {
    /// The trial's index in the plan.
    pub index: usize,
    pub outcome: Outcome,
    pub took: Duration,
}

/// Trial `index`'s outcome. What a host or guest under test says reaches
/// terminals and reports: it is shown with its terminal controls written out.
fn judge(plan: &impl Plan, index: usize, unjudged: Option<String>) -> Ended {
    let started = Instant::now();
    let outcome = match unjudged {
        Some(reason) => Outcome::Ignored(reason),
        None => plan.run(index),
    }
    .printable();
    Ended {
        index,
        outcome,
        took: started.elapsed(),
    }
}

/// Runs every trial, one at a time in plan order, and returns what each
/// concluded. One at a time, so that a run is repeated exactly by its seed:
/// which adapter connection judges which trial does not depend on timing
/// (the chaos test's seeds rely on it).
pub(crate) fn evaluate(plan: &impl Plan) -> Report {
    let ended = plan
        .trials()
        .into_iter()
        .enumerate()
        .map(|(index, (_, unjudged))| judge(plan, index, unjudged))
        .collect();
    plan.report(ended)
}

/// Runs `plan` as libtest trials with libtest's arguments in `options`
/// (filters, `--list`, `--exact`, …), then writes what `options` asks for.
///
/// A trial that cannot judge, known before the run or found during it, ends
/// as libtest's "ignored" with its reason, so the console counts what the
/// reports count and never shows `ok` for what was not judged. A failure
/// ends with the command that repeats it: `invocation` and the options that
/// chose and judged the host.
pub(crate) fn run(
    plan: Arc<impl Plan>,
    options: &Options,
    invocation: &Invocation,
) -> Result<ExitCode, String> {
    let arguments = Arguments::from_iter(options.libtest.clone());
    if !arguments.list {
        eprintln!("{}", printable(&plan.heading()));
        for note in plan.notes() {
            eprintln!("note: {}", printable(&note));
        }
    }
    let listed = plan.trials();
    let names: Vec<String> = listed.iter().map(|(name, _)| name.clone()).collect();
    let expectations = match &options.expect {
        Some(path) if !options.bless => Some(Expectations::read(path, &names)?),
        _ => None,
    };
    // Every trial reads them; one copy is enough.
    let expectations = Arc::new(expectations);
    let results: Arc<Mutex<Vec<Ended>>> = Arc::default();
    let repeat = |name: &str| invocation.repeat(options, plan.seed(), name);
    let trials = listed
        .into_iter()
        .enumerate()
        .map(|(index, (name, unjudged))| {
            let (plan, results) = (plan.clone(), results.clone());
            let expectations = expectations.clone();
            let trial_name = name.clone();
            let repeat = repeat(&name);
            Trial::ignorable_test(name, move || {
                let mut ended = judge(plan.as_ref(), index, unjudged);
                if let Some(expectations) = expectations.as_ref() {
                    ended.outcome = expectations.judge(&trial_name, ended.outcome);
                }
                let outcome = ended.outcome.clone();
                results.lock().unwrap().push(ended);
                match outcome {
                    Outcome::Failed(message) => {
                        Err(Failed::from(repeatable(&message, Some(&repeat))))
                    }
                    Outcome::Ignored(reason) => Ok(Completion::ignored_with(reason)),
                    // Libtest's only words for a trial that does not fail
                    // the run are `ok` and `ignored`; a failure is no `ok`.
                    Outcome::Expected(reason) => Ok(Completion::ignored_with(format!(
                        "expected failure: {}",
                        reason.lines().next().unwrap_or_default()
                    ))),
                    Outcome::Passed => Ok(Completion::Completed),
                }
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&arguments, trials);
    if arguments.list {
        return Ok(ExitCode::SUCCESS);
    }
    let mut ended = results.lock().unwrap().clone();
    ended.sort_by_key(|ended| ended.index);
    let mut report = plan.report(ended);
    for trial in &mut report.trials {
        if matches!(trial.outcome, Outcome::Failed(_)) {
            trial.repeat = Some(repeat(&trial.name));
        }
    }
    conclude(options, &report, conclusion.exit_code())
}

/// Writes the reports and the expectations file the options ask for, and
/// says how many failures were expected.
fn conclude(options: &Options, report: &Report, exit_code: ExitCode) -> Result<ExitCode, String> {
    if options.timings {
        eprint!("{}", report.timings());
    }
    if let Some(dir) = &options.report {
        report
            .write(dir)
            .map_err(|error| format!("cannot write reports to {}: {error}", dir.display()))?;
        eprintln!(
            "conformance reports written to {} ({})",
            dir.display(),
            Report::FILES.join(", ")
        );
    }
    if let (true, Some(path)) = (options.bless, &options.expect) {
        let count = Expectations::bless(
            path,
            report.trials.iter().map(|t| (t.name.as_str(), &t.outcome)),
        )?;
        eprintln!(
            "{} written with {count} expected failures; review the reasons, then run with `--expect {}`",
            path.display(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let expected = report
        .trials
        .iter()
        .filter(|t| matches!(t.outcome, Outcome::Expected(_)))
        .count();
    if expected > 0 {
        eprintln!(
            "{expected} trials failed as the expectations file says: shown as `ignored (expected failure: …)`, they do not fail the run"
        );
    }
    Ok(exit_code)
}

/// A seed that differs from run to run, so that property-based parts try
/// other inputs each time.
pub(crate) fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
