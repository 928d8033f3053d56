//! The suite for a host: in this process, or behind an adapter.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::Arguments;

use crate::connection::in_process::{HostUnderTest, InProcess};
use crate::connection::{AdapterError, Connector, Make};
use crate::contract::Contract;
use crate::host_suite::plan::Context;
use crate::report::{Provenance, Report, TrialResult};
use crate::running::options::Options;
use crate::running::repeat::Invocation;
use crate::running::runner::{self, Ended, Plan, random_seed};
use crate::trials::{Outcome, TimeLimits, TrialSpec};

/// The conformance suite for one host: in this process, or behind an adapter.
pub struct Suite {
    connector: Connector,
    contract: Arc<Contract>,
    limits: TimeLimits,
    seed: u64,
    pub(crate) invocation: Invocation,
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
            limits: TimeLimits::default(),
            seed: random_seed(),
            invocation: Invocation::of_this_process(),
        }
    }

    /// The words that start this suite from a shell, e.g. `cargo
    /// conformance`: every failure of [`Suite::run_from_args`] ends with
    /// them, the options that chose the host, the seed and `--exact` with
    /// the trial's name. By default, for a test target of a cargo package,
    /// `cargo test -p PACKAGE --test TARGET --`, else the program's path.
    pub fn invoked_as(mut self, words: impl Into<String>) -> Self {
        self.invocation = Invocation::given(words);
        self
    }

    /// The seed of the property-based parts of checks, instead of a random
    /// one: a failure's message names the seed that repeats it.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Other time limits than the defaults.
    pub fn limits(mut self, limits: TimeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The contract the suite holds hosts to.
    pub fn contract(&self) -> &Contract {
        &self.contract
    }

    /// Holds the host to `contract` instead of the suite's own `wit/`: a
    /// version of the package read with [`Contract::load`] (`--wit DIR`).
    /// Names and signatures are judged for every function it declares;
    /// behaviour for the functions and clauses this suite has checks for.
    pub fn with_contract(mut self, contract: Contract) -> Self {
        self.contract = Arc::new(contract);
        self
    }

    /// Runs every trial, one at a time, and returns what each concluded.
    /// Fails only when the host's adapter cannot be started at all.
    pub fn evaluate(&self) -> Result<Report, AdapterError> {
        Ok(runner::evaluate(&self.plan(Instant::now())?))
    }

    /// Runs as the command line asks (`options`): the host's registration
    /// first, then its trials as libtest trials.
    pub(crate) fn run(&self, options: &Options) -> Result<ExitCode, String> {
        let started = Instant::now();
        if !Arguments::from_iter(options.libtest.clone()).list {
            eprintln!(
                "{} conformance: starting {} and judging its registration of {} functions read \
                 from {}",
                self.contract.package(),
                self.connector.name(),
                self.contract.functions().len(),
                contract_source(&self.contract),
            );
        }
        let plan = self.plan(started).map_err(|e| e.to_string())?;
        runner::run(Arc::new(plan), options, &self.invocation)
    }

    /// Starts the host's adapter, judges its registration, and plans the
    /// trials; `started` is when the run began, for the heading.
    fn plan(&self, started: Instant) -> Result<HostPlan, AdapterError> {
        let context = Context::new(
            self.connector.clone(),
            self.contract.clone(),
            self.limits,
            self.seed,
        )?;
        Ok(HostPlan {
            trials: context.plan(),
            context,
            judged_in: started.elapsed(),
        })
    }
}

/// A host's trials: names, signatures and behaviour of every function.
struct HostPlan {
    context: Context,
    trials: Vec<TrialSpec>,
    /// How long starting the adapter and judging the registration took.
    judged_in: Duration,
}

impl Plan for HostPlan {
    fn trials(&self) -> Vec<(String, Option<String>)> {
        self.trials
            .iter()
            .map(|t| (t.name.clone(), t.ignored.clone()))
            .collect()
    }

    fn run(&self, index: usize) -> Outcome {
        self.context.run(&self.trials[index])
    }

    fn seed(&self) -> u64 {
        self.context.seed
    }

    fn heading(&self) -> String {
        let about = &self.context.about;
        format!(
            "{} {} for `{}` on wasmtime {}: registration judged in {:.2?}; {} trials; \
             property seed {} (repeat with `--seed {}`)",
            about.adapter,
            about.version,
            about.host,
            about.wasmtime,
            self.judged_in,
            self.trials.len(),
            self.context.seed,
            self.context.seed,
        )
    }

    fn notes(&self) -> Vec<String> {
        self.context.notes()
    }

    fn report(&self, ended: Vec<Ended>) -> Report {
        let context = &self.context;
        let rows = context.rows();
        Report {
            host: context.about.host.clone(),
            provenance: Provenance::new(&context.contract, &context.about, &context.adapter_name()),
            seed: context.seed,
            trials: ended
                .into_iter()
                .map(|ended| {
                    let trial = &self.trials[ended.index];
                    TrialResult {
                        name: trial.name.clone(),
                        function: rows[trial.function].clone(),
                        aspect: trial.aspect.clone(),
                        outcome: ended.outcome,
                        took: ended.took,
                        repeat: None,
                    }
                })
                .collect(),
            rows,
            notes: context.notes(),
        }
    }
}

/// Where the contract's WIT came from, for the console: the suite's own, or
/// the directory given, with the digest and the features enabled.
pub(crate) fn contract_source(contract: &Contract) -> String {
    let digest = &contract.digest()[..12];
    let features = match contract.features() {
        [] => String::new(),
        features => format!(", features {}", features.join(",")),
    };
    match contract.origin() {
        None => format!("the suite's own wit/ (sha256 {digest}…{features})"),
        Some(dir) => format!("{} (sha256 {digest}…{features})", dir.display()),
    }
}
