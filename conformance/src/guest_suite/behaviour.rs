//! The guest clauses (GST-*, `docs/spec.md`), judged by running the
//! component on a host: the reference host in process ([`super::on_reference_host`])
//! or any host through its adapter ([`super::on_adapter`]). Each trial loads
//! the component afresh, with every capability granted and the default
//! limits; the same messages go to either host.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use airssys_conformance_adapter::{Handler, Message, Metadata};
use airssys_contract::GuestFn;
use airssys_contract::limits::MESSAGE_BYTES;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError};

use crate::text::{cut, gist};
use crate::trials::{Outcome, seeded_runner};

/// Generated messages per property.
const CASES: u32 = 24;
/// Shrink steps at most: each step after a trap loads the component anew.
const SHRINK_STEPS: u32 = 64;
/// How many bytes of a payload a verdict shows.
const SHOWN_BYTES: usize = 64;
/// How many of the component's last error records a verdict shows, and how
/// long each may be: a panic's message and location fit.
const SHOWN_RECORDS: usize = 3;
const LONGEST_RECORD: usize = 300;
/// The content type of the suite's plain messages: any bytes.
const OCTETS: &str = "application/octet-stream";
/// The correlation id of the suite's requests and callbacks.
const CORRELATION_ID: &str = "airssys-conformance-1";
/// The content type of a timeout notice (MSG-6, `docs/spec.md`). Written
/// here, not taken from the reference host, so that a suite built without
/// it (feature `reference-host`) sends the same; a test holds the two equal.
const TIMEOUT_CONTENT_TYPE: &str = "application/vnd.airssys.timeout";
/// The default bound on a metadata `name` or `version` (HOST-2.1, 1 KiB),
/// likewise held equal to the reference host's by a test.
const METADATA_TEXT_BYTES: usize = 1024;

/// Why a trial concludes early: the outcome to report.
pub(crate) type Early = Outcome;

/// A host that a trial loads the component on, afresh each time.
pub(crate) trait Place: Sync {
    /// Why this host cannot judge `function`'s clause, if it cannot: the
    /// trial is ignored with it.
    fn cannot_judge(&self, function: GuestFn) -> Option<String>;

    /// Whether a trial that runs out of time is the component's failure:
    /// only on a host known to be fast enough, the reference host in
    /// process. Through an adapter, a slow host or pipe looks the same.
    fn time_is_the_components(&self) -> bool;

    /// A fresh host with the component loaded as `local/judged/1`. A failure
    /// of `judged`'s own call (`initialize`, or `metadata` where the host
    /// calls it while loading) fails the trial; any other failure leaves it
    /// unjudged.
    fn load(&self, judged: GuestFn, deadline: &Deadline) -> Result<Box<dyn Running + '_>, Early>;
}

/// The component, loaded on a [`Place`].
pub(crate) trait Running {
    /// Calls the export [`Message::export`] names with `message`.
    fn deliver(&mut self, message: &Message) -> Result<(), Fault>;
    /// Calls `metadata`.
    fn metadata(&mut self) -> Result<Metadata, Fault>;
    /// Calls `health`.
    fn health(&mut self) -> Result<(), Fault>;
    /// Calls `shutdown` as the host unloads the component: `Ok` when it
    /// answered, with `ok` or `err`.
    fn shutdown(&mut self) -> Result<(), Fault>;
}

/// How an export whose result may be `err` answered: both are answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answered {
    Ok,
    // Only the reference host answers this way: without it (feature
    // `reference-host`) nothing does.
    #[cfg_attr(not(feature = "reference-host"), allow(dead_code))]
    Err,
}

/// A call the component did not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The component's own: the host's words for it, and the component's
    /// last records at error level (a panic's message, from the SDK's hook).
    /// Only the reference host, running the component or witnessing an
    /// adapter's refusal, shows a fault to be the component's: without it
    /// (feature `reference-host`) none is.
    #[cfg_attr(not(feature = "reference-host"), allow(dead_code))]
    Guest { words: String, logged: Vec<String> },
    /// Not known to be the component's: the host's words, and why they are
    /// not held against the component.
    Unjudged(String),
}

/// The component's last records at error level, cut, as a verdict shows
/// them: `messages` holds every error record of the component, oldest first.
pub(crate) fn last_errors(messages: impl IntoIterator<Item = String>) -> Vec<String> {
    let all: Vec<String> = messages.into_iter().collect();
    let skip = all.len().saturating_sub(SHOWN_RECORDS);
    all.into_iter()
        .skip(skip)
        .map(|message| cut(&gist(&message), LONGEST_RECORD))
        .collect()
}

