//! One check per behaviour clause, run on a fresh [`Session`] per trial.
//! Checks state failures with `assert!`-style panics whose message says what
//! was expected and what happened; the runner adds the clause.
//!
//! A clause often names several functions, and its check runs once for each,
//! judging only that function's part, so a defect is reported by the trials
//! of the function that has it:
//! - a read (`get`, `exists`, `list-keys`, `usage`, `list-components`, …) is
//!   compared with the state the suite itself created, never with another
//!   function's answer;
//! - a write is judged through the reads that observe it;
//! - calls to other functions only set the scene. The functions a check
//!   needs for that are its [`ClauseCheck::uses`]; if one of them failed its
//!   name or signature trial, the trial is ignored with that reason.

mod answers;
mod messaging;
mod probe_files;
mod probe_imports;
mod property;
mod security;
mod services;
mod storage;
mod wit_text;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use airssys_component_types::tracks::{Link, link};
use airssys_conformance_adapter::{CheckRefusal, Message, Request, Response};
use airssys_probe_protocol::{self as probe, Call, ProbeCall, Received, Reply, Returned};

pub(crate) use answers::{Seen, seen};

use crate::connection::{Connection, Failure};
use crate::contract::{ByInterface, Contract, HostFn, Interface};
use crate::host_suite::registration::{Location, mistyped_answer};
pub(crate) use crate::text::{cut, gist};
use crate::wire::{ComponentId, Grant, LogRecord};
use airssys_contract::{HostMessagingFn, HostServicesFn, StorageFn};

/// What a check needs from the host's adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// Components instantiated by the suite on the host's linker.
    Linker,
    /// A runtime of the host's own: delivery, the log sink, restarts.
    Runtime,
    /// A runtime for functions of this interface, the linker otherwise.
    RuntimeFor(Interface),
    /// WASI 0.2 besides the contract, for a clause about WASI itself; and a
    /// runtime if `runtime`.
    Wasi { runtime: bool },
    /// Loads with partial grants (`Grant::Only`, `supports.grants`), and a
    /// runtime for the messaging functions, whose targets must be loaded.
    PartialGrants,
}

impl Needs {
    pub fn runtime(self, function: HostFn) -> bool {
        match self {
            Needs::Linker => false,
            Needs::Runtime => true,
            Needs::RuntimeFor(interface) => function.interface() == interface,
            Needs::Wasi { runtime } => runtime,
            Needs::PartialGrants => function.interface() == Interface::HostMessaging,
        }
    }

    /// Whether the check loads the probe that imports WASI ([`Probe::Wasi`]).
    /// Every other probe imports the contract alone.
    pub fn wasi(self) -> bool {
        match self {
            Needs::Linker | Needs::Runtime | Needs::RuntimeFor(_) | Needs::PartialGrants => false,
            Needs::Wasi { .. } => true,
        }
    }
}

/// How a check judges the function it is run for. Checks of one
/// interface's clauses take that interface's functions, and match on them
/// without a `_` arm, so that a function added to the WIT does not build
/// until each check says what its part is.
#[derive(Clone, Copy)]
pub(crate) enum Judge {
    /// A clause that functions of several interfaces name.
    Any(fn(&mut Session, HostFn)),
    Storage(fn(&mut Session, StorageFn)),
    Messaging(fn(&mut Session, HostMessagingFn)),
    Services(fn(&mut Session, HostServicesFn)),
}

impl Judge {
    /// Runs the check for `function`; a function of another interface than
    /// the check's is a failure that names both.
    pub fn run(self, session: &mut Session, clause: &str, function: HostFn) {
        match (self, function.by_interface()) {
            (Judge::Any(run), _) => run(session, function),
            (Judge::Storage(run), ByInterface::Storage(f)) => run(session, f),
            (Judge::Messaging(run), ByInterface::HostMessaging(f)) => run(session, f),
            (Judge::Services(run), ByInterface::HostServices(f)) => run(session, f),
            (Judge::Storage(_) | Judge::Messaging(_) | Judge::Services(_), _) => {
                no_part(clause, function)
            }
        }
    }
}

