//! Any host, through its adapter, as a [`Place`] (`--component FILE
//! --adapter HOST`). The adapter protocol's `check` gates the behaviour
//! trials, `load` calls `initialize`, `invoke` delivers messages and
//! callbacks, `metadata` and `health` call those exports (protocol 1.3) and
//! `unload` calls `shutdown`.
//!
//! A call that fails on the host is held against the component only where
//! the host is known sound for it: the same call, replayed on the reference
//! host in this process (the witness), fails too. Where the witness answers,
//! the failure may be the host's, and the trial is ignored with the host's
//! words. A suite built without the reference host (feature
//! `reference-host`) has no witness: a refusal is then never held against
//! the component, and the trial is ignored with the host's words.

use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, LazyLock};

use airssys_conformance_adapter::{
    About, ComponentId, Grant, Message, Metadata, Request, Response, Unsatisfied,
};
use airssys_contract::GuestFn;

use super::behaviour::Answered;
use super::behaviour::{Deadline, Early, Fault, Place, Running, last_errors, said};
use super::host_lack::lack_words;
use super::lack_probes::{Asked, LackProbes, MAX_CHECKS_PER_COMPONENT, ProbeAnswer};
#[cfg(feature = "reference-host")]
use super::on_reference_host::{Loaded, OnReferenceHost};
#[cfg(not(feature = "reference-host"))]
use super::without_reference_host::{Loaded, OnReferenceHost};
use crate::connection::{Lease, Pool};
use crate::contract::{Contract, HostFunction, Shape};
use crate::host_suite::registration::Found;
use crate::text::gist;
use crate::trials::Outcome;

/// The contract this suite was built with, read once: the version a
/// host's lack is told against.
static BUILT_IN: LazyLock<Contract> = LazyLock::new(Contract::bundled);

/// What the host's `check` said of a component.
#[derive(Debug, Clone)]
pub(crate) enum Checked {
    /// It instantiates.
    Instantiates,
    /// It does not: the host's words and the imports it names.
    Refused {
        reason: String,
        unsatisfied: Unsatisfied,
    },
    /// The adapter could not be asked.
    Unknown(String),
}

/// One component on the host behind an adapter.
pub(crate) struct OnAdapter {
    pool: Arc<Pool>,
    about: About,
    /// The component's binary file, as the host is given it.
    file: PathBuf,
    /// Where `file` is a binary written here from a `.wat` text, kept until
    /// the trials are done.
    _binary: Option<tempfile::TempPath>,
    checked: Checked,
    /// The same component on the reference host; `None` in a suite built
    /// without it.
    witness: Option<OnReferenceHost>,
    /// What the host said of each function of the contract this run.
    probes: Arc<LackProbes>,
    /// The probe `check`s this component may still send.
    checks_left: AtomicUsize,
}

impl OnAdapter {
    /// Asks the host whether it could instantiate `file`; `witness` is the
    /// same component compiled for the reference host, if the suite has it;
    /// `probes` what the host said of the contract's functions this run.
    pub fn new(
        pool: Arc<Pool>,
        about: About,
        file: PathBuf,
        witness: Option<OnReferenceHost>,
        probes: Arc<LackProbes>,
    ) -> Self {
        let checks_left = AtomicUsize::new(MAX_CHECKS_PER_COMPONENT);
        // A host may read binary components only (jco, wasmtime without
        // `wat`): a text file is given to it as the binary it encodes.
        let (file, binary) = match binary_of(&file) {
            Ok(Some(binary)) => (binary.to_path_buf(), Some(binary)),
            Ok(None) => (file, None),
            Err(why) => {
                return Self {
                    pool,
                    about,
                    file,
                    _binary: None,
                    checked: Checked::Unknown(why),
                    witness,
                    probes,
                    checks_left,
                };
            }
        };
        let checked = match pool.lease() {
            Err(error) => Checked::Unknown(error.to_string()),
            Ok(mut lease) => {
                let request = Request::check(file.clone());
                match lease.exchange(request, std::time::Duration::from_secs(60)) {
                    Ok(Response::Ok) => Checked::Instantiates,
                    Ok(Response::Refused {
                        reason,
                        unsatisfied,
                        ..
                    }) => Checked::Refused {
                        reason,
                        unsatisfied,
                    },
                    Ok(other) => Checked::Unknown(unexpected_words("check", &other)),
                    Err(error) => Checked::Unknown(error.to_string()),
                }
            }
        };
        Self {
            pool,
            about,
            file,
            _binary: binary,
            checked,
            witness,
            probes,
            checks_left,
        }
    }