/// When a trial must conclude (`--timeout`). It is looked at before each
/// delivery and after each reload, so a trial ends at most one load and one
/// call's budget after its limit: a slow guest cannot keep a run for hours
/// by being reloaded for every shrink step. A timed-out delivery is never
/// one of proptest's failures: the cases past the limit pass unexamined.
#[derive(Clone, Copy)]
pub(crate) struct Deadline {
    at: Instant,
    limit: Duration,
    /// Whether the time may be the host's rather than the component's
    /// ([`Place::time_is_the_components`]).
    time_is_the_components: bool,
}

impl Deadline {
    fn after(limit: Duration, time_is_the_components: bool) -> Self {
        Self {
            at: Instant::now() + limit,
            limit,
            time_is_the_components,
        }
    }

    /// The outcome of a trial that ran out of time: the component's failure
    /// only where the host is known not to be the slow one.
    fn timed_out(&self, what: String) -> Outcome {
        if self.time_is_the_components {
            Outcome::Failed(what)
        } else {
            Outcome::Ignored(format!(
                "{what}; on a host behind an adapter the time may be the host's or its \
                 adapter's, not the component's, so it is not held against the component \
                 (without --adapter, the reference host tells)"
            ))
        }
    }

    fn passed(&self) -> bool {
        Instant::now() >= self.at
    }

    /// What is left of the limit, for one exchange with an adapter; at
    /// least a second, so that a call begun just before the limit may end.
    pub fn left(&self) -> Duration {
        self.at
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1))
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
            Err(self.timed_out(format!("timed out: {} passed before {next}", self.said())))
        } else {
            Ok(())
        }
    }
}

/// Judges `function`'s clause on `place` within `limit`; `seed` drives the
/// generated inputs.
pub(crate) fn judge(
    place: &dyn Place,
    function: GuestFn,
    clause: &str,
    seed: u64,
    limit: Duration,
) -> Outcome {
    if let Some(why) = place.cannot_judge(function) {
        return Outcome::Ignored(why);
    }
    let judging = Judging {
        place,
        deadline: Deadline::after(limit, place.time_is_the_components()),
    };
    let judged = match function {
        GuestFn::Initialize => judging.load(function).map(drop),
        GuestFn::HandleMessage => judging.handle_message(seed),
        GuestFn::HandleCallback => judging.handle_callback(),
        GuestFn::Metadata => judging.metadata(),
        GuestFn::Health => judging
            .load(function)
            .and_then(|mut loaded| loaded.health().map_err(|f| verdict(function, None, f))),
        GuestFn::Shutdown => judging
            .load(function)
            .and_then(|mut loaded| loaded.shutdown().map_err(|f| verdict(function, None, f))),
    };
    match judged {
        Ok(()) => Outcome::Passed,
        Err(Outcome::Failed(why)) => Outcome::Failed(format!("{clause}: {why}")),
        Err(other) => other,
    }
}

/// One trial of a place, under its deadline.
struct Judging<'a> {
    place: &'a dyn Place,
    deadline: Deadline,
}

type Loaded<'a> = Box<dyn Running + 'a>;