/// The failure of a check run for a function it has no part for: the WIT
/// names the clause for a function the check was not written for.
pub(crate) fn no_part(clause: &str, function: impl Into<HostFn>) -> ! {
    panic!(
        "no behaviour coverage: the WIT names {clause} for `{}`, and the suite's check of \
         {clause} has no part for it (docs/changing-the-contract.md)",
        function.into()
    )
}

/// What a check unwinds with when a function it only uses to set the scene
/// misbehaved: the trial is ignored with this reason, not failed, so that
/// only the misbehaving function's own trials fail.
pub(crate) struct Precondition(pub String);

/// Stops the check: `why` says which other function did what.
pub(crate) fn precondition_failed(why: String) -> ! {
    std::panic::resume_unwind(Box::new(Precondition(why)))
}

#[derive(Clone, Copy)]
pub(crate) struct ClauseCheck {
    pub clause: &'static str,
    pub needs: Needs,
    /// The functions the check calls besides the one it judges.
    pub uses: &'static [HostFn],
    pub judge: Judge,
}

/// Every clause the suite can check.
pub(crate) fn checks() -> Vec<ClauseCheck> {
    [
        storage::CHECKS,
        messaging::CHECKS,
        services::CHECKS,
        security::CHECKS,
    ]
    .concat()
}

/// The probes that exist. All but [`Probe::Wasi`] import the contract
/// alone, so that they load on a host that provides nothing else.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Probe {
    Storage,
    Messaging,
    Services,
    /// Makes calls through WASI 0.2, for the clauses about WASI itself
    /// (checks that need [`Needs::Wasi`]).
    Wasi,
}

impl Probe {
    const ALL: [Probe; 4] = [
        Probe::Storage,
        Probe::Messaging,
        Probe::Services,
        Probe::Wasi,
    ];

    fn embedded(self) -> (&'static str, &'static [u8]) {
        match self {
            Probe::Storage => ("storage-probe", airssys_guests::STORAGE_PROBE_WASM),
            Probe::Messaging => ("messaging-probe", airssys_guests::MESSAGING_PROBE_WASM),
            Probe::Services => ("services-probe", airssys_guests::SERVICES_PROBE_WASM),
            Probe::Wasi => ("wasi-probe", airssys_guests::WASI_PROBE_WASM),
        }
    }
}

/// The probe components as files for the adapter, importing the contract at
/// the version judged ([`Probes::for_contract`]).
pub(crate) struct Probes {
    /// By [`Probe`], in [`Probe::ALL`]'s order: the file, or why there is none.
    files: Vec<Result<PathBuf, String>>,
}

impl Probes {
    /// At most this many versions' probes are kept for the rest of the run;
    /// a run judges one or two versions, a test binary a few.
    const KEPT: usize = 8;

    /// The probes that judge a host against `contract`: as built, importing
    /// the built-in contract's version, unless `contract` is another
    /// release of its semver track, whose version they then import
    /// (`probe_imports`). Made once per version and run, and written into a
    /// directory private to this user (`probe_files`), each file named by
    /// its digest.
    pub fn for_contract(contract: &Contract) -> Arc<Probes> {
        static MADE: Mutex<Vec<(Option<String>, Arc<Probes>)>> = Mutex::new(Vec::new());
        let version = import_version(contract);
        let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, probes)) = made.iter().find(|(v, _)| *v == version) {
            return probes.clone();
        }
        let probes = Arc::new(Probes::at(version.as_deref()));
        if made.len() < Self::KEPT {
            made.push((version, probes.clone()));
        }
        probes
    }

    /// The probes with their contract imports at `version`, or as built.
    fn at(version: Option<&str>) -> Probes {
        let (package, built_in) = airssys_contract::package_parts();
        let files = Probe::ALL
            .iter()
            .map(|probe| {
                let (name, bytes) = probe.embedded();
                match version {
                    None => probe_files::written(name, bytes),
                    Some(version) => {
                        let bytes = probe_imports::renamed(bytes, package, (built_in, version))
                            .map_err(|why| {
                                format!(
                                    "the suite's {name} cannot import `{package}@{version}`: \
                                     {why}. Judge with the suite's own `wit/` (no `--wit`), \
                                     and report this as a bug of the suite"
                                )
                            })?;
                        probe_files::written(&format!("{name}-{version}"), &bytes)
                    }
                }
            })
            .collect();
        Probes { files }
    }

    /// The file of `probe`.
    fn file(&self, probe: Probe) -> PathBuf {
        match &self.files[probe as usize] {
            Ok(path) => path.clone(),
            Err(why) => panic!("{why}"),
        }
    }
}

