//! An in-memory host for unit tests: off wasm, every SDK call lands here.
//!
//! Storage is a map, sent messages and log records are recorded, the clock
//! moves only when told (or when the component sleeps), and requests are
//! answered by scripted replies. Each test thread has its own host, so
//! `cargo test` runs tests in parallel without them seeing each other.
//!
//! Where it stands in for a host, it keeps the reference host's defaults
//! (`airssys_contract::limits`): key and message limits, the storage quota
//! and key count, log records cut as SVC-1.1 cuts them, and the execution
//! budget of a call: a sleep past it panics inside `deliver…`, where a host
//! traps (SVC-4.1). Where it does not yet (issue 12): every capability is
//! granted, and sent messages are only recorded (no `queue-full`).
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

pub(crate) mod imports;
mod state;

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

pub use state::{LogRecord, Sent};

use crate::bindings::airssys::core::types::{ComponentMessage, MessageMetadata};
use crate::message::TIMEOUT_CONTENT_TYPE;
use crate::time::timestamp;
use crate::{Component, ComponentId, Error, Message};
use state::{State, default_self_id, with};

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

    /// Every message sent so far, in order.
    pub fn sent(&self) -> Vec<Sent> {
        with(|state| state.sent.clone())
    }

    /// Every record logged so far, in order.
    pub fn logs(&self) -> Vec<LogRecord> {
        with(|state| state.logs.clone())
    }

    /// The host clock; it starts at the real time when the host is made.
    pub fn now(&self) -> SystemTime {
        with(|state| state.now)
    }

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
                Some(reply) => (reply, None),
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