    /// The host, as verdicts name it.
    fn host(&self) -> String {
        format!("the host `{}` ({})", self.about.host, self.pool.name())
    }

    /// The verdict on whether the host provides the import `name` (an
    /// instance, e.g. `airssys:core/storage@1.0.0`), from its `check`.
    pub fn provides(&self, name: &str) -> Outcome {
        match &self.checked {
            Checked::Instantiates => Outcome::Passed,
            Checked::Unknown(why) => Outcome::Ignored(format!(
                "{} could not be asked (`check`): {why}",
                self.host()
            )),
            Checked::Refused {
                reason,
                unsatisfied,
            } if names(&unsatisfied.missing, name) => Outcome::Failed(format!(
                "{} does not provide it: {}",
                self.host(),
                gist(reason)
            )),
            // A refusal may name only the first import the host lacks
            // (protocol 1.1 asks for one per probe): this one is unknown.
            Checked::Refused { unsatisfied, .. } if !unsatisfied.is_empty() => {
                Outcome::Ignored(format!(
                    "{} refuses the component, naming other imports it cannot satisfy; a \
                     refusal need not name every one, so whether it provides this one is \
                     not known",
                    self.host()
                ))
            }
            Checked::Refused { reason, .. } => match in_words(reason, name) {
                Found::Nothing => Outcome::Failed(format!(
                    "{} does not provide it: {}",
                    self.host(),
                    gist(reason)
                )),
                Found::OtherType => Outcome::Passed,
                Found::Unknown => Outcome::Ignored(format!(
                    "{} refuses the component without naming this import (adapter protocol \
                     1.1 names each one; wasmtime's words name the first it lacks): {}",
                    self.host(),
                    gist(reason)
                )),
            },
        }
    }

    /// The verdict on the import `instance` of an interface of `contract`,
    /// which the contract provides with every function the component
    /// imports from it: where the host refuses it, that is the host's lack,
    /// not the component's failure, and the verdict names the functions of
    /// the interface the host lacks (asked one probe at a time: a refusal
    /// names only the first) and, where they are exactly what a version the
    /// suite knows lacks, the version the host serves.
    pub fn provides_the_contracts(&self, contract: &Contract, instance: &str) -> Outcome {
        let words = match self.provides(instance) {
            Outcome::Failed(words) => words,
            other => return other,
        };
        let package = contract.package();
        let lacks = match self.ask_each_function(contract, instance) {
            Ok(asked) if !asked.lacking.is_empty() => {
                lack_words(&self.host(), contract, &BUILT_IN, instance, &asked)
            }
            Ok(_) => words,
            Err(why) => format!("{words} (which of its functions it lacks is not known: {why})"),
        };
        Outcome::Ignored(format!(
            "{lacks}. That is the host's lack, not this component's failure: `{package}` has \
             every function the component imports from it (its signature trial judges their \
             types), and a host that serves `{package}` links it"
        ))
    }

    /// What the host says of each function of the contract's interface at
    /// `instance`, each asked with a probe component that imports it alone
    /// (once a run, and at most [`MAX_CHECKS_PER_COMPONENT`] for this
    /// component: [`LackProbes`]).
    fn ask_each_function<'c>(
        &self,
        contract: &'c Contract,
        instance: &str,
    ) -> Result<Asked<'c>, String> {
        let interface = airssys_component_types::interface_of(instance);
        let functions = contract
            .functions()
            .iter()
            .filter(|f| f.interface == interface);
        // Leased at the first probe sent: answers known this run need none.
        let mut lease: Option<Lease<'_>> = None;
        self.probes
            .ask(instance, functions, &self.checks_left, |function| {
                let lease = match &mut lease {
                    Some(lease) => lease,
                    None => lease.insert(self.pool.lease().map_err(|error| error.to_string())?),
                };
                probe(lease, contract, function, instance)
            })
    }

    /// Whether the host names the import `name` as provided with another type.
    pub fn mistyped(&self, name: &str) -> Option<String> {
        match &self.checked {
            Checked::Refused {
                reason,
                unsatisfied,
            } if names(&unsatisfied.other_type, name)
                || (unsatisfied.is_empty() && in_words(reason, name) == Found::OtherType) =>
            {
                Some(format!(
                    "{} provides it with another type: {}",
                    self.host(),
                    gist(reason)
                ))
            }
            _ => None,
        }
    }

    /// The witness's verdict on a load the host refused with `words`.
    fn witness_load(&self, judged: GuestFn, words: &str) -> Early {
        let Some(witness) = &self.witness else {
            return Outcome::Ignored(format!(
                "{} refused to load it: {}; {NO_WITNESS}",
                self.host(),
                gist(words)
            ));
        };
        match witness.load_here(judged) {
            Err(Outcome::Failed(why)) => Outcome::Failed(format!(
                "{why}; {} refused to load it too: {}",
                self.host(),
                gist(words)
            )),
            Err(other) => other,
            Ok(_) => Outcome::Ignored(format!(
                "{} refused to load it: {}; it loads on the reference host, so this is not \
                 held against the component (the host's own conformance run says whether its \
                 `load` is sound)",
                self.host(),
                gist(words)
            )),
        }
    }
}