/// The version the probes import the contract at to judge `contract`, when
/// not the built-in one: the judged contract's, if it is another release
/// of the built-in's semver track. On another track (or none) the probes'
/// functions are not the judged contract's (no function of it has a
/// [`HostFn`]), so they are left as built.
fn import_version(contract: &Contract) -> Option<String> {
    let (_, built_in) = airssys_contract::package_parts();
    let judged = contract.version()?;
    // `Link` may grow: only a link by semver track asks for the rename.
    matches!(link(built_in, judged), Link::SameTrack(_)).then(|| judged.to_owned())
}

pub(crate) const SETTLE: Duration = Duration::from_secs(10);

/// A host freshly reset for one trial, with probes loaded into it, and
/// helpers to ask them for calls. Every exchange with the host counts
/// against the trial's deadline.
pub(crate) struct Session<'a> {
    connection: &'a mut Connection,
    /// The probes it loads, importing the contract at the version judged.
    probes: Arc<Probes>,
    deadline: Instant,
    /// The namespace of every id this session makes, its own, so sessions
    /// on a host that shares state between them (storage, the registry)
    /// cannot see each other's components.
    namespace: String,
    /// The seed of property-based parts ([`Session::holds`]).
    seed: u64,
    /// Why the host stopped answering, once it has: a property stops there.
    lost: Option<String>,
    /// Functions that failed their name or signature trial: probes get them
    /// as traps, so checks leave them out where another can stand in.
    uncallable: Vec<HostFn>,
    /// The function whose trial this is, if one is: an answer of another
    /// type from any other function stops the trial instead of failing it.
    judged: Option<HostFn>,
    /// When the session started, and the time limit in force from then
    /// (the trial's, or a clause's within it): what a time-out says.
    started: Instant,
    limit: Duration,
}

/// A call as failure messages show it: in WIT terms, cut short.
pub(crate) fn brief(call: &Call) -> String {
    cut(&call.to_string(), 200)
}

/// The verdict on a refused call of `function` (shown as `shown`) whose
/// refusal says its answer was of another type than the component imports
/// it with, if it says so: in the adapter's names (protocol 1.2) or the
/// runtime's words. `contract_type` is the result's WIT type, when the
/// caller has it to show.
pub(crate) fn mistyped(
    function: HostFn,
    shown: &str,
    contract_type: &str,
    refusal: &CheckRefusal,
) -> Option<String> {
    let at = Location {
        instance: Some(function.interface().instance().into()),
        name: function.name().into(),
    };
    let words = mistyped_answer(refusal, &at)?;
    let contract_type = match contract_type {
        "" => String::new(),
        shown => format!(" `{shown}`"),
    };
    Some(format!(
        "`{}` answered {shown} with a value of another type than the contract's{contract_type}: \
         {words}",
        function.name()
    ))
}

impl<'a> Session<'a> {
    /// A session of a trial that `started` with `limit` for everything it
    /// asks the host (the reset before it included).
    pub fn new(
        connection: &'a mut Connection,
        probes: Arc<Probes>,
        (started, limit): (Instant, Duration),
        seed: u64,
        uncallable: Vec<HostFn>,
    ) -> Self {
        static SESSIONS: AtomicU64 = AtomicU64::new(0);
        let n = SESSIONS.fetch_add(1, Ordering::Relaxed);
        Self {
            connection,
            probes,
            deadline: started + limit,
            seed,
            lost: None,
            namespace: format!("conformance-{n}"),
            uncallable,
            judged: None,
            started,
            limit,
        }
    }

    /// The session of `function`'s trial: see [`Session::call`].
    pub fn judging(mut self, function: HostFn) -> Self {
        self.judged = Some(function);
        self
    }

