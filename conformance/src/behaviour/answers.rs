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
//! [`Typing::AtCall`]: crate::registration::Typing::AtCall

use airssys_probe_protocol::{
    Call, HostMessagingCall, HostServicesCall, Level, Returned, StorageCall,
};

use airssys_contract::{ByInterface, HostMessagingFn, HostServicesFn, StorageFn, limits};

use super::{Probe, Session, cut, gist};
use crate::contract::{Contract, HostFunction, Shape};
use crate::registration::{Location, mistyped_answer};
use crate::wire::ComponentId;

/// What the answers of one function showed of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Answers came back as the contract's type, on these branches (as
    /// the WIT writes them, e.g. `ok(none)`), and none of another type.
    Typed(Vec<String>),
    /// An answer was of another type: the signature's failure, in WIT words.
    Mistyped(String),
    /// No answer came back, so nothing was seen: why.
    Nothing(String),
}

/// Calls `function` on each branch its samples reach, on probes loaded for
/// it alone (a call that traps retires its probe), and says what was seen.
pub(crate) fn seen(session: &mut Session, contract: &Contract, function: &HostFunction) -> Seen {
    let mut calls = Sampler {
        function,
        contract,
        probe: None,
        loads: 0,
        branches: Vec::new(),
        traps: Vec::new(),
    };
    match sample(session, &mut calls, function) {
        Err(Mistyped(message)) => Seen::Mistyped(message),
        Ok(()) if !calls.branches.is_empty() => Seen::Typed(calls.branches),
        Ok(()) => Seen::Nothing(match calls.traps.first() {
            Some(trap) => format!("every sample call of `{}` failed: {trap}", function.name),
            None => format!("no sample call of `{}` was made", function.name),
        }),
    }
}

/// An answer of another type than the contract's: stops the sampling.
struct Mistyped(String);

/// The samples of one function: its probe, and what its calls showed.
struct Sampler<'a> {
    function: &'a HostFunction,
    contract: &'a Contract,
    /// The probe the next call is made on; `None` after a trap retired it.
    probe: Option<ComponentId>,
    loads: u32,
    /// The branches answers came back on, as the WIT writes the answer.
    branches: Vec<String>,
    /// Calls that trapped or failed, in words.
    traps: Vec<String>,
}

