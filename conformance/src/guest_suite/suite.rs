//! Judging built components instead of a host: `cargo conformance --
//! --component FILE.wasm`, or [`GuestSuite`] from a test.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use std::time::Duration;

use airssys_conformance_adapter::{About, Adapter, Supports};

use crate::connection::in_process::{HostUnderTest, InProcess, WASMTIME_VERSION};
use crate::connection::{Connector, Pool};
use crate::contract::Contract;
use crate::guest_suite::GuestPlan;
use crate::report::{Provenance, Report, TrialResult};
use crate::running::options::Options;
use crate::running::repeat::Invocation;
use crate::running::runner::{self, Ended, Plan, random_seed};
use crate::trials::{Outcome, TimeLimits};

/// The conformance suite for components: for each file, its six lifecycle
/// exports (name, signature, the GST clauses, run on the reference host or
/// on the host behind an adapter) and every import (provided by a host?
/// with the contract's types?).
pub struct GuestSuite {
    files: Vec<PathBuf>,
    contract: Arc<Contract>,
    seed: u64,
    limits: TimeLimits,
    /// The host the behaviour trials run on; `None`: the reference host in
    /// this process.
    host: Option<Connector>,
}

impl GuestSuite {
    /// The suite for these component files.
    pub fn new(files: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        Self {
            files: files.into_iter().map(Into::into).collect(),
            contract: Arc::new(Contract::bundled()),
            seed: random_seed(),
            limits: TimeLimits::default(),
            host: None,
        }
    }

    /// Judges the components against `contract` (`--wit DIR`) instead of
    /// the one this suite was built with: their imports' names by its
    /// version and semver track, their functions and types by its WIT.
    pub fn contract(mut self, contract: Contract) -> Self {
        self.contract = Arc::new(contract);
        self
    }

    /// Runs the behaviour trials on the host behind the adapter process
    /// `command` (`--adapter`, started with `sh -c`) instead of the reference
    /// host, and judges the imports' names by that host's `check`.
    pub fn on_adapter(mut self, command: impl Into<String>) -> Self {
        self.host = Some(Connector::Process {
            command: command.into(),
        });
        self
    }

    /// [`GuestSuite::on_adapter`] for a host on the suite's own wasmtime, run
    /// in this process through the same adapter protocol.
    pub fn on_host<H: HostUnderTest>(mut self, host: H) -> Self {
        let name = host.name();
        let make: Arc<crate::connection::Make> =
            match InProcess::maker(host, "airssys-conformance (in process)".into()) {
                Ok(make) => Arc::new(make),
                Err(why) => Arc::new(move || Err(why.clone())),
            };
        self.host = Some(Connector::Thread { name, make });
        self
    }

    /// [`GuestSuite::on_adapter`] for an adapter made in this process by
    /// `make`, on a thread of its own per connection.
    pub fn on_adapter_in_thread(
        mut self,
        name: impl Into<String>,
        make: impl Fn() -> Result<Box<dyn Adapter>, String> + Send + Sync + 'static,
    ) -> Self {
        self.host = Some(Connector::Thread {
            name: name.into(),
            make: Arc::new(make),
        });
        self
    }

    /// The seed of the generated messages, instead of a random one.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How long each trial may take (`--timeout`): a trial looks at its
    /// limit before each load and call of the component, so it ends at most
    /// one call's budget after it.
    pub fn limits(mut self, limits: TimeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Runs every trial and returns what each concluded. Fails when a file
    /// cannot be read or is not a component, saying which and why.
    pub fn evaluate(&self) -> Result<Report, String> {
        Ok(runner::evaluate(&self.plan()?))
    }

    /// Runs as the command line asks (`options`); a failure is repeated by
    /// `invocation` and the options.
    pub(crate) fn run(
        &self,
        options: &Options,
        invocation: &Invocation,
    ) -> Result<ExitCode, String> {
        runner::run(Arc::new(self.plan()?), options, invocation)
    }

    fn plan(&self) -> Result<Guests, String> {
        let (adapter, on) = match &self.host {
            None => (None, None),
            Some(connector) => {
                let pool = Arc::new(Pool::new(connector.clone(), self.limits.startup));
                let about = pool.lease().map_err(|e| e.to_string())?.about.clone();
                let on = On {
                    about: about.clone(),
                    reached_through: pool.name(),
                };
                (Some((pool, about)), Some(on))
            }
        };
        Ok(Guests {
            plan: GuestPlan::new(&self.contract, &self.files, adapter)?,
            contract: self.contract.clone(),
            seed: self.seed,
            limit: self.limits.trial,
            on,
        })
    }
}

/// The host behind an adapter, as its `hello` named it.
struct On {
    about: About,
    /// e.g. "adapter `node hosts/js/bin/adapter.mjs`"
    reached_through: String,
}

/// The components' trials, run on the reference host or on `on`.
struct Guests {
    plan: GuestPlan,
    contract: Arc<Contract>,
    seed: u64,
    /// Each trial's limit.
    limit: Duration,
    /// The adapter's host, if the trials run on one.
    on: Option<On>,
}

impl Plan for Guests {
    fn trials(&self) -> Vec<(String, Option<String>)> {
        self.plan
            .trials
            .iter()
            .map(|t| (t.name.clone(), t.ignored().map(str::to_owned)))
            .collect()
    }

    fn run(&self, index: usize) -> Outcome {
        self.plan.run(index, self.seed, self.limit)
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn heading(&self) -> String {
        let host = match &self.on {
            None => format!("the reference host (wasmtime {WASMTIME_VERSION})"),
            Some(on) => format!(
                "`{}` (wasmtime {}) through {}",
                on.about.host, on.about.wasmtime, on.reached_through
            ),
        };
        format!(
            "{} conformance of {}: {} trials on {host}; property seed {} (repeat with `--seed {}`)",
            self.contract.package(),
            self.plan.subject,
            self.plan.trials.len(),
            self.seed,
            self.seed
        )
    }

    fn notes(&self) -> Vec<String> {
        self.plan.notes.clone()
    }

    fn report(&self, ended: Vec<Ended>) -> Report {
        let in_process = About::new(
            "airssys-host",
            env!("CARGO_PKG_VERSION"),
            "the reference host",
            WASMTIME_VERSION,
        )
        .supporting(Supports::EVERYTHING);
        let (about, reached_through) = match &self.on {
            None => (&in_process, "in process"),
            Some(on) => (&on.about, on.reached_through.as_str()),
        };
        let plan = &self.plan;
        Report {
            host: plan.subject.clone(),
            provenance: Provenance::new(&self.contract, about, reached_through),
            seed: self.seed,
            trials: ended
                .into_iter()
                .map(|ended| {
                    let trial = &plan.trials[ended.index];
                    TrialResult {
                        name: trial.name.clone(),
                        function: trial.row.clone(),
                        aspect: trial.aspect.clone(),
                        outcome: ended.outcome,
                        took: ended.took,
                        repeat: None,
                    }
                })
                .collect(),
            rows: plan.rows.clone(),
            notes: plan.notes.clone(),
        }
    }
}