    /// Whether components can call `function` on this host: it passed its
    /// name and signature trials.
    pub fn callable(&self, function: impl Into<HostFn>) -> bool {
        !self.uncallable.contains(&function.into())
    }

    /// One exchange with the host; `doing` says what for, should it fail.
    fn exchange(&mut self, request: Request, doing: impl FnOnce() -> String) -> Response {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match self.connection.exchange(request, left) {
            Ok(Response::Unsupported { reason, .. }) => panic!("{reason}"),
            Ok(response) => response,
            Err(error) => {
                // Tenths: `1.8 s`, `30 s`.
                let seconds = |d: Duration| (d.as_secs_f64() * 10.0).round() / 10.0;
                let failure = match error.failure {
                    Failure::TimedOut { op, .. } => format!(
                        "timed out while {}: the host had not answered `{op}` when the time \
                         limit of {} s ran out, {} s into the trial, and {} was stopped",
                        doing(),
                        seconds(self.limit),
                        seconds(self.started.elapsed()),
                        error.adapter
                    ),
                    _ => format!("{error}, while {}", doing()),
                };
                self.lost = Some(failure.clone());
                panic!("{failure}")
            }
        }
    }

    /// `f`, with at most `limit` for its exchanges (or the trial's own limit,
    /// if that comes first): for a clause that bounds how long the host may
    /// take. An exchange past it fails the trial as timed out.
    pub fn within<R>(&mut self, limit: Duration, f: impl FnOnce(&mut Self) -> R) -> R {
        let (trial, trial_limit) = (self.deadline, self.limit);
        // Whichever limit runs out first is the one a time-out names.
        let until = Instant::now() + limit;
        if until < trial {
            (self.deadline, self.limit) = (until, limit);
        }
        let result = f(self);
        (self.deadline, self.limit) = (trial, trial_limit);
        result
    }

    /// The id `name/instance` in this session's namespace.
    pub fn id(&self, path: &str) -> ComponentId {
        let (name, instance) = path.split_once('/').expect("name/instance");
        ComponentId {
            namespace: self.namespace.clone(),
            name: name.into(),
            instance: instance.into(),
        }
    }

    /// Loads `probe` as `path` (`name/instance`) with every capability.
    pub fn load(&mut self, probe: Probe, path: &str) -> ComponentId {
        self.load_with(probe, path, Grant::Everything)
    }

    pub fn load_with(&mut self, probe: Probe, path: &str, grant: Grant) -> ComponentId {
        self.load_with_budget(probe, path, grant, None)
    }

    /// Loads a probe whose calls each get `budget` (`max-execution-time`),
    /// when the host takes one (an adapter may load it with its default).
    pub fn load_with_budget(
        &mut self,
        probe: Probe,
        path: &str,
        grant: Grant,
        budget: Option<Duration>,
    ) -> ComponentId {
        let id = self.id(path);
        let request = Request::load(
            id.clone(),
            self.probes.file(probe),
            grant,
            budget.map(|b| b.as_millis() as u64),
        );
        match self.exchange(request, || format!("loading a {probe:?} probe as {path}")) {
            Response::Ok => id,
            Response::Refused { reason, .. } => {
                panic!(
                    "the host could not load a {probe:?} probe as {path}: {}",
                    gist(&reason)
                )
            }
            other => panic!("the host answered `load` with {other:?}"),
        }
    }

    /// Asks the probe `id` to make `call`; the raw outcome, traps included.
    pub fn invoke(&mut self, id: &ComponentId, call: &Call) -> Result<Reply, String> {
        self.attempt(id, call).map_err(|refusal| refusal.reason)
    }

