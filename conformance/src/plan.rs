//! The trials, derived from the contract: for each imported function a name
//! trial, a signature trial, and one behaviour trial per clause ID its doc
//! comment names. How each trial runs is in [`Context::run`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, OnceLock};

use wasmtime::Engine;

use crate::behaviour::{ClauseCheck, Session, checks};
use crate::contract::{Contract, HostFunction};
use crate::guests::Guests;
use crate::host::{ComponentRuntime, HostUnderTest, Stubs, engine_for};
use crate::linker_runtime::LinkerRuntime;
use crate::registration::{Placement, Verdicts, judge};
use crate::run::quiet_panics;
use crate::spec::Spec;

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    Name,
    Signature,
    /// A clause ID, or `None` when the WIT names no clause for the function.
    Behaviour(Option<String>),
}

#[derive(Debug, Clone)]
pub struct TrialSpec {
    /// e.g. `storage::get::behaviour::STO-1`
    pub name: String,
    pub function: usize,
    pub aspect: Aspect,
    /// Why the trial cannot run on this host, if it cannot.
    pub ignored: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome", content = "message")]
pub enum Outcome {
    Passed,
    Failed(String),
    Ignored(String),
}

/// Everything trials share: one engine, the verdicts, the compiled probes.
pub(crate) struct Context<H: HostUnderTest> {
    pub host: Arc<H>,
    pub contract: Arc<Contract>,
    pub engine: Engine,
    pub verdicts: Vec<Verdicts>,
    pub stubs: Stubs,
    pub has_runtime: bool,
    spec: Spec,
    checks: Vec<ClauseCheck>,
    guests: OnceLock<Result<Guests, String>>,
}

impl<H: HostUnderTest> Context<H> {
    pub fn new(host: Arc<H>, contract: Arc<Contract>) -> Result<Self, String> {
        let engine = engine_for(host.as_ref()).map_err(|e| format!("engine: {e:#}"))?;
        let mut linker = wasmtime::component::Linker::new(&engine);
        host.register(&mut linker)
            .map_err(|e| format!("the host's registration failed: {e:#}"))?;
        let verdicts = judge(&contract, &linker);
        let stubs = Stubs {
            functions: contract
                .functions()
                .iter()
                .zip(&verdicts)
                .filter(|(_, v)| v.placement != Placement::Right || v.signature.is_err())
                .map(|(f, _)| (f.instance.clone(), f.name.clone()))
                .collect(),
        };
        let has_runtime = host.runtime(&engine, &stubs).is_some();
        Ok(Self {
            host,
            contract,
            engine,
            verdicts,
            stubs,
            has_runtime,
            spec: Spec::bundled(),
            checks: checks(),
            guests: OnceLock::new(),
        })
    }

    fn check(&self, clause: &str) -> Option<&ClauseCheck> {
        self.checks.iter().find(|c| c.clause == clause)
    }

    /// Every trial, in contract order.
    pub fn plan(&self) -> Vec<TrialSpec> {
        let mut trials = Vec::new();
        for (index, function) in self.contract.functions().iter().enumerate() {
            let path = function.path();
            let missing = self.verdicts[index].placement == Placement::Missing;
            trials.push(TrialSpec {
                name: format!("{path}::name"),
                function: index,
                aspect: Aspect::Name,
                ignored: None,
            });
            trials.push(TrialSpec {
                name: format!("{path}::signature"),
                function: index,
                aspect: Aspect::Signature,
                ignored: missing.then(|| {
                    format!("`{path}` is not registered, so it has no type to check (see its name trial)")
                }),
            });
            if function.clauses.is_empty() {
                trials.push(TrialSpec {
                    name: format!("{path}::behaviour"),
                    function: index,
                    aspect: Aspect::Behaviour(None),
                    ignored: None,
                });
            }
            for clause in &function.clauses {
                trials.push(TrialSpec {
                    name: format!("{path}::behaviour::{clause}"),
                    function: index,
                    aspect: Aspect::Behaviour(Some(clause.clone())),
                    ignored: self.why_not_judged(function, clause),
                });
            }
        }
        trials
    }

