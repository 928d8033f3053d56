//! An in-memory host for unit tests: off wasm, every SDK call lands here.
//!
//! Storage is a map, sent messages and log records are recorded, the clock
//! moves only when told (or when the component sleeps), and requests are
//! answered by scripted replies. Each test thread has its own host, so
//! `cargo test` runs tests in parallel without them seeing each other.
//!
//! Where it stands in for a host, it keeps the reference host's defaults
//! (`airssys_contract::limits`) and answers as the reference host does, in
//! the same order of checks and with the same reasons: clause by clause,
//!
//! | clause | the test host |
//! |---|---|
//! | STO-1 to STO-9 | kept: key limit, quota and key count, prefix listing, usage |
//! | STO-10, STO-11 | one component's storage, in memory: nothing to isolate or persist |
//! | MSG-1, MSG-4.1, MSG-5, MSG-7, MSG-8 | kept: ids, errors in the host's order, correlation ids, `cancel-request`'s answers |
//! | MSG-2, MSG-3, MSG-6 | sent messages are recorded ([`TestHost::sent`]), not delivered; requests are answered by scripts ([`TestHost::answer`]); timeouts come with [`TestHost::advance`] |
//! | MSG-9 | kept: the message limit; 1024 untaken messages (or 64 MiB) to one target and its queue is full until [`TestHost::take_sent`]; 1024 pending requests at most |
//! | SVC-1 | kept: records cut as SVC-1.1 cuts them ([`TestHost::logs`]) |
//! | SVC-2, SVC-3, SVC-4 | a test clock: it moves only when told or when the component sleeps; a sleep past the 5 s budget of a call panics inside `deliver…`, where a host traps (SVC-4.1) |
//! | SVC-5, SVC-6 | the components you [`TestHost::load`]; their metadata is made up (version `0.0.0`, `healthy`) |
//! | SEC-1 | kept, with [`TestHost::grant`]: refused before anything else, "capability denied" in the function's error type, recorded ([`TestHost::denials`]); [`TestHost::new`] grants everything, where a host grants nothing by default |
//! | SEC-2, RES-1, RES-2 | not modelled: no traps, no memory limit, no rate limits; the conformance suite's GST trials run the built component on the reference host for those |
//!
//! The storage and messaging rows are held to it by test: the storage and
//! messaging probes run natively here and as components on the reference
//! host, and generated call sequences under generated grants get the same
//! replies, reasons included (`host/tests/clauses/sdk_test_host.rs`).
//!
//! ```
//! use std::time::Duration;
//! use airssys_guest::testing::TestHost;
//! use airssys_guest::{ComponentId, Component, Error, Message, messaging, storage};
//!
//! struct Greeter;
//!
//! impl Component for Greeter {
//!     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//!         storage::set("last-sender", message.sender.to_string())?;
//!         let directory = ComponentId::new("acme", "directory", "0");
//!         messaging::request(&directory, message.payload, Duration::from_secs(1))?;
//!         Ok(None)
//!     }
//! }
//!
//! let host = TestHost::new();
//! let directory = ComponentId::new("acme", "directory", "0");
//! host.answer(&directory, |name| Some([b"hello, ", name].concat()));
//! let client = ComponentId::new("acme", "client", "0");
//!
//! host.deliver::<Greeter>(&client, "ada").unwrap();
//!
//! assert_eq!(host.storage()["last-sender"], b"acme/client/0");
//! assert_eq!(host.sent()[0].target, directory);
//! let replies = host.deliver_callbacks::<Greeter>().unwrap();
//! assert_eq!(replies, 1);
//! ```

mod grants;
pub(crate) mod imports;
mod state;

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

pub use grants::Grants;
pub use state::{LogRecord, Sent};

use crate::bindings::airssys::core::types::{ComponentMessage, MessageMetadata};
use crate::message::TIMEOUT_CONTENT_TYPE;
use crate::time::timestamp;
use crate::{Component, ComponentId, Error, Message};
use state::{Settled, State, default_self_id, with};

/// Runs one call into the component: its execution budget counts from now
/// on the test clock (SVC-4.1).
fn in_call<R>(call: impl FnOnce() -> R) -> R {
    let outer = with(|state| state.call_started.replace(state.now));
    let result = call();
    with(|state| state.call_started = outer);
    result
}

/// This thread's in-memory host. Creating one resets it.
#[derive(Debug)]
pub struct TestHost {
    // The state is per thread; a handle moved to another thread would lie.
    _not_send: PhantomData<*const ()>,
}

impl Default for TestHost {
    fn default() -> Self {
        Self::new()
    }
}

impl TestHost {
    /// A fresh host; the component under test is `test/component/0`.
    pub fn new() -> Self {
        Self::with_self_id(default_self_id())
    }

    /// A fresh host in which the component under test has id `id`.
    pub fn with_self_id(id: ComponentId) -> Self {
        with(|state| *state = State::new(id));
        TestHost {
            _not_send: PhantomData,
        }
    }

    /// Makes `id` a loaded component: a valid message target, listed by
    /// `services::components`. Unscripted, its requests time out.
    pub fn load(&self, id: &ComponentId) -> &Self {
        with(|state| state.load(id.clone()));
        self
    }

