//! The engine: derives the trials from the contract (for each imported
//! function a name trial, a signature trial, and one behaviour trial per
//! clause ID its doc comment names) and runs them against a host's adapter.
//! How each trial runs is in [`Context::run`].

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use airssys_conformance_adapter::{About, CheckRefusal, Import, Request, Response};

use crate::connection::{AdapterError, Connector, Lease, Pool};
use crate::contract::spec::Spec;
use crate::contract::{Contract, GatedFunction, HostFn, HostFunction};
use crate::host_suite::clauses::{
    ClauseCheck, Needs, Precondition, Probes, Seen, Session, checks, gist, seen,
};
use crate::host_suite::registration::{
    self, Instantiates, Placement, Refusal, Typing, Verdicts, judge,
};
use crate::trials::{Aspect, Outcome, TimeLimits, TrialSpec};

/// Everything trials share: the host's adapter, its verdicts, the checks.
pub(crate) struct Context {
    pub contract: Arc<Contract>,
    pub about: About,
    pub verdicts: Vec<Verdicts>,
    pool: Pool,
    /// The probes, importing the contract at the version judged.
    probes: Arc<Probes>,
    limits: TimeLimits,
    /// The seed of every property-based part of a check.
    pub seed: u64,
    /// Functions that failed their name or signature trial: components get
    /// them as traps, so that only their own trials fail; checks leave
    /// them out where they can.
    failed: Vec<(HostFn, Import)>,
    /// Why the host provides no WASI 0.2, if it provides none: the clauses
    /// about WASI itself are then not judged.
    no_wasi: Option<String>,
    spec: Spec,
    checks: Vec<ClauseCheck>,
}

impl Context {
    /// Greets the host's adapter and judges its registration.
    pub fn new(
        connector: Connector,
        contract: Arc<Contract>,
        limits: TimeLimits,
        seed: u64,
    ) -> Result<Self, AdapterError> {
        let pool = Pool::new(connector, limits.startup);
        let about = pool.lease()?.about.clone();
        let mut checker = Checker::new(&pool, limits.trial);
        let mut verdicts = judge(&contract, &mut checker);
        // Only the host's refusal says it has no WASI; an adapter that could
        // not answer says nothing, and the WASI trials then judge for themselves.
        let no_wasi = match checker.instantiates(WASI_USER) {
            Ok(()) | Err(Refusal::Adapter(_)) => None,
            Err(Refusal::Host(why)) => Some(why.reason),
        };
        drop(checker);
        let probes = Probes::for_contract(&contract);
        let answers = Answers {
            pool: &pool,
            probes: &probes,
            contract: &contract,
            about: &about,
            limit: limits.trial,
            seed,
        };
        answers.judge(&mut verdicts);
        let failed = uncallable(&contract, &verdicts);
        Ok(Self {
            contract,
            about,
            verdicts,
            pool,
            probes,
            limits,
            seed,
            failed,
            no_wasi,
            spec: Spec::bundled(),
            checks: checks(),
        })
    }

    /// What holds for the whole host and leaves trials unjudged, said once
    /// for the matrix rather than in each trial, and the name verdicts'
    /// notes: functions found only by semver matching, or that it cannot
    /// be seen how they were found.
    pub fn notes(&self) -> Vec<String> {
        let wasi_clauses: Vec<&str> = self
            .checks
            .iter()
            .filter(|c| c.needs.wasi())
            .map(|c| c.clause)
            .collect();
        self.no_wasi
            .iter()
            .map(|_| {
                format!(
                    "The host provides no WASI 0.2 (a component importing \
                     `wasi:clocks/monotonic-clock@0.2.0` does not instantiate on it), so {}, \
                     about WASI itself, {} not judged. Every other clause is judged with \
                     components that import the contract alone.",
                    wasi_clauses.join(" and "),
                    if wasi_clauses.len() == 1 { "is" } else { "are" }
                )
            })
            // How names were found, where a pass alone does not say it.
            .chain(registration::notes(&self.contract, &self.verdicts))
            .collect()
    }

    /// How reports name the adapter.
    pub fn adapter_name(&self) -> String {
        self.pool.name()
    }

    fn check(&self, clause: &str) -> Option<&ClauseCheck> {
        self.checks.iter().find(|c| c.clause == clause)
    }

