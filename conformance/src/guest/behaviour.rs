//! The guest clauses (GST-*, `docs/spec.md`), judged by running the
//! component on the reference host: each trial loads it afresh, with every
//! capability granted and the default limits, on memory storage.

use airssys_contract::GuestFn;
use airssys_contract::limits::MESSAGE_BYTES;
use airssys_host::messaging::router::TIMEOUT_CONTENT_TYPE;
use airssys_host::runtime::{CallError, LoadError, UnloadError};
use airssys_host::{Capabilities, ComponentId, ComponentMessage, HostConfig, LoadOptions, Runtime};
use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::trials::{Outcome, seeded_runner};

/// Generated messages per property.
const CASES: u32 = 24;
/// Shrink steps at most: each step after a trap loads the component anew.
const SHRINK_STEPS: u32 = 64;

/// A compiled component and the engine the reference host runs it on.
pub(crate) struct Subject {
    pub engine: Engine,
    pub component: Component,
}

/// Why a trial concludes early: the outcome to report.
type Early = Outcome;

/// The two exports that take a message.
#[derive(Clone, Copy)]
enum Handler {
    Message,
    Callback,
}

impl Handler {
    fn function(self) -> GuestFn {
        match self {
            Handler::Message => GuestFn::HandleMessage,
            Handler::Callback => GuestFn::HandleCallback,
        }
    }
}

/// A fresh reference host with the component loaded in it.
struct Loaded {
    runtime: Runtime,
    id: ComponentId,
}

/// When a trial must conclude (`--timeout`). It is looked at before each
/// delivery and after each reload, so a trial ends at most one load and one
/// call's budget after its limit: a slow guest cannot keep a run for hours
/// by being reloaded for every shrink step. A timed-out delivery is never
/// one of proptest's failures: the cases past the limit pass unexamined.
#[derive(Clone, Copy)]
struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    fn after(limit: Duration) -> Self {
        Self {
            at: Instant::now() + limit,
            limit,
        }
    }

    fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// The limit as the failures say it.
    fn said(&self) -> String {
        format!(
            "the trial's limit of {} s (--timeout)",
            self.limit.as_secs_f64()
        )
    }

    /// Fails the trial if the limit passed before `next` could be done.
    fn check(&self, next: &str) -> Result<(), Early> {
        if self.passed() {
            Err(Outcome::Failed(format!(
                "timed out: {} passed before {next}",
                self.said()
            )))
        } else {
            Ok(())
        }
    }
}

/// One trial of a subject, under its deadline.
struct Judging<'a> {
    subject: &'a Subject,
    deadline: Deadline,
}

impl Subject {
    /// Judges `function`'s clause within `limit`; `seed` drives the
    /// generated inputs.
    pub fn judge(&self, function: GuestFn, clause: &str, seed: u64, limit: Duration) -> Outcome {
        Judging {
            subject: self,
            deadline: Deadline::after(limit),
        }
        .judge(function, clause, seed)
    }
}