    /// The probe components, compiled (or loaded from the cache) on first use.
    pub fn guests(&self) -> Result<Guests, String> {
        self.guests
            .get_or_init(|| Guests::compile(&self.engine))
            .clone()
    }

    /// Why a behaviour trial cannot judge `function` on this host, if it
    /// cannot: it would only repeat a registration failure, which its own
    /// name or signature trial already reports, or it needs a runtime the
    /// adapter does not offer. Such trials are ignored, never passed.
    fn why_not_judged(&self, function: &HostFunction, clause: &str) -> Option<String> {
        let check = self.check(clause)?;
        let registration_failed = |path: &str| {
            let (index, used) = self.contract.by_path(path)?;
            let verdicts = &self.verdicts[index];
            let failed = verdicts.placement != Placement::Right || verdicts.signature.is_err();
            failed.then(|| used.path())
        };
        if let Some(path) = registration_failed(&function.path()) {
            return Some(format!(
                "`{path}` failed its name or signature trial; its behaviour cannot be judged until \
                 components can call it"
            ));
        }
        if let Some(path) = check.uses.iter().find_map(|path| registration_failed(path)) {
            return Some(format!(
                "{clause} needs `{path}`, which failed its name or signature trial"
            ));
        }
        (check.needs.runtime(function) && !self.has_runtime).then(|| {
            format!(
                "{clause} needs a multi-component runtime and this host's adapter offers none \
                 (HostUnderTest::runtime)"
            )
        })
    }

    pub fn run(&self, trial: &TrialSpec) -> Outcome {
        let function = &self.contract.functions()[trial.function];
        let verdicts = &self.verdicts[trial.function];
        let result = match &trial.aspect {
            Aspect::Name => verdicts.name(function),
            Aspect::Signature => verdicts.signature.clone(),
            Aspect::Behaviour(None) => Err(format!(
                "no behaviour coverage: the WIT names no clause for `{}`",
                function.name
            )),
            Aspect::Behaviour(Some(clause)) => self.behaviour(function, clause),
        };
        match result {
            Ok(()) => Outcome::Passed,
            Err(message) => Outcome::Failed(message),
        }
    }

    fn behaviour(&self, function: &HostFunction, clause: &str) -> Result<(), String> {
        let Some(check) = self.check(clause) else {
            return Err(format!(
                "no behaviour coverage: the suite has no check for {clause}"
            ));
        };
        let guests = self.guests()?;
        let runtime: Box<dyn ComponentRuntime> = match self.host.runtime(&self.engine, &self.stubs)
        {
            Some(runtime) => runtime,
            None => Box::new(LinkerRuntime::new(
                self.host.clone(),
                &self.engine,
                &self.stubs,
            )?),
        };
        let mut session = Session::new(runtime, guests);
        quiet_panics(|| catch_unwind(AssertUnwindSafe(|| (check.run)(&mut session, function))))
            .map_err(|panic| {
                let detail = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("the check panicked");
                format!("{clause}: {}\n  {detail}", self.spec.summary(clause))
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::behaviour::checks;
    use crate::contract::Contract;

    #[test]
    fn every_clause_of_the_contract_has_a_check_and_every_check_a_clause() {
        let contract = Contract::bundled();
        let checks = checks();
        let named: Vec<&String> = contract
            .functions()
            .iter()
            .flat_map(|f| &f.clauses)
            .collect();
        for clause in &named {
            assert!(
                checks.iter().any(|c| c.clause == clause.as_str()),
                "no check for {clause}"
            );
        }
        for check in &checks {
            assert!(
                named.iter().any(|c| c.as_str() == check.clause),
                "{} is checked but no function names it",
                check.clause
            );
            for used in check.uses {
                assert!(
                    contract.by_path(used).is_some(),
                    "{} uses `{used}`, which the contract does not have",
                    check.clause
                );
            }
        }
    }
}
