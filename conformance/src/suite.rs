//! Running the suite: as a libtest-style command line, or programmatically.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use airssys_contract::text::printable;
use libtest_mimic::{Arguments, Completion, Failed, Trial};

use crate::connection::{AdapterError, Connector, Make};
use crate::contract::Contract;
use crate::engine::Context;
use crate::expect::Expectations;
use crate::host::{HostUnderTest, InProcess};
use crate::options::{HELP, Options};
use crate::report::{Provenance, Report, TrialResult};
use crate::trials::{Limits, Outcome, TrialSpec};

/// The conformance suite for one host: in this process, or behind an adapter.
pub struct Suite {
    connector: Connector,
    contract: Arc<Contract>,
    limits: Limits,
    seed: u64,
}

impl Suite {
    /// The suite of this repository's contract (`wit/`) for `host`, run in
    /// this process on the suite's own wasmtime, through the same adapter
    /// protocol as an adapter process.
    pub fn new<H: HostUnderTest>(host: H) -> Self {
        let name = host.name();
        let make: Arc<Make> =
            match InProcess::maker(host, "airssys-conformance (in process)".into()) {
                Ok(make) => Arc::new(make),
                Err(why) => Arc::new(move || Err(why.clone())),
            };
        Self::with_connector(Connector::Thread { name, make })
    }

    /// The suite for an adapter made in this process by `make`, on a thread
    /// of its own (one per connection, as an adapter process would be):
    /// for adapters written without a host on the suite's wasmtime, such as
    /// the chaos host of the suite's own tests.
    pub fn in_thread(
        name: impl Into<String>,
        make: impl Fn() -> Result<Box<dyn airssys_conformance_adapter::Adapter>, String>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self::with_connector(Connector::Thread {
            name: name.into(),
            make: Arc::new(make),
        })
    }

    /// The suite for the host behind the adapter started by `command`
    /// (run with `sh -c`), e.g. `cargo run -q -p my-host-adapter`.
    pub fn adapter(command: impl Into<String>) -> Self {
        Self::with_connector(Connector::Process {
            command: command.into(),
        })
    }

    fn with_connector(connector: Connector) -> Self {
        Self {
            connector,
            contract: Arc::new(Contract::bundled()),
            limits: Limits::default(),
            seed: random_seed(),
        }
    }

    /// The seed of the property-based parts of checks, instead of a random
    /// one: a failure's message names the seed that repeats it.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Other time limits than the defaults.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The contract the suite holds hosts to.
    pub fn contract(&self) -> &Contract {
        &self.contract
    }

    fn context(&self) -> Result<Context, AdapterError> {
        Context::new(
            self.connector.clone(),
            self.contract.clone(),
            self.limits,
            self.seed,
        )
    }

