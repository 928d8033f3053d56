//! Signatures from what the host answers. A host whose linker checks types
//! only when a function is called ([`Typing::AtCall`]: wasmtime's
//! `func_new`, jco, wasmtime-py) instantiates a probe of any type, so the
//! name trial's probes say nothing of its types. For such a function the
//! suite calls it, on each branch of its result that a cheap scene reaches
//! (`some`/`none`, `ok`/`err`), and reads the outcome:
//! - the probe got the answer: the runtime lowered it into the contract's
//!   type, on that branch;
//! - the call was refused because the answer was of another type (the
//!   adapter names the import in `unsatisfied.other_type`, protocol 1.2, or
//!   the runtime's words say so): the signature fails;
//! - it trapped for another reason: that sample saw nothing.
//!
//! [`Typing::AtCall`]: crate::host_suite::registration::Typing::AtCall

use airssys_probe_protocol::{
    Call, HostMessagingCall, HostServicesCall, Level, ProbeCall, Returned, StorageCall,
};

use airssys_contract::{ByInterface, HostFn, HostMessagingFn, HostServicesFn, StorageFn, limits};

use super::{Probe, Session, cut, gist, mistyped};
use crate::contract::{Contract, HostFunction, Shape};
use crate::wire::ComponentId;

/// What the answers of one function showed of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Every sample call answered, with the contract's type.
    Typed,
    /// An answer was of another type: the signature's failure, in WIT words.
    Mistyped(String),
    /// Sample calls that were not made or did not answer, so the type on
    /// their branches was not seen: which, and why.
    Unseen(String),
}

/// Calls `function` on each branch its samples reach, on probes loaded for
/// it alone (a call that traps retires its probe), and says what was seen.
/// The type holds only where every sample call answered: one that trapped
/// or could not be set up leaves the signature unjudged, never passed.
/// `host_fn` is which function of this build `function` is: only those have
/// samples.
pub(crate) fn seen(
    session: &mut Session,
    contract: &Contract,
    function: &HostFunction,
    host_fn: HostFn,
) -> Seen {
    let mut calls = Sampler {
        function,
        host_fn,
        contract,
        probe: None,
        loads: 0,
        answered: 0,
        unseen: Vec::new(),
    };
    match sample(session, &mut calls, function) {
        Err(Mistyped(message)) => Seen::Mistyped(message),
        Ok(()) if calls.unseen.is_empty() && calls.answered > 0 => Seen::Typed,
        Ok(()) => Seen::Unseen(format!(
            "{} of {} sample calls of `{}` answered with the contract's type; not seen: {}",
            calls.answered,
            calls.answered as usize + calls.unseen.len(),
            function.name,
            calls.unseen.join("; ")
        )),
    }
}

/// An answer of another type than the contract's: stops the sampling.
struct Mistyped(String);

/// The samples of one function: its probe, and what its calls showed.
struct Sampler<'a> {
    function: &'a HostFunction,
    host_fn: HostFn,
    contract: &'a Contract,
    /// The probe the next call is made on; `None` after a trap retired it.
    probe: Option<ComponentId>,
    loads: u32,
    /// Sample calls that answered with the contract's type.
    answered: u32,
    /// Sample calls not made, or that failed, each with why.
    unseen: Vec<String>,
}