    /// Every trial, in contract order, then the trials of the functions
    /// behind a gate that was not enabled (all ignored).
    pub fn plan(&self) -> Vec<TrialSpec> {
        let mut trials = Vec::new();
        for (index, function) in self.contract.functions().iter().enumerate() {
            let path = function.path();
            let missing = matches!(self.verdicts[index].placement, Placement::Missing { .. });
            let mut push = |aspect: Aspect, ignored: Option<String>| {
                trials.push(TrialSpec {
                    name: aspect.trial_name(&path),
                    function: index,
                    aspect,
                    ignored,
                })
            };
            push(Aspect::Name, None);
            let signature_ignored = match missing {
                true => Some(format!(
                    "`{path}` is not registered, so it has no type to check (see its name trial)"
                )),
                false => self.verdicts[index].signature_unjudged.clone(),
            };
            push(Aspect::Signature, signature_ignored);
            let Some(host_fn) = function.host_fn else {
                // One trial for all its clauses: the suite has a check for
                // none of them as this function's (the checks call the
                // functions they judge by name).
                push(Aspect::Behaviour(None), Some(no_behaviour_check(function)));
                continue;
            };
            if function.clauses.is_empty() {
                push(Aspect::Behaviour(None), None);
            }
            for clause in &function.clauses {
                push(
                    Aspect::Behaviour(Some(clause.clone())),
                    self.why_not_judged(function, host_fn, clause),
                );
            }
        }
        let known = self.contract.functions().len();
        for (offset, gated) in self.contract.gated().iter().enumerate() {
            for aspect in [Aspect::Name, Aspect::Signature] {
                trials.push(TrialSpec {
                    name: aspect.trial_name(&gated.path()),
                    function: known + offset,
                    aspect,
                    ignored: Some(not_enabled(gated)),
                });
            }
        }
        trials
    }

    /// The matrix's rows: the contract's functions, then those behind a
    /// gate that was not enabled; a trial's `function` indexes them.
    pub fn rows(&self) -> Vec<String> {
        let functions = self.contract.functions().iter().map(HostFunction::path);
        let gated = self.contract.gated().iter().map(GatedFunction::path);
        functions.chain(gated).collect()
    }

    /// Why a behaviour trial cannot judge `function` on this host, if it
    /// cannot: it would only repeat a registration failure, which its own
    /// name or signature trial already reports, or it needs what the
    /// adapter does not offer. Such trials are ignored, never passed.
    fn why_not_judged(
        &self,
        function: &HostFunction,
        host_fn: HostFn,
        clause: &str,
    ) -> Option<String> {
        let Some(check) = self.check(clause) else {
            // A newer WIT's clause on a function this suite knows.
            return Some(format!(
                "no behaviour check for {clause} in this suite (`{}` names it)",
                function.wit_name()
            ));
        };
        let registration_failed = |host_fn: HostFn| {
            let (index, used) = self.contract.find(host_fn)?;
            (!self.verdicts[index].callable()).then(|| used.path())
        };
        if let Some(path) = registration_failed(host_fn) {
            return Some(format!(
                "`{path}` failed its name or signature trial; its behaviour cannot be judged until \
                 components can call it"
            ));
        }
        if let Some(path) = check
            .uses
            .iter()
            .find_map(|used| registration_failed(*used))
        {
            return Some(format!(
                "{clause} needs `{path}`, which failed its name or signature trial"
            ));
        }
        if check.needs.wasi()
            && let Some(why) = &self.no_wasi
        {
            return Some(format!(
                "{clause} is about WASI itself, and the host provides no WASI 0.2: {}",
                gist(why)
            ));
        }
        let supports = self.about.supports;
        if !supports.load {
            return Some(format!(
                "{clause} needs components loaded on the host, and {} offers no `load` \
                 (docs/adapter-protocol.md; in process: HostUnderTest)",
                self.adapter_name()
            ));
        }
        if let Some((_, first)) = self.failed.first()
            && !supports.traps
        {
            return Some(format!(
                "precondition failed: `{}` failed its name or signature trial, and {} does not \
                 offer `traps`, so probes that import it cannot be loaded",
                first.name,
                self.adapter_name()
            ));
        }
        if check.needs == Needs::PartialGrants && !supports.grants {
            return Some(format!(
                "{clause} grants one capability or target pattern at a time, and {} does not \
                 take partial grants (`supports.grants`, docs/adapter-protocol.md)",
                self.adapter_name()
            ));
        }
        (check.needs.runtime(host_fn) && !supports.runtime).then(|| {
            format!(
                "{clause} needs a multi-component runtime and {} offers none \
                 (`supports.runtime`; in process: HostUnderTest::runtime)",
                self.adapter_name()
            )
        })
    }