    /// Runs every trial, several at a time, and returns what each concluded.
    /// Fails only when the host's adapter cannot be started at all.
    pub fn evaluate(&self) -> Result<Report, AdapterError> {
        let context = self.context()?;
        let plan = context.plan();
        let next = Mutex::new(0..plan.len());
        let outcomes: Vec<Mutex<Option<Outcome>>> = plan.iter().map(|_| Mutex::new(None)).collect();
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    while let Some(index) = next.lock().unwrap().next() {
                        let outcome = match &plan[index].ignored {
                            Some(reason) => Outcome::Ignored(reason.clone()),
                            None => context.run(&plan[index]),
                        };
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
        Ok(report(&context, trials))
    }

    /// Reads libtest's arguments (filters, `--list`, `--exact`, …) and the
    /// suite's own (`--adapter`, `--timeout`, `--expect`, `--report`, …; see
    /// `--help`), runs, and returns libtest's exit code, or 2 when the run
    /// could not start.
    pub fn run_from_args(self) -> ExitCode {
        command_line(Some(self))
    }

    /// The `airssys-conformance` command: like [`Suite::run_from_args`] for
    /// the host behind `--adapter`, which it requires.
    pub fn adapter_from_args() -> ExitCode {
        command_line(None)
    }

    fn run(&self, options: &Options) -> Result<ExitCode, String> {
        let arguments = Arguments::from_iter(options.libtest.clone());
        let started = Instant::now();
        if !arguments.list {
            eprintln!(
                "airssys:core@1.0.0 conformance: starting {} and judging its registration of {} functions read from wit/",
                self.connector.name(),
                self.contract.functions().len(),
            );
        }
        let context = Arc::new(self.context().map_err(|e| e.to_string())?);
        let plan = context.plan();
        if !arguments.list {
            let about = &context.about;
            eprintln!(
                "{} {} for `{}` on wasmtime {}: registration judged in {:.2?}; {} trials; \
                 property seed {} (repeat with `--seed {}`)",
                printable(&about.adapter),
                printable(&about.version),
                printable(&about.host),
                printable(&about.wasmtime),
                started.elapsed(),
                plan.len(),
                self.seed,
                self.seed,
            );
            for note in context.notes() {
                eprintln!("note: {}", printable(&note));
            }
        }
        let listed = plan
            .iter()
            .map(|t| (t.name.clone(), t.ignored.clone()))
            .collect();
        let runs = {
            let (context, plan) = (context.clone(), plan.clone());
            move |index: usize| context.run(&plan[index])
        };
        let Some(ran) = run_trials(&arguments, options, listed, runs)? else {
            return Ok(ExitCode::SUCCESS);
        };
        let report = report(
            &context,
            ran.outcomes
                .into_iter()
                .map(|(index, outcome)| result(&context, &plan[index], outcome))
                .collect(),
        );
        conclude(options, &report, ran.exit_code)
    }
}

/// What libtest ran: each trial's outcome by plan index, and its exit code.
pub(crate) struct Ran {
    pub outcomes: Vec<(usize, Outcome)>,
    pub exit_code: ExitCode,
}

/// Runs the trials `listed` (name, why it cannot judge) as libtest trials,
/// `runs` judging one by its index, with the expectations file applied.
/// `None` when libtest only listed them (`--list`).
///
/// A trial that cannot judge, known before the run or found during it, ends
/// as libtest's "ignored" with its reason, so the console counts what the
/// reports count and never shows `ok` for what was not judged.
pub(crate) fn run_trials(
    arguments: &Arguments,
    options: &Options,
    listed: Vec<(String, Option<String>)>,
    runs: impl Fn(usize) -> Outcome + Send + Sync + 'static,
) -> Result<Option<Ran>, String> {
    let names: Vec<String> = listed.iter().map(|(name, _)| name.clone()).collect();
    let expectations = match &options.expect {
        Some(path) if !options.bless => Some(Expectations::read(path, &names)?),
        _ => None,
    };
    // Every trial reads them; one copy is enough.
    let expectations = Arc::new(expectations);
    let runs = Arc::new(runs);
    let results: Arc<Mutex<Vec<(usize, Outcome)>>> = Arc::default();
    let trials = listed
        .into_iter()
        .enumerate()
        .map(|(index, (name, unjudged))| {
            let (runs, results) = (runs.clone(), results.clone());
            let expectations = expectations.clone();
            let trial_name = name.clone();
            Trial::ignorable_test(name, move || {
                // What a host or guest under test says reaches terminals and
                // reports: shown with its terminal controls written out.
                let mut outcome = match unjudged {
                    Some(reason) => Outcome::Ignored(reason),
                    None => runs(index),
                }
                .printable();
                if let Some(expectations) = expectations.as_ref() {
                    outcome = expectations.judge(&trial_name, outcome);
                }
                results.lock().unwrap().push((index, outcome.clone()));
                match outcome {
                    Outcome::Failed(message) => Err(Failed::from(message)),
                    Outcome::Ignored(reason) => Ok(Completion::ignored_with(reason)),
                    Outcome::Passed | Outcome::Expected(_) => Ok(Completion::Completed),
                }
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(arguments, trials);
    if arguments.list {
        return Ok(None);
    }
    let mut ran = results.lock().unwrap().clone();
    ran.sort_by_key(|(index, _)| *index);
    Ok(Some(Ran {
        outcomes: ran,
        exit_code: conclusion.exit_code(),
    }))
}

/// Writes the reports and the expectations file the options ask for, and
/// says how many failures were expected.
pub(crate) fn conclude(
    options: &Options,
    report: &Report,
    exit_code: ExitCode,
) -> Result<ExitCode, String> {
    if let Some(dir) = &options.report {
        report
            .write(dir)
            .map_err(|error| format!("cannot write reports to {}: {error}", dir.display()))?;
        eprintln!(
            "conformance reports written to {} (conformance.md, conformance.json, junit.xml)",
            dir.display()
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
        eprintln!("{expected} trials failed as the expectations file says (counted as passed)");
    }
    Ok(exit_code)
}

/// Runs the suite for `suite`'s host, or for `--adapter`'s.
fn command_line(suite: Option<Suite>) -> ExitCode {
    let options = match Options::parse(std::env::args()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            return ExitCode::from(2);
        }
    };
    if options.help {
        println!("{HELP}\n");
    }
    if !options.components.is_empty() {
        let guests = crate::guest_suite::GuestSuite::new(options.components.clone());
        let guests = match options.seed {
            Some(seed) => guests.seed(seed),
            None => guests,
        }
        .limits(options.limits);
        return match guests.run(&options) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {}", printable(&message));
                ExitCode::from(2)
            }
        };
    }
    let suite = match (&options.adapter, suite) {
        (Some(command), _) => Suite::adapter(command.clone()),
        (None, Some(suite)) => suite,
        (None, None) if options.help => return ExitCode::SUCCESS,
        (None, None) => {
            eprintln!(
                "error: what to judge? A host, through its adapter: `airssys-conformance --adapter \"cargo run -q -p my-host-adapter\"`, or components: `airssys-conformance --component my_component.wasm` (see --help)"
            );
            return ExitCode::from(2);
        }
    };
    let suite = match options.seed {
        Some(seed) => suite.seed(seed),
        None => suite,
    };
    match suite.limits(options.limits).run(&options) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {}", printable(&message));
            ExitCode::from(2)
        }
    }
}

fn report(context: &Context, trials: Vec<TrialResult>) -> Report {
    Report {
        host: context.about.host.clone(),
        provenance: Provenance::new(&context.contract, &context.about, &context.adapter_name()),
        trials,
        rows: context
            .contract
            .functions()
            .iter()
            .map(|f| f.path())
            .collect(),
        notes: context.notes(),
    }
}

fn result(context: &Context, spec: &TrialSpec, outcome: Outcome) -> TrialResult {
    TrialResult {
        name: spec.name.clone(),
        function: context.contract.functions()[spec.function].path(),
        aspect: spec.aspect.clone(),
        outcome: outcome.printable(),
    }
}

/// A seed that differs from run to run, so that property-based parts try
/// other inputs each time.
pub(crate) fn random_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}