    /// [`Session::invoke`], with the imports a refusal names (an answer of
    /// another type, adapter protocol 1.2) kept.
    pub fn attempt(&mut self, id: &ComponentId, call: &Call) -> Result<Reply, CheckRefusal> {
        let request = Request::invoke(
            id.clone(),
            Message::new(probe::encode_call(call), probe::CALL_CONTENT_TYPE),
        );
        let doing = || match call.function() {
            Some(function) => format!("{} was calling `{function}`", id),
            None => format!("{} was handling {}", id, brief(call)),
        };
        match self.exchange(request, doing) {
            Response::Reply {
                payload: Some(reply),
                ..
            } => probe::decode_reply(&reply).map_err(CheckRefusal::from),
            Response::Reply { payload: None, .. } => {
                Err(CheckRefusal::from("the probe returned no reply".to_owned()))
            }
            Response::Refused {
                reason,
                unsatisfied,
                ..
            } => Err(CheckRefusal::msg(reason).with_unsatisfied(unsatisfied)),
            other => panic!("the host answered `invoke` with {other:?}"),
        }
    }

    /// `call`'s reply; a call the host refused fails the trial. An answer
    /// of another type than the contract's is said so, as the fault of the
    /// function that answered: this trial's, or another's, which stops it.
    pub fn call(&mut self, id: &ComponentId, call: Call) -> Reply {
        let shown = brief(&call);
        let refusal = match self.attempt(id, &call) {
            Ok(reply) => return reply,
            Err(refusal) => refusal,
        };
        let Some(function) = call.function() else {
            panic!(
                "{shown} by {id}: the call failed: {}",
                gist(&refusal.reason)
            )
        };
        let Some(why) = mistyped(function, &shown, "", &refusal) else {
            panic!(
                "{shown} by {id}: the call failed: {}",
                gist(&refusal.reason)
            )
        };
        if self.judged.is_some_and(|judged| judged != function) {
            precondition_failed(why)
        }
        panic!("{why}")
    }

    /// `call`, which must return `ok`.
    pub fn ok(&mut self, id: &ComponentId, call: Call) -> Returned {
        let shown = brief(&call);
        self.call(id, call)
            .unwrap_or_else(|e| panic!("{shown} by {}: expected ok, got err({e})", id))
    }

    /// `call`, which must fail with `case`; its detail.
    pub fn err(&mut self, id: &ComponentId, call: Call, case: &str) -> Option<String> {
        let shown = brief(&call);
        match self.call(id, call) {
            Err(error) if error.case == case => error.detail,
            other => panic!(
                "{shown} by {}: expected err({case}), got {}",
                id,
                probe::wit_reply(&other)
            ),
        }
    }

    pub fn inbox(&mut self, id: &ComponentId) -> Vec<Received> {
        match self.ok(id, Call::Probe(ProbeCall::Inbox)) {
            Returned::Inbox(received) => received,
            other => panic!("the inbox of {} came back as {other}", id),
        }
    }

    pub fn settle(&mut self) {
        let request = Request::settle(SETTLE.as_millis() as u64);
        match self.exchange(request, || "delivering messages (`settle`)".into()) {
            Response::Ok => {}
            Response::Refused { reason, .. } => {
                panic!("delivering messages failed: {}", gist(&reason))
            }
            other => panic!("the host answered `settle` with {other:?}"),
        }
    }

    pub fn logs(&mut self) -> Vec<LogRecord> {
        match self.exchange(Request::Logs, || "reading the log sink (`logs`)".into()) {
            Response::Logs { records, .. } => records,
            Response::Refused { reason, .. } => {
                panic!("reading the log sink failed: {}", gist(&reason))
            }
            other => panic!("the host answered `logs` with {other:?}"),
        }
    }

    /// Unloads `id` (its `shutdown` runs); it must be no target any more.
    pub fn unload(&mut self, id: &ComponentId) {
        let request = Request::unload(id.clone());
        match self.exchange(request, || format!("unloading {}", id)) {
            Response::Ok => {}
            Response::Refused { reason, .. } => {
                panic!("unloading {} failed: {}", id, gist(&reason))
            }
            other => panic!("the host answered `unload` with {other:?}"),
        }
    }

    pub fn restart(&mut self) {
        match self.exchange(Request::Restart, || "restarting the host".into()) {
            Response::Ok => {}
            Response::Refused { reason, .. } => {
                panic!("restarting the host failed: {}", gist(&reason))
            }
            other => panic!("the host answered `restart` with {other:?}"),
        }
    }
}