/// What the host's `check` says of a probe component that imports
/// `function` of `contract` alone, at `instance`.
fn probe(
    lease: &mut Lease<'_>,
    contract: &Contract,
    function: &HostFunction,
    instance: &str,
) -> Result<ProbeAnswer, String> {
    let wat = contract.probe_component(function, Some(instance), &function.name, Shape::Exact);
    let binary = wat::parse_str(&wat).map_err(|e| format!("the suite's probe is invalid: {e}"))?;
    let mut file = tempfile::Builder::new()
        .suffix(".wasm")
        .tempfile()
        .map_err(|e| format!("writing a probe: {e}"))?;
    std::io::Write::write_all(&mut file, &binary).map_err(|e| format!("writing a probe: {e}"))?;
    let path = file.into_temp_path();
    let request = Request::check(path.to_path_buf());
    match lease.exchange(request, std::time::Duration::from_secs(60)) {
        Ok(Response::Ok) => Ok(ProbeAnswer::Served),
        Ok(Response::Refused {
            reason,
            unsatisfied,
            ..
        }) => {
            // The probe imports nothing else: a list that names its
            // instance names this function.
            let words = || unsatisfied.is_empty().then(|| in_words(&reason, instance));
            Ok(
                if names(&unsatisfied.missing, instance) || words() == Some(Found::Nothing) {
                    ProbeAnswer::Lacking
                } else if names(&unsatisfied.other_type, instance)
                    || words() == Some(Found::OtherType)
                {
                    ProbeAnswer::OtherType
                } else {
                    ProbeAnswer::Unclear
                },
            )
        }
        Ok(other) => Err(unexpected_words("check", &other)),
        Err(error) => Err(error.to_string()),
    }
}

/// What a refusal without names says of the import `name`, read as
/// wasmtime's linker words it ("component imports instance `…`, but …"):
/// unknown unless the words quote it.
fn in_words(reason: &str, name: &str) -> Found {
    if reason.contains(&format!("`{name}`")) {
        Found::in_refusal(reason)
    } else {
        Found::Unknown
    }
}

/// Whether `list` names the instance `name` or a function of it.
fn names(list: &[String], name: &str) -> bool {
    list.iter()
        .any(|full| full == name || full.strip_prefix(name).is_some_and(|f| f.starts_with('#')))
}

impl Place for OnAdapter {
    fn time_is_the_components(&self) -> bool {
        false
    }

    fn cannot_judge(&self, function: GuestFn) -> Option<String> {
        let host = self.host();
        let supports = self.about.supports;
        match &self.checked {
            Checked::Refused { reason, .. } => {
                return Some(format!(
                    "{host} cannot instantiate it (`check`: {}); its import trials say which \
                     import, where the host names it",
                    gist(reason)
                ));
            }
            Checked::Unknown(why) => {
                return Some(format!("{host} could not be asked (`check`): {why}"));
            }
            Checked::Instantiates => {}
        }
        let (needed, what) = match function {
            GuestFn::Initialize => (supports.load, "`load`"),
            GuestFn::HandleMessage
            | GuestFn::HandleCallback
            | GuestFn::Metadata
            | GuestFn::Health => (
                supports.load && supports.lifecycle,
                "`load` and `lifecycle` (adapter protocol 1.3: requests with a correlation id \
                 and reply-to, handle-callback, metadata and health; an older adapter would \
                 deliver them as plain messages)",
            ),
            GuestFn::Shutdown => (
                supports.load && supports.runtime,
                "`load` and `runtime` (its `unload` calls shutdown)",
            ),
        };
        (!needed).then(|| {
            format!(
                "{host} cannot run this trial: its adapter's hello does not declare {what}, \
                 which `{}` needs",
                function.name()
            )
        })
    }

