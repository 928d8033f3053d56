//! Judging built components instead of a host: `cargo conformance --
//! --component FILE.wasm`, or [`GuestSuite`] from a test.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use airssys_conformance_adapter::{About, Supports};
use libtest_mimic::Arguments;

use crate::contract::Contract;
use crate::guest::GuestPlan;
use crate::host::WASMTIME_VERSION;
use crate::options::Options;
use crate::report::{Provenance, Report, TrialResult};
use crate::run::{conclude, random_seed, run_trials};
use crate::trials::{Limits, Outcome};

/// The conformance suite for components: for each file, its six lifecycle
/// exports (name, signature, the GST clauses, run on the reference host)
/// and every import (provided by a host? with the contract's types?).
pub struct GuestSuite {
    files: Vec<PathBuf>,
    contract: Contract,
    seed: u64,
    limits: Limits,
}

impl GuestSuite {
    /// The suite for these component files.
    pub fn new(files: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        Self {
            files: files.into_iter().map(Into::into).collect(),
            contract: Contract::bundled(),
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
        let plan = GuestPlan::new(&self.contract, &self.files)?;
        let outcomes = (0..plan.trials.len())
            .map(|index| (index, plan.run(index, self.seed, self.limits.trial)))
            .collect();
        Ok(self.report(&plan, outcomes))
    }

    pub(crate) fn run(&self, options: &Options) -> Result<ExitCode, String> {
        let arguments = Arguments::from_iter(options.libtest.clone());
        let plan = Arc::new(GuestPlan::new(&self.contract, &self.files)?);
        if !arguments.list {
            eprintln!(
                "{} conformance of {}: {} trials on the reference host (wasmtime {WASMTIME_VERSION}); \
                 property seed {} (repeat with `--seed {}`)",
                self.contract.package(),
                airssys_contract::text::printable(&plan.subject),
                plan.trials.len(),
                self.seed,
                self.seed
            );
            for note in &plan.notes {
                eprintln!("note: {}", airssys_contract::text::printable(note));
            }
        }
        let listed = plan
            .trials
            .iter()
            .map(|t| (t.name.clone(), t.ignored().map(str::to_owned)))
            .collect();
        let runs = {
            let (plan, seed, limit) = (plan.clone(), self.seed, self.limits.trial);
            move |index: usize| plan.run(index, seed, limit)
        };
        let Some(ran) = run_trials(&arguments, options, listed, runs)? else {
            return Ok(ExitCode::SUCCESS);
        };
        conclude(options, &self.report(&plan, ran.outcomes), ran.exit_code)
    }

    fn report(&self, plan: &GuestPlan, outcomes: Vec<(usize, Outcome)>) -> Report {
        let about = About {
            adapter: "airssys-host".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            host: "the reference host".into(),
            wasmtime: WASMTIME_VERSION.into(),
            supports: Supports::EVERYTHING,
        };
        Report {
            host: plan.subject.clone(),
            provenance: Provenance::new(&self.contract, &about, "in process"),
            trials: outcomes
                .into_iter()
                .map(|(index, outcome)| {
                    let trial = &plan.trials[index];
                    TrialResult {
                        name: trial.name.clone(),
                        function: trial.row.clone(),
                        aspect: trial.aspect.clone(),
                        outcome: outcome.printable(),
                    }
                })
                .collect(),
            rows: plan.rows.clone(),
            notes: plan.notes.clone(),
        }
    }
}