impl<'a> Judging<'a> {
    fn load(&self, judged: GuestFn) -> Result<Loaded<'a>, Early> {
        self.place.load(judged, &self.deadline)
    }

    fn handle_message(&self, seed: u64) -> Result<(), Early> {
        let mut loaded = self.load(GuestFn::HandleMessage)?;
        let suite = airssys_conformance_adapter::suite_id();
        let fixed = [
            ("an empty message", Message::new(Vec::new(), OCTETS)),
            (
                "a message at the limit (1 MiB)",
                Message::new(vec![0xA5; MESSAGE_BYTES], OCTETS),
            ),
            (
                "an empty request",
                Message::new(Vec::new(), OCTETS).as_request(CORRELATION_ID, suite),
            ),
        ];
        for (what, message) in fixed {
            self.deadline.check(&format!("{what} was delivered"))?;
            loaded = self.deliver(loaded, &described(what, &message), &message)?;
        }
        let strategy = (
            proptest::collection::vec(any::<u8>(), 0..64 * 1024),
            proptest::option::of("[ -~]{0,64}"),
        )
            .prop_map(|(payload, correlation)| {
                let message = Message::new(payload, OCTETS);
                match correlation {
                    Some(id) => message.as_request(id, airssys_conformance_adapter::suite_id()),
                    None => message,
                }
            });
        self.holds(seed, loaded, strategy)
    }

    fn handle_callback(&self) -> Result<(), Early> {
        let mut loaded = self.load(GuestFn::HandleCallback)?;
        let callback = |payload: &[u8], content_type: &str| {
            Message::new(payload.to_vec(), content_type)
                .with_correlation_id(CORRELATION_ID)
                .to_export(Handler::HandleCallback)
        };
        let reply = callback(b"a reply", OCTETS);
        let timeout = callback(b"", TIMEOUT_CONTENT_TYPE);
        for (what, message) in [("a reply", reply), ("a timeout notice", timeout)] {
            self.deadline.check(&format!("{what} was delivered"))?;
            loaded = self.deliver(loaded, &described(what, &message), &message)?;
        }
        Ok(())
    }

    fn metadata(&self) -> Result<(), Early> {
        let mut loaded = self.load(GuestFn::Metadata)?;
        let metadata = loaded
            .metadata()
            .map_err(|fault| verdict(GuestFn::Metadata, None, fault))?;
        let limit = METADATA_TEXT_BYTES;
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

    /// Calls the export `message` is for, `what` saying what it is; a
    /// failure fails the trial, or leaves it unjudged when it is not known
    /// to be the component's. Gives back the component to call next.
    fn deliver(
        &self,
        mut loaded: Loaded<'a>,
        what: &str,
        message: &Message,
    ) -> Result<Loaded<'a>, Early> {
        match loaded.deliver(message) {
            Ok(()) => Ok(loaded),
            Err(fault) => Err(verdict(function_of(message.export), Some(what), fault)),
        }
    }

    /// `handle-message` answers every generated message: proptest's
    /// smallest failing one is reported with the seed.
    fn holds(
        &self,
        seed: u64,
        loaded: Loaded<'a>,
        strategy: impl Strategy<Value = Message>,
    ) -> Result<(), Early> {
        let mut runner = seeded_runner(seed, CASES, SHRINK_STEPS);
        let current = RefCell::new(Some(loaded));
        // A case the host could not judge ends the trial as unjudged, not
        // as one of proptest's failures.
        let unjudged = RefCell::new(None);
        // Once the limit passed, the remaining cases are not delivered: they
        // are let through at once, so that proptest ends its run (keeping the
        // smallest failure it had) instead of reloading for each.
        let (delivered, failed, cut_short) = (Cell::new(0u32), Cell::new(false), Cell::new(false));
        let result = runner.run(&strategy, |message| {
            if self.deadline.passed() || unjudged.borrow().is_some() {
                cut_short.set(true);
                return Ok(());
            }
            let mut slot = current.borrow_mut();
            let loaded = match slot.take() {
                Some(loaded) => loaded,
                None => self.load(GuestFn::HandleMessage).map_err(|early| {
                    TestCaseError::fail(format!("it could not be loaded again: {}", said(&early)))
                })?,
            };
            // Reloading after a trap takes time of its own.
            if self.deadline.passed() {
                cut_short.set(true);
                *slot = Some(loaded);
                return Ok(());
            }
            // Described once, on the line of the smallest failing message.
            match self.deliver(loaded, "a generated message", &message) {
                Ok(loaded) => {
                    delivered.set(delivered.get() + 1);
                    *slot = Some(loaded);
                    Ok(())
                }
                Err(Outcome::Ignored(why)) => {
                    *unjudged.borrow_mut() = Some(why);
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
            Ok(()) if unjudged.borrow().is_some() => {
                Err(Outcome::Ignored(unjudged.take().unwrap_or_default()))
            }
            Ok(()) if cut_short.get() && !failed.get() => Err(self.deadline.timed_out(format!(
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

/// An outcome's words, as a verdict quotes another's.
pub(crate) fn said(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Passed => "passed".into(),
        Outcome::Failed(why) => format!("failed: {why}"),
        Outcome::Ignored(why) => format!("not judged: {why}"),
        Outcome::Expected(why) => format!("an expected failure: {why}"),
    }
}

/// The export a message goes to.
pub(crate) fn function_of(export: Handler) -> GuestFn {
    match export {
        Handler::HandleMessage => GuestFn::HandleMessage,
        Handler::HandleCallback => GuestFn::HandleCallback,
    }
}

/// The outcome of `function`'s call that did not answer, `what` naming the
/// input it was given: failed when the fault is the component's, with what
/// it logged at error level; ignored otherwise.
pub(crate) fn verdict(function: GuestFn, what: Option<&str>, fault: Fault) -> Outcome {
    match fault {
        Fault::Guest { words, logged } => {
            let given = what.map(|what| format!("{what}: ")).unwrap_or_default();
            Outcome::Failed(format!(
                "{given}`{}` did not answer: {}{}",
                function.name(),
                gist(&words),
                logged_sentence(&logged)
            ))
        }
        Fault::Unjudged(why) => {
            Outcome::Ignored(format!("`{}` was not judged: {why}", function.name()))
        }
    }
}

/// What the component logged at error level before it failed, as a verdict
/// ends with it; empty when it logged nothing.
pub(crate) fn logged_sentence(logged: &[String]) -> String {
    if logged.is_empty() {
        return String::new();
    }
    let records: Vec<String> = logged.iter().map(|r| format!("{r:?}")).collect();
    format!(
        "; before it, the component logged at error level: {}",
        records.join(", ")
    )
}

/// `what` a message is, and what is in it.
fn described(what: &str, message: &Message) -> String {
    format!("{what}, {}", shown(message))
}

/// A message as a failure shows it: its payload's first bytes, escaped, and
/// its length (one byte repeated is said once), its content type, and its
/// correlation id and `reply-to`.
pub(crate) fn shown(message: &Message) -> String {
    let escaped = |bytes: &[u8]| -> String {
        bytes
            .iter()
            .flat_map(|byte| std::ascii::escape_default(*byte))
            .map(char::from)
            .collect()
    };
    let payload = &message.payload;
    let bytes = match payload.len() {
        n if n > 1 && payload.iter().all(|b| *b == payload[0]) => {
            format!("payload of {n} bytes, each b\"{}\"", escaped(&payload[..1]))
        }
        n if n > SHOWN_BYTES => format!(
            "payload b\"{}…\" ({n} bytes in all)",
            escaped(&payload[..SHOWN_BYTES])
        ),
        n => format!("payload b\"{}\" ({n} bytes)", escaped(payload)),
    };
    let correlation = match (&message.correlation_id, &message.reply_to) {
        (Some(id), Some(to)) => format!(", correlation id {id:?}, reply-to {to}"),
        (Some(id), None) => format!(", correlation id {id:?}"),
        (None, Some(to)) => format!(", reply-to {to}"),
        (None, None) => String::new(),
    };
    format!(
        "{bytes}, content-type {:?}{correlation}",
        message.content_type
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "reference-host")]
    #[test]
    fn the_contracts_values_are_the_reference_hosts() {
        assert_eq!(
            TIMEOUT_CONTENT_TYPE,
            airssys_host::messaging::router::TIMEOUT_CONTENT_TYPE
        );
        assert_eq!(
            METADATA_TEXT_BYTES,
            airssys_host::HostConfig::default().max_metadata_text_bytes
        );
    }

    #[test]
    fn a_payload_is_shown_by_its_first_bytes_escaped_and_its_length() {
        let long = Message::new(vec![0xA5; MESSAGE_BYTES], OCTETS);
        let said = shown(&long);
        assert!(
            said.starts_with("payload of 1048576 bytes, each b\"\\xa5\", content-type"),
            "{said}"
        );
        let mut varied = vec![0x41; 100];
        varied[1] = 0;
        let said = shown(&Message::new(varied, OCTETS));
        assert!(
            said.starts_with(&format!(
                "payload b\"A\\x00{}…\" (100 bytes in all)",
                "A".repeat(62)
            )),
            "{said}"
        );
        let request = Message::new(b"hi\n".to_vec(), OCTETS)
            .as_request("c", airssys_conformance_adapter::suite_id());
        assert_eq!(
            shown(&request),
            "payload b\"hi\\n\" (3 bytes), content-type \"application/octet-stream\", \
             correlation id \"c\", reply-to airssys-conformance/suite/0"
        );
    }

    #[test]
    fn a_guests_fault_shows_its_last_error_records_and_a_hosts_is_no_failure() {
        let logged = last_errors((1..=5).map(|n| format!("panicked at src/lib.rs:{n}:1:\nboom")));
        assert_eq!(logged.len(), SHOWN_RECORDS);
        let fault = Fault::Guest {
            words: "wasm trap: wasm `unreachable` instruction executed".into(),
            logged,
        };
        let Outcome::Failed(why) = verdict(GuestFn::HandleMessage, Some("an empty message"), fault)
        else {
            panic!("a guest's fault fails");
        };
        assert!(
            why.starts_with("an empty message: `handle-message` did not answer: wasm trap")
                && why.ends_with("\"panicked at src/lib.rs:5:1: / boom\""),
            "{why}"
        );
        let host = Fault::Unjudged("the host refused: no".into());
        assert!(matches!(
            verdict(GuestFn::Health, None, host),
            Outcome::Ignored(why) if why.contains("the host refused: no")
        ));
    }
}