    pub fn run(&self, trial: &TrialSpec) -> Outcome {
        let functions = self.contract.functions();
        let Some(function) = functions.get(trial.function) else {
            let gated = &self.contract.gated()[trial.function - functions.len()];
            return Outcome::Ignored(not_enabled(gated));
        };
        let verdicts = &self.verdicts[trial.function];
        let result = match (&trial.aspect, function.host_fn) {
            (Aspect::Name, _) => verdicts.name(function),
            (Aspect::Signature, _) => verdicts.signature.clone(),
            (Aspect::Behaviour(_), None) => {
                return Outcome::Ignored(no_behaviour_check(function));
            }
            (Aspect::Behaviour(None), Some(_)) => Err(format!(
                "no behaviour coverage: the WIT names no clause for `{}`",
                function.name
            )),
            (Aspect::Behaviour(Some(clause)), Some(host_fn)) => {
                return self.behaviour(function, host_fn, clause);
            }
        };
        match result {
            Ok(()) => Outcome::Passed,
            Err(message) => Outcome::Failed(message),
        }
    }

    /// Runs the clause's check on a freshly reset host. A check that stops
    /// on another function's misbehaviour ([`Precondition`]) is ignored.
    fn behaviour(&self, function: &HostFunction, host_fn: HostFn, clause: &str) -> Outcome {
        let Some(check) = self.check(clause) else {
            return Outcome::Ignored(format!(
                "no behaviour check for {clause} in this suite (`{}` names it)",
                function.wit_name()
            ));
        };
        let ran = on_reset_host(
            (&self.pool, &self.probes),
            &self.failed,
            (self.limits.trial, self.seed),
            Some(host_fn),
            |session| check.judge.run(session, clause, host_fn),
        );
        let panic = match ran {
            Ran::Done(()) => return Outcome::Passed,
            Ran::NotReset(why) => {
                return Outcome::Failed(format!("the host could not be reset for {clause}: {why}"));
            }
            Ran::Stopped(panic) => panic,
        };
        if let Some(Precondition(why)) = panic.downcast_ref::<Precondition>() {
            return Outcome::Ignored(format!("{clause}: precondition failed: {why}"));
        }
        let detail = panic_text(panic.as_ref()).unwrap_or("the check panicked");
        Outcome::Failed(format!(
            "{clause}: {}\n  {detail}",
            self.spec.summary(clause)
        ))
    }
}

/// Why a function this build does not know (a newer WIT's) has no
/// behaviour trial that judges: the one reason its single trial gives.
fn no_behaviour_check(function: &HostFunction) -> String {
    format!(
        "no behaviour check for `{}` in this suite",
        function.wit_name()
    )
}

/// Why a function behind a gate that was not enabled is not judged, and
/// how to judge it.
fn not_enabled(gated: &GatedFunction) -> String {
    format!(
        "`{}.{}` is behind `@unstable(feature = {})`, not enabled: not judged \
         (`--wit-features {}` judges it)",
        gated.interface, gated.name, gated.feature, gated.feature
    )
}

/// The signatures of the functions a host types only at call time
/// ([`Typing::AtCall`]), judged from their answers (`behaviour::answers`),
/// each on a freshly reset host.
struct Answers<'a> {
    pool: &'a Pool,
    probes: &'a Arc<Probes>,
    contract: &'a Contract,
    about: &'a About,
    limit: Duration,
    seed: u64,
}

impl Answers<'_> {
    fn judge(&self, verdicts: &mut [Verdicts]) {
        let at_call: Vec<usize> = verdicts
            .iter()
            .enumerate()
            .filter(|(_, v)| v.callable() && v.typing == Typing::AtCall)
            .map(|(index, _)| index)
            .collect();
        // Probes of functions that already failed get them as traps, and so
        // do those whose answers turn out mistyped, as they do.
        let mut failed = uncallable(self.contract, verdicts);
        for index in at_call {
            let function = &self.contract.functions()[index];
            let unseen = |why: &str| {
                format!(
                    "`{}` is registered so that a component importing it with any type \
                     instantiates (the host's linker checks its type only when it is called, \
                     as wasmtime's `func_new` does), so its type shows only in its answers, \
                     and {why}",
                    function.path()
                )
            };
            let verdict = &mut verdicts[index];
            if !self.about.supports.load {
                verdict.signature_unjudged = Some(unseen(&format!(
                    "{} offers no `load` to call it with",
                    self.pool.name()
                )));
                continue;
            }
            if let Some((_, first)) = failed.first()
                && !self.about.supports.traps
            {
                verdict.signature_unjudged = Some(unseen(&format!(
                    "`{}` failed its name or signature trial, and {} does not offer `traps`, \
                     so probes that import it cannot be loaded to call `{}`",
                    first.name,
                    self.pool.name(),
                    function.name
                )));
                continue;
            }
            let Some(host_fn) = function.host_fn else {
                verdict.signature_unjudged = Some(unseen(
                    "this suite has no sample calls for it (a function of a newer WIT than the \
                     one it was built from)",
                ));
                continue;
            };
            match self.answers_of(function, host_fn, &failed) {
                Ok(Seen::Typed) => {}
                Ok(Seen::Mistyped(why)) => {
                    verdict.signature = Err(why);
                    failed = uncallable(self.contract, verdicts);
                }
                Ok(Seen::Unseen(why)) | Err(why) => verdict.signature_unjudged = Some(unseen(&why)),
            }
        }
    }

    /// What `function`'s answers show, on a host reset for it alone.
    fn answers_of(
        &self,
        function: &HostFunction,
        host_fn: HostFn,
        failed: &[(HostFn, Import)],
    ) -> Result<Seen, String> {
        let ran = on_reset_host(
            (self.pool, self.probes),
            failed,
            (self.limit, self.seed),
            None,
            |session| seen(session, self.contract, function, host_fn),
        );
        match ran {
            Ran::Done(seen) => Ok(seen),
            Ran::NotReset(why) => Err(format!("the host could not be reset: {why}")),
            Ran::Stopped(panic) => {
                let why = panic_text(panic.as_ref()).unwrap_or("the sample calls stopped");
                Err(format!("its sample calls stopped: {}", gist(why)))
            }
        }
    }
}