    /// Loads `target` and scripts its answers: each request to it is
    /// answered with what `reply` returns for the payload (`None`: no
    /// answer, so the request times out, as MSG-5.2 says).
    pub fn answer(
        &self,
        target: &ComponentId,
        reply: impl FnMut(&[u8]) -> Option<Vec<u8>> + 'static,
    ) -> &Self {
        with(|state| {
            state.load(target.clone());
            state.responders.insert(target.clone(), Box::new(reply));
        });
        self
    }

    /// Everything the component stored, by key.
    pub fn storage(&self) -> BTreeMap<String, Vec<u8>> {
        with(|state| state.storage.clone())
    }

    /// Sets the component's storage quota (default 10 MiB, STO-7.1).
    pub fn set_quota(&self, bytes: u64) -> &Self {
        with(|state| state.quota_bytes = bytes);
        self
    }

    /// What the component may do from now on (SEC-1); [`TestHost::new`]
    /// grants [`Grants::everything`].
    pub fn grant(&self, grants: Grants) -> &Self {
        with(|state| state.grants = grants);
        self
    }

    /// The reasons of the calls refused for want of a grant, oldest first
    /// (the newest 4096, as the reference host's audit log keeps them).
    pub fn denials(&self) -> Vec<String> {
        with(|state| state.denials.clone())
    }

    /// Every message sent and not yet taken, in order. They count as
    /// undelivered: 1024 to one target (or 64 MiB) and its queue is full
    /// (MSG-9), as on a host whose dispatcher has not run.
    pub fn sent(&self) -> Vec<Sent> {
        with(|state| state.sent.clone())
    }

    /// Takes the messages sent so far, as a host's dispatcher delivers
    /// them: their targets' queues are empty again.
    pub fn take_sent(&self) -> Vec<Sent> {
        with(|state| std::mem::take(&mut state.sent))
    }

    /// Every record logged so far, in order.
    pub fn logs(&self) -> Vec<LogRecord> {
        with(|state| state.logs.clone())
    }

    /// The host clock; it starts at the real time when the host is made.
    pub fn now(&self) -> SystemTime {
        with(|state| state.now)
    }

    /// Sets the host clock to `now`; as with [`Self::advance`], requests
    /// whose deadline is then past time out at the next [`Self::deliver_callbacks`].
    pub fn set_time(&self, now: SystemTime) -> &Self {
        with(|state| state.now = now);
        self
    }

    /// Moves the clock; requests whose deadline passes time out at the
    /// next [`Self::deliver_callbacks`].
    pub fn advance(&self, by: Duration) -> &Self {
        with(|state| state.advance(by));
        self
    }

    /// Calls `C::handle_message` with a message from `sender`.
    pub fn deliver<C: Component>(
        &self,
        sender: &ComponentId,
        payload: impl Into<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let message = self.message(sender, payload.into(), None, None);
        in_call(|| C::handle_message(message))
    }

    /// Calls `C::handle_message` with `message` as it is: a content type,
    /// a correlation id or a timestamp of the test's choosing.
    pub fn deliver_message<C: Component>(
        &self,
        message: Message,
    ) -> Result<Option<Vec<u8>>, Error> {
        in_call(|| C::handle_message(message))
    }

    /// Calls `C::handle_message` with a request from `sender`; the
    /// component's answer is the `Ok(Some(reply))`.
    pub fn deliver_request<C: Component>(
        &self,
        sender: &ComponentId,
        payload: impl Into<Vec<u8>>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let correlation_id = with(State::next_correlation_id);
        let reply_to = Some(sender.clone());
        let message = self.message(sender, payload.into(), Some(correlation_id), reply_to);
        in_call(|| C::handle_message(message))
    }

    /// Runs `C::handle_callback` for every request answered by a script and
    /// every request past its deadline (a timeout notice, MSG-6), oldest
    /// first; returns how many ran. All due callbacks run even if one
    /// fails; the first error is returned.
    pub fn deliver_callbacks<C: Component>(&self) -> Result<usize, Error> {
        let due = with(|state| {
            let now = state.now;
            let (due, waiting) = std::mem::take(&mut state.pending)
                .into_iter()
                .partition(|p| p.reply.is_some() || p.deadline <= now);
            state.pending = waiting;
            due
        });
        let mut first_error = None;
        let mut count = 0;
        for settled in due {
            let (payload, content_type) = match settled.reply {
                Some(reply) => {
                    with(|state| {
                        state
                            .settled
                            .insert(settled.correlation_id.clone(), Settled::Answered)
                    });
                    (reply, None)
                }
                None => {
                    with(|state| state.timed_out.insert(settled.correlation_id.clone()));
                    (Vec::new(), Some(TIMEOUT_CONTENT_TYPE.to_owned()))
                }
            };
            let mut message =
                self.message(&settled.target, payload, Some(settled.correlation_id), None);
            message.content_type = content_type;
            count += 1;
            if let Err(error) = in_call(|| C::handle_callback(message)) {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(count), Err)
    }

    fn message(
        &self,
        sender: &ComponentId,
        payload: Vec<u8>,
        correlation_id: Option<String>,
        reply_to: Option<ComponentId>,
    ) -> Message {
        Message::from(ComponentMessage {
            sender: sender.clone(),
            payload,
            metadata: MessageMetadata {
                correlation_id,
                reply_to,
                timestamp: timestamp(self.now()),
                content_type: None,
            },
        })
    }
}