impl Sampler<'_> {
    /// The probe to call on, loaded anew after a trap.
    fn probe(&mut self, session: &mut Session) -> ComponentId {
        if let Some(probe) = &self.probe {
            return probe.clone();
        }
        self.loads += 1;
        let probe_kind = match self.function.host_fn.by_interface() {
            ByInterface::Storage(_) => Probe::Storage,
            ByInterface::HostMessaging(_) => Probe::Messaging,
            ByInterface::HostServices(_) => Probe::Services,
        };
        let path = format!("answers-{}/{}", self.function.name, self.loads);
        let id = session.load(probe_kind, &path);
        self.probe = Some(id.clone());
        id
    }

    /// A call that sets the scene: its answer, or `None` if it did not
    /// return (that sample is then left out).
    fn scene(&mut self, session: &mut Session, call: Call) -> Option<Returned> {
        let probe = self.probe(session);
        match session.attempt(&probe, &call) {
            Ok(Ok(returned)) => Some(returned),
            Ok(Err(_)) => None,
            Err(_) => {
                self.probe = None;
                None
            }
        }
    }

    /// The sampled call of the judged function.
    fn call(&mut self, session: &mut Session, call: Call) -> Result<Option<Returned>, Mistyped> {
        let probe = self.probe(session);
        let shown = cut(&call.to_string(), 40);
        match session.attempt(&probe, &call) {
            Ok(reply) => {
                let branch = airssys_probe_protocol::wit_reply(&reply);
                if !self.branches.contains(&branch) {
                    self.branches.push(branch);
                }
                Ok(reply.ok())
            }
            Err(refusal) => {
                self.probe = None;
                let at = Location {
                    instance: Some(self.function.instance.clone()),
                    name: self.function.name.clone(),
                };
                if let Some(words) = mistyped_answer(&refusal, &at) {
                    return Err(Mistyped(format!(
                        "`{}` answered {shown} with a value of another type than the contract's \
                         `{}`: {words}. Components import it with the contract's type, so the \
                         host must answer with that type on every branch",
                        self.function.name,
                        self.contract.result_text(self.function, Shape::Exact),
                    )));
                }
                self.traps
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
    match function.host_fn.by_interface() {
        ByInterface::Storage(storage) => {
            let present = |calls: &mut Sampler, session: &mut Session| {
                calls.scene(session, Call::set("present", b"v")).is_some()
            };
            match storage {
                StorageFn::Get => {
                    calls.call(session, Call::get("absent"))?;
                    if present(calls, session) {
                        calls.call(session, Call::get("present"))?;
                    }
                    calls.call(session, Call::get(&long_key()))?;
                }
                StorageFn::Set => {
                    calls.call(session, Call::set("k", b"v"))?;
                    calls.call(session, Call::set(&long_key(), b"v"))?;
                }
                StorageFn::Delete => {
                    calls.call(session, Call::delete("absent"))?;
                    calls.call(session, Call::delete(&long_key()))?;
                }
                StorageFn::Exists => {
                    calls.call(session, Call::exists("absent"))?;
                    if present(calls, session) {
                        calls.call(session, Call::exists("present"))?;
                    }
                    calls.call(session, Call::exists(&long_key()))?;
                }
                StorageFn::ListKeys => {
                    // A list with an item shows the item's type too.
                    present(calls, session);
                    calls.call(
                        session,
                        Call::Storage(StorageCall::ListKeys { prefix: None }),
                    )?;
                    calls.call(
                        session,
                        Call::Storage(StorageCall::ListKeys {
                            prefix: Some("absent/".into()),
                        }),
                    )?;
                }
                StorageFn::Usage => {
                    calls.call(session, Call::Storage(StorageCall::Usage))?;
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
            let me = calls.probe(session);
            match messaging {
                HostMessagingFn::Send => {
                    calls.call(session, Call::send(&me, b"sample"))?;
                    calls.call(session, Call::send(&nobody, b"sample"))?;
                }
                HostMessagingFn::Request => {
                    calls.call(session, Call::request(&me, b"sample", 60_000))?;
                    calls.call(session, Call::request(&nobody, b"sample", 60_000))?;
                }
                HostMessagingFn::CancelRequest => {
                    calls.call(session, cancel("unknown"))?;
                    if let Some(Returned::CorrelationId(id)) =
                        calls.scene(session, Call::request(&me, b"sample", 60_000))
                    {
                        calls.call(session, cancel(&id))?;
                    }
                }
                HostMessagingFn::Broadcast => {
                    calls.call(session, Call::broadcast(&[&me], b"sample"))?;
                    calls.call(session, Call::broadcast(&[&nobody], b"sample"))?;
                }
                HostMessagingFn::SelfId => {
                    calls.call(session, Call::HostMessaging(HostMessagingCall::SelfId))?;
                }
            }
        }
        ByInterface::HostServices(services) => {
            let call = |call: HostServicesCall| Call::HostServices(call);
            match services {
                HostServicesFn::Log => {
                    calls.call(
                        session,
                        call(HostServicesCall::Log {
                            level: Level::Info,
                            message: "a sample call".into(),
                            context: Some(vec![("sample".into(), "1".into())]),
                        }),
                    )?;
                }
                HostServicesFn::CurrentTime => {
                    calls.call(session, call(HostServicesCall::CurrentTime))?;
                }
                HostServicesFn::CurrentTimeMillis => {
                    calls.call(session, call(HostServicesCall::CurrentTimeMillis))?;
                }
                HostServicesFn::SleepMillis => {
                    calls.call(
                        session,
                        call(HostServicesCall::SleepMillis { duration_ms: 0 }),
                    )?;
                }
                HostServicesFn::ListComponents => {
                    // The probe is loaded, so a list with an item is due.
                    calls.probe(session);
                    calls.call(session, call(HostServicesCall::ListComponents))?;
                }
                HostServicesFn::GetComponentMetadata => {
                    let me = calls.probe(session);
                    calls.call(session, Call::component_metadata(&me))?;
                    let nobody = session.id("nobody/1");
                    calls.call(session, Call::component_metadata(&nobody))?;
                }
            }
        }
    }
    Ok(())
}