impl Sampler<'_> {
    /// The probe to call on, loaded anew after a trap. A probe that cannot
    /// answer a call that makes no host call (for its inbox) is not used: a
    /// refusal of the samples on it would not be the judged function's.
    fn probe(&mut self, session: &mut Session) -> Result<ComponentId, String> {
        if let Some(probe) = &self.probe {
            return Ok(probe.clone());
        }
        self.loads += 1;
        let probe_kind = match self.host_fn.by_interface() {
            ByInterface::Storage(_) => Probe::Storage,
            ByInterface::HostMessaging(_) => Probe::Messaging,
            ByInterface::HostServices(_) => Probe::Services,
        };
        let path = format!("answers-{}/{}", self.function.name, self.loads);
        let id = session.load(probe_kind, &path);
        // Any reply will do (a probe without an inbox answers `err`): the
        // probe was called and answered.
        match session.attempt(&id, &Call::Probe(ProbeCall::Inbox)) {
            Ok(_) => {}
            Err(refusal) => {
                return Err(format!(
                    "the probe could not be called at all: {}",
                    gist(&refusal.reason)
                ));
            }
        }
        self.probe = Some(id.clone());
        Ok(id)
    }

    /// A call that sets the scene for `then` (as failure messages show
    /// it): its answer, or why `then` was not made.
    fn scene(&mut self, session: &mut Session, call: Call, then: &str) -> Option<Returned> {
        let shown = cut(&call.to_string(), 60);
        let why = match self.probe(session) {
            Err(why) => why,
            Ok(probe) => match session.attempt(&probe, &call) {
                Ok(Ok(returned)) => return Some(returned),
                Ok(Err(error)) => format!("{shown} answered err({error})"),
                Err(refusal) => {
                    self.probe = None;
                    format!("{shown} failed: {}", gist(&refusal.reason))
                }
            },
        };
        self.unseen
            .push(format!("{then} was not made, since {why}"));
        None
    }

    /// A sampled call of the judged function, shown as `label` when one is
    /// given (a call whose text is long).
    fn call(
        &mut self,
        session: &mut Session,
        call: Call,
        label: Option<&str>,
    ) -> Result<Option<Returned>, Mistyped> {
        let shown = label.map_or_else(|| cut(&call.to_string(), 60), str::to_owned);
        let probe = match self.probe(session) {
            Ok(probe) => probe,
            Err(why) => {
                self.unseen
                    .push(format!("{shown} was not made, since {why}"));
                return Ok(None);
            }
        };
        match session.attempt(&probe, &call) {
            Ok(reply) => {
                self.answered += 1;
                Ok(reply.ok())
            }
            Err(refusal) => {
                self.probe = None;
                let contract_type = self.contract.result_text(self.function, Shape::Exact);
                if let Some(verdict) = mistyped(self.host_fn, &shown, &contract_type, &refusal) {
                    return Err(Mistyped(format!(
                        "{verdict}. Components import it with the contract's type, so the \
                         host must answer with that type on every branch"
                    )));
                }
                self.unseen
                    .push(format!("{shown} failed: {}", gist(&refusal.reason)));
                Ok(None)
            }
        }
    }
}

/// A key over the limit, which the contract refuses with `invalid-key`.
fn long_key() -> String {
    "k".repeat(limits::KEY_BYTES + 1)
}