/// How a run on a freshly reset host ended.
enum Ran<R> {
    Done(R),
    /// It panicked (a check's failure, or a [`Precondition`]).
    Stopped(Box<dyn std::any::Any + Send>),
    /// The host could not be leased or reset: why.
    NotReset(String),
}

/// `run` on a session of a host leased from `pool`, loading `probes`, and reset with the
/// `failed` functions as traps, within `limit` counted from before the
/// reset: one trial's, or one function's sample calls. `judging`: the
/// function whose trial it is ([`Session::judging`]).
fn on_reset_host<R>(
    (pool, probes): (&Pool, &Arc<Probes>),
    failed: &[(HostFn, Import)],
    (limit, seed): (Duration, u64),
    judging: Option<HostFn>,
    run: impl FnOnce(&mut Session) -> R,
) -> Ran<R> {
    // A new adapter's start has its own limit; the trial's starts after it.
    let mut lease = match pool.lease() {
        Ok(lease) => lease,
        Err(error) => return Ran::NotReset(error.to_string()),
    };
    let started = Instant::now();
    let traps = failed.iter().map(|(_, import)| import.clone()).collect();
    match lease.exchange(Request::reset(traps), limit) {
        Ok(Response::Ok) => {}
        Ok(other) => return Ran::NotReset(answered(&other)),
        Err(error) => return Ran::NotReset(error.to_string()),
    }
    let uncallable = failed.iter().map(|(host_fn, _)| *host_fn).collect();
    let mut session = Session::new(
        &mut lease,
        probes.clone(),
        (started, limit),
        seed,
        uncallable,
    );
    if let Some(function) = judging {
        session = session.judging(function);
    }
    match quiet_panics(|| catch_unwind(AssertUnwindSafe(|| run(&mut session)))) {
        Ok(done) => Ran::Done(done),
        Err(panic) => Ran::Stopped(panic),
    }
}

/// The functions that failed their name or signature trial, each with the
/// import that probes get as a trap in its place. Only functions this build
/// knows: its probes import no other, so no other needs a trap.
fn uncallable(contract: &Contract, verdicts: &[Verdicts]) -> Vec<(HostFn, Import)> {
    contract
        .functions()
        .iter()
        .zip(verdicts)
        .filter(|(_, v)| !v.callable())
        .filter_map(|(f, _)| {
            let import = Import::new(f.instance.clone(), f.name.clone());
            Some((f.host_fn?, import))
        })
        .collect()
}

/// How a reply that is not the one due is shown: its words, if it has any.
fn answered(response: &Response) -> String {
    match response {
        Response::Refused { reason, .. } => format!("refused: {}", gist(reason)),
        Response::Unsupported { reason, .. } => format!("unsupported: {}", gist(reason)),
        Response::Error { message, .. } => format!("error: {}", gist(message)),
        other => format!("an unexpected `{}` answer", other.answer()),
    }
}

/// A component that imports one WASI 0.2 function and nothing else: the
/// host provides WASI when it can instantiate it.
const WASI_USER: &str = r#"(component
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance
    (export "now" (func (result u64)))
  ))
)"#;

/// A check's panic message, when it panicked with one.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> Option<&str> {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
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