    fn load(&self, judged: GuestFn, deadline: &Deadline) -> Result<Box<dyn Running + '_>, Early> {
        let unjudged = |why: String| Outcome::Ignored(format!("precondition failed: {why}"));
        let mut lease = self
            .pool
            .lease()
            .map_err(|error| unjudged(error.to_string()))?;
        match lease.exchange(Request::reset(Vec::new()), deadline.left()) {
            Ok(Response::Ok) => {}
            Ok(other) => return Err(unjudged(unexpected_words("reset", &other))),
            Err(error) => return Err(unjudged(error.to_string())),
        }
        let id = ComponentId::new("local", "judged", "1");
        let load = Request::load(id.clone(), self.file.clone(), Grant::Everything, None);
        match lease.exchange(load, deadline.left()) {
            Ok(Response::Ok) => Ok(Box::new(OnHost {
                place: self,
                lease,
                id,
                deadline: *deadline,
            })),
            Ok(Response::Refused { reason, .. }) => Err(self.witness_load(judged, &reason)),
            Ok(other) => Err(unjudged(unexpected_words("load", &other))),
            Err(error) => Err(self.witness_load(judged, &error.to_string())),
        }
    }
}

/// Why a refusal is not judged in a suite without the reference host.
const NO_WITNESS: &str = "this suite was built without the reference host (feature \
     `reference-host`), which would tell whether that is the component's fault, so it is not \
     held against the component; build airssys-conformance with its default features to judge it";

/// Why the host gave no answer to a request, before it is judged.
enum Refused {
    /// The host's words (`refused`, or the adapter's failure): judged by
    /// replaying the call on the witness.
    Words(String),
    /// The adapter does not offer the operation: nothing to judge.
    Unserved(String),
}

/// The component loaded on the host, over one leased connection.
struct OnHost<'a> {
    place: &'a OnAdapter,
    lease: Lease<'a>,
    id: ComponentId,
    deadline: Deadline,
}

impl OnHost<'_> {
    /// Sends `request`; the answer, or why there is none.
    fn ask(&mut self, request: Request) -> Result<Response, Refused> {
        let op = request.op();
        match self.lease.exchange(request, self.deadline.left()) {
            // An export's `err` (protocol 1.3): an answer, not a refusal.
            Ok(answer @ Response::Refused { err: Some(_), .. }) => Ok(answer),
            Ok(Response::Refused { reason, .. }) => Err(Refused::Words(reason)),
            Ok(Response::Unsupported { reason, .. }) => Err(Refused::Unserved(format!(
                "{} does not offer `{op}`: {reason}",
                self.place.host()
            ))),
            Ok(answer) => Ok(answer),
            Err(error) => Err(Refused::Words(error.to_string())),
        }
    }

    /// The component's error records on the host, where its adapter reads
    /// the log sink (`runtime`); otherwise none.
    fn errors(&mut self) -> Vec<String> {
        if !self.place.about.supports.runtime {
            return Vec::new();
        }
        match self.lease.exchange(Request::Logs, self.deadline.left()) {
            Ok(Response::Logs { records, .. }) => last_errors(
                records
                    .into_iter()
                    .filter(|record| record.component == self.id && record.level == "error")
                    .map(|record| record.message),
            ),
            _ => Vec::new(),
        }
    }

    /// A refused call, judged by replaying it on the witness: the
    /// component's fault where it fails there too, with what it logged
    /// (here, or on the witness when this host's log sink cannot be read);
    /// otherwise not judged. Where the witness answers `err`, the refusal
    /// may have been that `err` or a fault of the host's: not judged.
    fn judged(
        &mut self,
        refused: Refused,
        judged: GuestFn,
        replay: impl FnOnce(&mut Loaded) -> Result<Answered, Fault>,
    ) -> Result<(), Fault> {
        let words = match refused {
            Refused::Words(words) => words,
            Refused::Unserved(why) => return Err(Fault::Unjudged(why)),
        };
        let host = self.place.host();
        let Some(witness) = &self.place.witness else {
            return Err(Fault::Unjudged(format!(
                "{host} answered {}; {NO_WITNESS}",
                gist(&words)
            )));
        };
        let mut witness = match witness.load_here(judged) {
            Ok(witness) => witness,
            Err(outcome) => {
                return Err(Fault::Unjudged(format!(
                    "{host} answered {}; the reference host, which would tell whether that \
                     is the component's fault, could not load it: {}",
                    gist(&words),
                    said(&outcome)
                )));
            }
        };
        match replay(&mut witness) {
            Err(Fault::Guest {
                logged: witnessed, ..
            }) => {
                let logged = match self.errors() {
                    here if !here.is_empty() => here,
                    _ => witnessed,
                };
                Err(Fault::Guest { words, logged })
            }
            Err(unjudged @ Fault::Unjudged(_)) => Err(unjudged),
            Ok(Answered::Err) => Err(Fault::Unjudged(format!(
                "{host} answered {}; on the reference host the same call returns `err`, an \
                 answer, but the refusal does not say whether it was that `err` or a fault \
                 (protocol 1.3 tells an export's `err` only for `invoke`)",
                gist(&words)
            ))),
            Ok(Answered::Ok) => Err(Fault::Unjudged(format!(
                "{host} answered {}; on the reference host the same call is answered, so \
                 this is not held against the component (the host's own conformance run says \
                 whether it is sound for this call)",
                gist(&words)
            ))),
        }
    }
}