/// The function's samples: each branch of its result that a cheap scene
/// reaches. Matched per interface without a `_` arm, so a function added
/// to the WIT does not build until it has samples.
fn sample(
    session: &mut Session,
    calls: &mut Sampler,
    function: &HostFunction,
) -> Result<(), Mistyped> {
    match calls.host_fn.by_interface() {
        ByInterface::Storage(storage) => {
            let present = |calls: &mut Sampler, session: &mut Session, then: &str| {
                calls
                    .scene(session, Call::set("present", b"v"), then)
                    .is_some()
            };
            let long = long_key();
            let long_shown = |name: &str| format!("{name}(a key of {} bytes)", long.len());
            match storage {
                StorageFn::Get => {
                    calls.call(session, Call::get("absent"), None)?;
                    if present(calls, session, "get(\"present\")") {
                        calls.call(session, Call::get("present"), None)?;
                    }
                    let shown = long_shown("get");
                    calls.call(session, Call::get(&long), Some(&shown))?;
                }
                StorageFn::Set => {
                    calls.call(session, Call::set("k", b"v"), None)?;
                    let shown = long_shown("set");
                    calls.call(session, Call::set(&long, b"v"), Some(&shown))?;
                }
                StorageFn::Delete => {
                    calls.call(session, Call::delete("absent"), None)?;
                    let shown = long_shown("delete");
                    calls.call(session, Call::delete(&long), Some(&shown))?;
                }
                StorageFn::Exists => {
                    calls.call(session, Call::exists("absent"), None)?;
                    if present(calls, session, "exists(\"present\")") {
                        calls.call(session, Call::exists("present"), None)?;
                    }
                    let shown = long_shown("exists");
                    calls.call(session, Call::exists(&long), Some(&shown))?;
                }
                StorageFn::ListKeys => {
                    // A list with an item shows the item's type too.
                    let all = Call::Storage(StorageCall::ListKeys { prefix: None });
                    if present(calls, session, "list-keys(none)") {
                        calls.call(session, all, None)?;
                    }
                    let none_under = Call::Storage(StorageCall::ListKeys {
                        prefix: Some("absent/".into()),
                    });
                    calls.call(session, none_under, None)?;
                }
                StorageFn::Usage => {
                    calls.call(session, Call::Storage(StorageCall::Usage), None)?;
                }
            }
        }
        ByInterface::HostMessaging(messaging) => {
            let nobody = session.id("nobody/1");
            let cancel = |id: &str| {
                Call::HostMessaging(HostMessagingCall::CancelRequest {
                    request_id: id.into(),
                })
            };
            // The probe itself is a loaded target.
            let me = match calls.probe(session) {
                Ok(me) => me,
                Err(why) => {
                    calls.unseen.push(format!("no call was made, since {why}"));
                    return Ok(());
                }
            };
            match messaging {
                HostMessagingFn::Send => {
                    calls.call(session, Call::send(&me, b"sample"), None)?;
                    calls.call(session, Call::send(&nobody, b"sample"), None)?;
                }
                HostMessagingFn::Request => {
                    calls.call(session, Call::request(&me, b"sample", 60_000), None)?;
                    calls.call(session, Call::request(&nobody, b"sample", 60_000), None)?;
                }
                HostMessagingFn::CancelRequest => {
                    calls.call(session, cancel("unknown"), None)?;
                    let issued = "cancel-request(the id of a pending request)";
                    match calls.scene(session, Call::request(&me, b"sample", 60_000), issued) {
                        Some(Returned::CorrelationId(id)) => {
                            calls.call(session, cancel(&id), Some(issued))?;
                        }
                        Some(other) => calls.unseen.push(format!(
                            "{issued} was not made, since request returned {other}"
                        )),
                        None => {}
                    }
                }
                HostMessagingFn::Broadcast => {
                    calls.call(session, Call::broadcast(&[&me], b"sample"), None)?;
                    calls.call(session, Call::broadcast(&[&nobody], b"sample"), None)?;
                }
                HostMessagingFn::SelfId => {
                    let self_id = Call::HostMessaging(HostMessagingCall::SelfId);
                    calls.call(session, self_id, None)?;
                }
            }
        }
        ByInterface::HostServices(services) => {
            let call = |call: HostServicesCall| Call::HostServices(call);
            match services {
                HostServicesFn::Log => {
                    let log = call(HostServicesCall::Log {
                        level: Level::Info,
                        message: "a sample call".into(),
                        context: Some(vec![("sample".into(), "1".into())]),
                    });
                    calls.call(session, log, None)?;
                }
                HostServicesFn::CurrentTime => {
                    calls.call(session, call(HostServicesCall::CurrentTime), None)?;
                }
                HostServicesFn::CurrentTimeMillis => {
                    calls.call(session, call(HostServicesCall::CurrentTimeMillis), None)?;
                }
                HostServicesFn::SleepMillis => {
                    let sleep = call(HostServicesCall::SleepMillis { duration_ms: 0 });
                    calls.call(session, sleep, None)?;
                }
                HostServicesFn::ListComponents => {
                    // The call loads the probe first, so a list with an item is due.
                    calls.call(session, call(HostServicesCall::ListComponents), None)?;
                }
                HostServicesFn::GetComponentMetadata => {
                    // First, so the probe this call loads is the first, `…/1`.
                    let me = session.id(&format!("answers-{}/1", function.name));
                    let own = Some("get-component-metadata(the caller's own id)");
                    calls.call(session, Call::component_metadata(&me), own)?;
                    let nobody = session.id("nobody/1");
                    calls.call(session, Call::component_metadata(&nobody), None)?;
                }
            }
        }
    }
    Ok(())
}