impl Judging<'_> {
    fn judge(&self, function: GuestFn, clause: &str, seed: u64) -> Outcome {
        let judged = match function {
            GuestFn::Initialize => self.load(function).map(drop),
            GuestFn::HandleMessage => self.handle_message(seed),
            GuestFn::HandleCallback => self.handle_callback(),
            GuestFn::Metadata => self.metadata(),
            GuestFn::Health => self.load(function).and_then(|loaded| {
                loaded
                    .runtime
                    .health(&loaded.id)
                    .map(drop)
                    .map_err(|e| trapped(function, e))
            }),
            GuestFn::Shutdown => {
                self.load(function)
                    .and_then(|loaded| match loaded.runtime.unload(&loaded.id) {
                        Ok(()) | Err(UnloadError::Shutdown { .. }) => Ok(()),
                        Err(UnloadError::Call(error)) => Err(trapped(function, error)),
                    })
            }
        };
        match judged {
            Ok(()) => Outcome::Passed,
            Err(Outcome::Failed(why)) => Outcome::Failed(format!("{clause}: {why}")),
            Err(other) => other,
        }
    }

    /// Loads the component as `local/judged/1`. A failure of `judged`'s own
    /// call fails the trial; any other failure leaves it unjudged.
    fn load(&self, judged: GuestFn) -> Result<Loaded, Early> {
        let config = HostConfig::default();
        let runtime = Runtime::builder(
            airssys_host::AirssysHost::new(config)
                .map_err(|e| Outcome::Failed(format!("the reference host did not start: {e}")))?,
        )
        .engine(self.subject.engine.clone())
        .build()
        .map_err(|e| Outcome::Failed(format!("the reference host did not start: {e}")))?;
        let id = ComponentId::new("local", "judged", "1");
        let options = LoadOptions::granting(Capabilities::all());
        let unjudged = |why: String| Outcome::Ignored(format!("precondition failed: {why}"));
        match runtime.load(id.clone(), &self.subject.component, options) {
            Ok(_) => Ok(Loaded { runtime, id }),
            Err(LoadError::Instantiate { reason, .. }) => Err(Outcome::Ignored(format!(
                "the reference host cannot instantiate it ({reason}); its import and export \
                 trials say why"
            ))),
            // Its own defect, before any export ran: `initialize`'s trial
            // says so, and the others cannot judge.
            Err(LoadError::Start { problem, .. }) => Err(match judged {
                GuestFn::Initialize => {
                    Outcome::Failed(format!("it never got to `initialize`: {problem}"))
                }
                _ => unjudged(problem),
            }),
            Err(LoadError::Metadata { problem, .. }) => Err(match judged {
                GuestFn::Metadata => Outcome::Failed(problem),
                _ => unjudged(format!("metadata (GST-4): {problem}")),
            }),
            Err(LoadError::Initialize { error, .. }) => {
                let why = format!("initialize returned err({error:?}) for an empty config");
                Err(match judged {
                    GuestFn::Initialize => Outcome::Failed(why),
                    _ => unjudged(format!("{why} (GST-1)")),
                })
            }
            Err(LoadError::Trapped(error)) => Err(match &error {
                CallError::Trapped { export, .. } if *export == judged.name() => {
                    trapped(judged, error)
                }
                _ => unjudged(error.to_string()),
            }),
            Err(
                error @ (LoadError::InvalidId(_)
                | LoadError::AlreadyLoaded(_)
                | LoadError::Limits(_)),
            ) => Err(Outcome::Failed(format!(
                "the suite could not load it on the reference host: {error}"
            ))),
        }
    }

    fn handle_message(&self, seed: u64) -> Result<(), Early> {
        let mut loaded = self.load(GuestFn::HandleMessage)?;
        let fixed = [
            ("an empty message", message(Vec::new(), None)),
            (
                "a message at the limit (1 MiB)",
                message(vec![0xA5; MESSAGE_BYTES], None),
            ),
            (
                "an empty request",
                message(Vec::new(), Some("airssys-conformance-1".into())),
            ),
        ];
        for (what, message) in fixed {
            self.deadline.check(&format!("{what} was delivered"))?;
            loaded = self.deliver(loaded, Handler::Message, what, &message)?;
        }
        let strategy = (
            proptest::collection::vec(any::<u8>(), 0..64 * 1024),
            proptest::option::of("[ -~]{0,64}"),
        )
            .prop_map(|(payload, correlation)| message(payload, correlation));
        self.holds(seed, loaded, Handler::Message, strategy)
    }

    fn handle_callback(&self) -> Result<(), Early> {
        let mut loaded = self.load(GuestFn::HandleCallback)?;
        let correlation = Some("airssys-conformance-1".to_owned());
        let reply = message(b"a reply".to_vec(), correlation.clone());
        let timeout = message(Vec::new(), correlation).with_content_type(TIMEOUT_CONTENT_TYPE);
        for (what, message) in [("a reply", reply), ("a timeout notice", timeout)] {
            self.deadline.check(&format!("{what} was delivered"))?;
            loaded = self.deliver(loaded, Handler::Callback, what, &message)?;
        }
        Ok(())
    }

    fn metadata(&self) -> Result<(), Early> {
        let loaded = self.load(GuestFn::Metadata)?;
        let metadata = loaded
            .runtime
            .metadata(&loaded.id)
            .map_err(|e| trapped(GuestFn::Metadata, e))?;
        let limit = HostConfig::default().max_metadata_text_bytes;
        for (field, text) in [("name", &metadata.name), ("version", &metadata.version)] {
            if text.is_empty() {
                return Err(Outcome::Failed(format!(
                    "`metadata` returned an empty {field}"
                )));
            }
            if text.len() > limit {
                return Err(Outcome::Failed(format!(
                    "`metadata` returned a {field} of {} bytes; at most {limit}",
                    text.len()
                )));
            }
        }
        Ok(())
    }

    /// Calls `handler` with `message`; a trap fails the trial. Gives back the component to call
    /// next, loaded anew if the call trapped.
    fn deliver(
        &self,
        loaded: Loaded,
        handler: Handler,
        what: &str,
        message: &ComponentMessage,
    ) -> Result<Loaded, Early> {
        let called = match handler {
            Handler::Message => loaded.runtime.invoke(&loaded.id, message).map(drop),
            Handler::Callback => loaded
                .runtime
                .invoke_callback(&loaded.id, message)
                .map(drop),
        };
        match called {
            Ok(()) => Ok(loaded),
            Err(error) => Err(Outcome::Failed(format!(
                "{what}: {}",
                trapped_text(handler.function(), &error)
            ))),
        }
    }

    /// `handle-message` answers every generated message: proptest's
    /// smallest failing one is reported with the seed.
    fn holds(
        &self,
        seed: u64,
        loaded: Loaded,
        handler: Handler,
        strategy: impl Strategy<Value = ComponentMessage>,
    ) -> Result<(), Early> {
        let mut runner = seeded_runner(seed, CASES, SHRINK_STEPS);
        let current = RefCell::new(Some(loaded));
        // Once the limit passed, the remaining cases are not delivered: they
        // are let through at once, so that proptest ends its run (keeping the
        // smallest failure it had) instead of reloading for each.
        let (delivered, failed, cut_short) = (Cell::new(0u32), Cell::new(false), Cell::new(false));
        let result = runner.run(&strategy, |message| {
            if self.deadline.passed() {
                cut_short.set(true);
                return Ok(());
            }
            let mut slot = current.borrow_mut();
            let loaded = match slot.take() {
                Some(loaded) => loaded,
                None => self.load(handler.function()).map_err(|early| {
                    TestCaseError::fail(format!("it could not be loaded again: {early:?}"))
                })?,
            };
            // Reloading after a trap takes time of its own.
            if self.deadline.passed() {
                cut_short.set(true);
                *slot = Some(loaded);
                return Ok(());
            }
            match self.deliver(loaded, handler, "a generated message", &message) {
                Ok(loaded) => {
                    delivered.set(delivered.get() + 1);
                    *slot = Some(loaded);
                    Ok(())
                }
                Err(early) => {
                    failed.set(true);
                    Err(TestCaseError::fail(match early {
                        Outcome::Failed(why) | Outcome::Ignored(why) | Outcome::Expected(why) => {
                            why
                        }
                        Outcome::Passed => unreachable!("a failed call is no pass"),
                    }))
                }
            }
        });
        let shrinking = if cut_short.get() {
            format!(" before {} stopped its shrinking", self.deadline.said())
        } else {
            String::new()
        };
        match result {
            Ok(()) if cut_short.get() && !failed.get() => Err(Outcome::Failed(format!(
                "timed out: {} passed after {} of {CASES} generated messages were answered \
                 (seed {seed})",
                self.deadline.said(),
                delivered.get()
            ))),
            Ok(()) => Ok(()),
            Err(TestError::Fail(reason, message)) => Err(Outcome::Failed(format!(
                "{reason}\n  smallest failing message proptest found{shrinking}: {}\n  (seed \
                 {seed}: repeat with `--seed {seed}`)",
                shown(&message)
            ))),
            Err(TestError::Abort(reason)) => {
                Err(Outcome::Failed(format!("{reason} (seed {seed})")))
            }
        }
    }
}

fn message(payload: Vec<u8>, correlation_id: Option<String>) -> ComponentMessage {
    let suite = ComponentId::new("airssys", "conformance", "1");
    let mut message = ComponentMessage::new(suite.clone(), payload);
    message.metadata.reply_to = correlation_id.is_some().then_some(suite);
    message.metadata.correlation_id = correlation_id;
    message
}

/// A message as a failure shows it: its payload's length and first bytes.
fn shown(message: &ComponentMessage) -> String {
    let head: Vec<u8> = message.payload.iter().copied().take(16).collect();
    format!(
        "payload of {} bytes starting {head:?}, correlation id {:?}",
        message.payload.len(),
        message.metadata.correlation_id
    )
}

fn trapped(function: GuestFn, error: CallError) -> Outcome {
    Outcome::Failed(trapped_text(function, &error))
}

fn trapped_text(function: GuestFn, error: &CallError) -> String {
    format!("`{}` did not answer: {error}", function.name())
}