/// Asks the host about probe components, written as files for the adapter.
struct Checker<'a> {
    pool: &'a Pool,
    lease: Option<Lease<'a>>,
    limit: Duration,
    dir: Option<tempfile::TempDir>,
}

impl<'a> Checker<'a> {
    fn new(pool: &'a Pool, limit: Duration) -> Self {
        Self {
            pool,
            lease: None,
            limit,
            dir: None,
        }
    }

    fn file(&mut self, wat: &str) -> Result<PathBuf, String> {
        static FILES: AtomicU64 = AtomicU64::new(0);
        let bytes =
            wat::parse_str(wat).map_err(|e| format!("the suite's probe is invalid: {e}\n{wat}"))?;
        if self.dir.is_none() {
            let dir = tempfile::Builder::new()
                .prefix("airssys-conformance-")
                .tempdir()
                .map_err(|e| format!("cannot make a directory for probe components: {e}"))?;
            self.dir = Some(dir);
        }
        let n = FILES.fetch_add(1, Ordering::Relaxed);
        let path = self
            .dir
            .as_ref()
            .unwrap()
            .path()
            .join(format!("probe-{n}.wasm"));
        std::fs::write(&path, bytes)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }
}

impl Checker<'_> {
    /// `check`, or with `exact_names` (protocol 1.4) the `check` that links
    /// exact names only, if the adapter announces it.
    fn check(&mut self, wat: &str, exact_names: bool) -> Result<(), Refusal> {
        if self.lease.is_none() {
            self.lease = Some(
                self.pool
                    .lease()
                    .map_err(|e| Refusal::Adapter(e.to_string()))?,
            );
        }
        if exact_names && !self.lease.as_ref().unwrap().about.supports.exact_names {
            return Err(Refusal::Adapter(format!(
                "{} does not announce `exact_names` (adapter protocol 1.4: a `check` that \
                 links only names registered exactly)",
                self.pool.name()
            )));
        }
        let component = self.file(wat).map_err(Refusal::Adapter)?;
        let lease = self.lease.as_mut().unwrap();
        let request = match exact_names {
            true => Request::check_exact(component.clone()),
            false => Request::check(component.clone()),
        };
        let answer = lease.exchange(request, self.limit);
        let _ = std::fs::remove_file(&component);
        match answer {
            Ok(Response::Ok) => Ok(()),
            Ok(Response::Refused {
                reason,
                unsatisfied,
                ..
            }) => Err(Refusal::Host(
                CheckRefusal::msg(reason).with_unsatisfied(unsatisfied),
            )),
            Ok(other) => Err(Refusal::Adapter(format!(
                "{} answered `check` with {}",
                self.pool.name(),
                answered(&other)
            ))),
            Err(error) => {
                // A failed connection is not given back; the next check starts another.
                self.lease = None;
                Err(Refusal::Adapter(error.to_string()))
            }
        }
    }
}

impl Instantiates for Checker<'_> {
    fn instantiates(&mut self, wat: &str) -> Result<(), Refusal> {
        self.check(wat, false)
    }

    fn instantiates_exactly(&mut self, wat: &str) -> Result<(), Refusal> {
        self.check(wat, true)
    }
}

#[cfg(test)]
mod tests {
    use crate::contract::{ByInterface, Contract};
    use crate::host_suite::clauses::{Judge, checks};

    #[test]
    fn every_clause_of_the_contract_has_a_check_and_every_check_a_clause() {
        let contract = Contract::bundled();
        let checks = checks();
        let named: Vec<&str> = contract
            .functions()
            .iter()
            .flat_map(|f| f.clauses.iter().map(String::as_str))
            .collect();
        for clause in &named {
            assert!(
                checks.iter().any(|c| c.clause == *clause),
                "no check for {clause}"
            );
        }
        for check in &checks {
            assert!(
                named.contains(&check.clause),
                "{} is checked but no function names it",
                check.clause
            );
            for function in contract.functions() {
                if !function.clauses.iter().any(|c| c == check.clause) {
                    continue;
                }
                let host_fn = function.host_fn.expect("this build knows its own WIT");
                let fits = match (check.judge, host_fn.by_interface()) {
                    (Judge::Any(_), _)
                    | (Judge::Storage(_), ByInterface::Storage(_))
                    | (Judge::Messaging(_), ByInterface::HostMessaging(_))
                    | (Judge::Services(_), ByInterface::HostServices(_)) => true,
                    (Judge::Storage(_) | Judge::Messaging(_) | Judge::Services(_), _) => false,
                };
                assert!(
                    fits,
                    "the WIT names {} for `{}`, and its check judges another interface's \
                     functions",
                    check.clause,
                    function.path()
                );
            }
        }
    }
}