impl Running for OnHost<'_> {
    fn deliver(&mut self, message: &Message) -> Result<(), Fault> {
        let invoke = Request::invoke(self.id.clone(), message.clone());
        match self.ask(invoke) {
            Ok(Response::Reply { .. } | Response::Refused { err: Some(_), .. }) => Ok(()),
            Ok(other) => Err(unexpected("invoke", &other)),
            Err(refused) => {
                let judged = super::behaviour::function_of(message.export);
                self.judged(refused, judged, |witness| witness.deliver_answered(message))
            }
        }
    }

    fn metadata(&mut self) -> Result<Metadata, Fault> {
        match self.ask(Request::metadata(self.id.clone())) {
            Ok(Response::Metadata { metadata, .. }) => Ok(metadata),
            Ok(other) => Err(unexpected("metadata", &other)),
            // `metadata` has no `err`: the witness's answer is `ok`, so the
            // refusal is never an answer, only the component's fault or none.
            Err(refused) => match self.judged(refused, GuestFn::Metadata, |witness| {
                witness.metadata().map(|_| Answered::Ok)
            }) {
                Err(fault) => Err(fault),
                Ok(()) => Err(Fault::Unjudged(
                    "`metadata` returned no record on the host, and one on the reference host"
                        .into(),
                )),
            },
        }
    }

    fn health(&mut self) -> Result<(), Fault> {
        match self.ask(Request::health(self.id.clone())) {
            Ok(Response::Health { .. }) => Ok(()),
            Ok(other) => Err(unexpected("health", &other)),
            Err(refused) => self.judged(refused, GuestFn::Health, |witness| {
                witness.health().map(|()| Answered::Ok)
            }),
        }
    }

    fn shutdown(&mut self) -> Result<(), Fault> {
        match self.ask(Request::unload(self.id.clone())) {
            Ok(Response::Ok) => Ok(()),
            Ok(other) => Err(unexpected("unload", &other)),
            // `unload` is refused when `shutdown` returns `err`, which is
            // an answer (GST-6), and when it traps: the refusal does not
            // say which, so only a trap on the witness too is judged.
            Err(refused) => self.judged(refused, GuestFn::Shutdown, Loaded::shutdown_answered),
        }
    }
}

/// `file` encoded as a binary component in a temporary file, when it is
/// WebAssembly text; `None` when it is binary already.
fn binary_of(file: &std::path::Path) -> Result<Option<tempfile::TempPath>, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(None);
    }
    let binary = wat::parse_bytes(&bytes).map_err(|e| {
        format!(
            "{} is neither binary nor text WebAssembly: {e}",
            file.display()
        )
    })?;
    let mut written = tempfile::Builder::new()
        .suffix(".wasm")
        .tempfile()
        .map_err(|e| format!("writing the binary of {}: {e}", file.display()))?;
    std::io::Write::write_all(&mut written, &binary)
        .map_err(|e| format!("writing the binary of {}: {e}", file.display()))?;
    Ok(Some(written.into_temp_path()))
}

/// An answer the protocol does not give to `op`: the adapter's fault.
fn unexpected(op: &str, answer: &Response) -> Fault {
    Fault::Unjudged(unexpected_words(op, answer))
}

fn unexpected_words(op: &str, answer: &Response) -> String {
    let words = match answer {
        Response::Refused { reason, .. } => format!(": {}", gist(reason)),
        Response::Unsupported { reason, .. } => format!(": {}", gist(reason)),
        Response::Error { message, .. } => format!(": {}", gist(message)),
        _ => String::new(),
    };
    format!(
        "the adapter answered `{op}` with `{}`{words}",
        answer.answer()
    )
}
