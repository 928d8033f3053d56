//! Judging built components instead of a host: `cargo conformance --
//! --component FILE.wasm`, or [`GuestSuite`] from a test.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use std::time::Duration;

use airssys_conformance_adapter::{About, Supports};

use crate::contract::Contract;
use crate::guest::GuestPlan;
use crate::host::WASMTIME_VERSION;
use crate::options::Options;
use crate::repeat::Invocation;
use crate::report::{Provenance, Report, TrialResult};
use crate::runner::{self, Ended, Plan, random_seed};
use crate::trials::{Limits, Outcome};

/// The conformance suite for components: for each file, its six lifecycle
/// exports (name, signature, the GST clauses, run on the reference host)
/// and every import (provided by a host? with the contract's types?).
pub struct GuestSuite {
    files: Vec<PathBuf>,
    contract: Arc<Contract>,
    seed: u64,
    limits: Limits,
}

impl GuestSuite {
    /// The suite for these component files.
    pub fn new(files: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        Self {
            files: files.into_iter().map(Into::into).collect(),
            contract: Arc::new(Contract::bundled()),
            seed: random_seed(),
            limits: Limits::default(),
        }
    }

    /// The seed of the generated messages, instead of a random one.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How long each trial may take (`--timeout`): a trial looks at its
    /// limit before each load and call of the component, so it ends at most
    /// one call's budget after it.
    pub fn limits(mut self, limits: Limits) -> Self {
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
        Ok(Guests {
            plan: GuestPlan::new(&self.contract, &self.files)?,
            contract: self.contract.clone(),
            seed: self.seed,
            limit: self.limits.trial,
        })
    }
}

/// The components' trials, run on the reference host.
struct Guests {
    plan: GuestPlan,
    contract: Arc<Contract>,
    seed: u64,
    /// Each trial's limit.
    limit: Duration,
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
        format!(
            "{} conformance of {}: {} trials on the reference host (wasmtime {WASMTIME_VERSION}); \
             property seed {} (repeat with `--seed {}`)",
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
        let about = About {
            adapter: "airssys-host".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            host: "the reference host".into(),
            wasmtime: WASMTIME_VERSION.into(),
            supports: Supports::EVERYTHING,
        };
        let plan = &self.plan;
        Report {
            host: plan.subject.clone(),
            provenance: Provenance::new(&self.contract, &about, "in process"),
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
