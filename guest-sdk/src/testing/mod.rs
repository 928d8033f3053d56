//! An in-memory host for unit tests: off wasm, every SDK call lands here.
//!
//! Storage is a map per component, sent messages and log records are
//! recorded, the clock moves only when told (or when a component sleeps),
//! and requests are answered by scripts (at once or after a delay on the
//! test clock) or by real components loaded beside the one under test.
//! Each test thread has its own host, so `cargo test` runs tests in
//! parallel without them seeing each other.
//!
//! Where it stands in for a host, it keeps the reference host's defaults
//! (`airssys_contract::limits`) and answers as the reference host does, in
//! the same order of checks and with the same reasons: clause by clause,
//!
//! | clause | the test host |
//! |---|---|
//! | STO-1 to STO-9 | kept: key limit (1024 bytes), quota (10 MiB, [`TestHost::set_quota`]) and key count (65,536, [`TestHost::set_max_keys`]), prefix listing, usage |
//! | STO-10 | kept: each loaded id has its own namespace ([`TestHost::storage`], [`TestHost::storage_of`]), which stays with the id when it is unloaded and loaded again (STO-10.1) |
//! | STO-11 | in memory: nothing to persist |
//! | MSG-1, MSG-4.1, MSG-5, MSG-7, MSG-8 | kept: ids, errors in the host's order, correlation ids, `cancel-request`'s answers, the newest 4096 settled requests remembered per caller |
//! | MSG-2, MSG-3 | messages to components loaded with [`TestHost::load_component`] are delivered, oldest first, when the dispatcher runs ([`TestHost::dispatch`], [`TestHost::deliver_callbacks`]), and those to the component under test (from a peer, or itself) with [`TestHost::deliver_queued`]; a failed delivery tells no sender and is kept as a dispatch report keeps it (the newest 256, 512 bytes each, [`TestHost::problems`]); the rest are recorded ([`TestHost::sent`]) |
//! | HOST-2.1 | kept: a component whose metadata `name` or `version` is over 1 KiB is not loaded |
//! | MSG-4.2 | kept: [`TestHost::unload`] runs `shutdown` and drops what is queued for the component and the requests it waits on; requests to it time out |
//! | MSG-5, MSG-6 | requests are answered by a loaded component, or by scripts ([`TestHost::answer`], [`TestHost::answer_after`], [`TestHost::answer_with`]); a reply counts if it comes before the deadline, else it is dropped and the timeout notice delivered; the clock moves with [`TestHost::advance`] |
//! | MSG-9 | kept: the message limit (1 MiB, requests and replies); 1024 undelivered messages (or 64 MiB) to one target and its queue is full, until the dispatcher delivers them or [`TestHost::take_sent`] takes them; 1024 pending requests per caller |
//! | SVC-1 | kept: records cut as SVC-1.1 cuts them, each naming its component, the newest 1024 ([`TestHost::logs`]) |
//! | SVC-2, SVC-3, SVC-4 | a test clock: it moves only when told or when a component sleeps; a sleep past the 5 s budget of a call panics, where a host traps (SVC-4.1) |
//! | SVC-5, SVC-6 | the components loaded, in load order, until unloaded; a loaded component's name and version come from its `metadata`, its health from its `health`, asked as a host asks it: not while it is busy or while another question is answered (its last answer then), and under the 100 ms health budget (past it: `unhealthy`, and retired); others' are made up (version `0.0.0`, `healthy`) until [`TestHost::metadata`] and [`TestHost::health`] |
//! | SEC-1 | kept, per component ([`TestHost::grant`], [`TestHost::grant_to`]): refused before anything else, "capability denied" in the function's error type, recorded ([`TestHost::denials`], the newest 4096, reasons cut at 512 bytes); every component is granted everything until told, where a host grants nothing by default |
//! | SEC-2 | a sleep past a call's budget panics, where a host traps; a loaded component whose `health` traps is retired (SEC-2.3: calls into it fail at once, [`TestHost::problems`]); a panic elsewhere fails the test; no memory limit or fuel |
//! | RES-1, RES-2 | not modelled: no rate limits; the conformance suite's GST trials run the built component on the reference host for those |
//!
//! The storage and messaging rows are held to it by test: the storage and
//! messaging probes run natively here and as components on the reference
//! host, and generated call sequences under generated grants get the same
//! replies, reasons included; two storage probes keep their keys apart on
//! both; a request answered in time or late gets the same callback on both
//! (`host/tests/clauses/sdk_test_host.rs`).
//!
//! A component loaded with [`TestHost::load_component`] runs in this
//! process: its own storage, grant, `self-id` and log records are kept
//! apart, but its statics are not. Two ids loaded with one type share them,
//! where a host gives each instance its own memory.
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
//!         let _pending =
//!             messaging::request(&directory, message.payload, Duration::from_millis(500))?;
//!         Ok(None)
//!     }
//!
//!     fn handle_callback(message: Message) -> Result<(), Error> {
//!         let greeting = if message.is_timeout() { b"nobody answered".to_vec() } else { message.payload };
//!         storage::set("greeting", greeting)?;
//!         Ok(())
//!     }
//! }
//!
//! let host = TestHost::new();
//! let directory = ComponentId::new("acme", "directory", "0");
//! let client = ComponentId::new("acme", "client", "0");
//!
//! // A directory that answers at once.
//! host.answer(&directory, |name| Some([b"hello, ", name].concat()));
//! host.deliver::<Greeter>(&client, "ada").unwrap();
//! assert_eq!(host.storage()["last-sender"], b"acme/client/0");
//! assert_eq!(host.sent()[0].target, directory);
//! assert_eq!(host.deliver_callbacks::<Greeter>().unwrap(), 1);
//! assert_eq!(host.storage()["greeting"], b"hello, ada");
//!
//! // A slow one: its answer, 2 s later, misses the 500 ms deadline (MSG-6).
//! host.answer_after(&directory, Duration::from_secs(2), |request| {
//!     Some([b"hello, ", &request.payload[..]].concat())
//! });
//! host.deliver::<Greeter>(&client, "grace").unwrap();
//! host.advance(Duration::from_secs(60));
//! assert_eq!(host.deliver_callbacks::<Greeter>().unwrap(), 1);
//! assert_eq!(host.storage()["greeting"], b"nobody answered");
//! ```
//!
//! A real component as the directory, with its own storage:
//!
//! ```
//! # use std::time::Duration;
//! # use airssys_guest::testing::TestHost;
//! # use airssys_guest::{ComponentId, Component, Error, Message, messaging, storage};
//! struct Directory;
//!
//! impl Component for Directory {
//!     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//!         storage::set("asked", message.sender.to_string())?;
//!         Ok(Some([b"hello, ", &message.payload[..]].concat()))
//!     }
//! }
//!
//! struct Client;
//!
//! impl Component for Client {
//!     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//!         let directory = ComponentId::new("acme", "directory", "0");
//!         let _pending = messaging::request(&directory, message.payload, Duration::from_secs(1))?;
//!         Ok(None)
//!     }
//!
//!     fn handle_callback(message: Message) -> Result<(), Error> {
//!         storage::set("greeting", message.payload)?;
//!         Ok(())
//!     }
//! }
//!
//! let host = TestHost::new();
//! let directory = ComponentId::new("acme", "directory", "0");
//! host.load_component::<Directory>(&directory);
//! host.deliver::<Client>(&ComponentId::new("acme", "user", "0"), "ada").unwrap();
//! assert_eq!(host.deliver_callbacks::<Client>().unwrap(), 1);
//!
//! assert_eq!(host.storage()["greeting"], b"hello, ada");
//! assert_eq!(host.storage_of(&directory)["asked"], b"test/component/0");
//! assert!(!host.storage().contains_key("asked"), "each its own namespace");
//! ```

mod answer;
mod grants;
pub(crate) mod imports;
mod lifecycle;
mod peers;
mod state;

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime};

pub use answer::Answer;
pub use grants::Grants;
pub use state::{LogRecord, Sent};

use crate::{Component, ComponentId, Error, Message};
use state::{DeliveryKind, State, call_budget, default_self_id, in_call_as, with};

/// Runs one call into the component under test: its execution budget
/// counts from now on the test clock (SVC-4.1).
fn in_call<R>(call: impl FnOnce() -> R) -> R {
    let id = with(|state| state.self_id.clone());
    in_call_as(&id, call_budget(), call)
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
    /// `services::components`. Unscripted, its requests time out; to have a
    /// real component answer, use [`Self::load_component`].
    pub fn load(&self, id: &ComponentId) -> &Self {
        with(|state| state.load(id.clone(), None));
        self
    }

    /// Loads `target` and scripts its answers: each request to it is
    /// answered with what `reply` returns for the payload (`None`: no
    /// answer, so the request times out, as MSG-5.2 says).
    pub fn answer(
        &self,
        target: &ComponentId,
        mut reply: impl FnMut(&[u8]) -> Option<Vec<u8>> + 'static,
    ) -> &Self {
        self.answer_with(target, move |request| reply(&request.payload).into())
    }

    /// Loads `target` as a slow peer: each request to it is answered with
    /// what `reply` returns, `delay` later on the test clock. `reply` sees
    /// the request as the target would (requester, correlation id, content
    /// type, payload). A reply due before the request's deadline arrives at
    /// the first [`Self::deliver_callbacks`] once the clock has reached it; one
    /// due at or after the deadline is dropped and the timeout notice is
    /// delivered instead (MSG-6).
    pub fn answer_after(
        &self,
        target: &ComponentId,
        delay: Duration,
        mut reply: impl FnMut(&Message) -> Option<Vec<u8>> + 'static,
    ) -> &Self {
        self.answer_with(target, move |request| match reply(request) {
            Some(payload) => Answer::after(delay, payload),
            None => Answer::none(),
        })
    }

    /// Loads `target` and scripts its answers request by request: `reply`
    /// sees each request as the target would and says what to answer and
    /// when ([`Answer::now`], [`Answer::after`], [`Answer::none`]). The script
    /// runs when the request is made; it may use the SDK, as the requester.
    pub fn answer_with(
        &self,
        target: &ComponentId,
        reply: impl FnMut(&Message) -> Answer + 'static,
    ) -> &Self {
        with(|state| {
            if target == &state.self_id {
                panic!(
                    "`{target}` is the component under test: its own handle_message answers \
                     the requests it gets (TestHost::deliver_queued)"
                );
            }
            if state.exports_of(target).is_some() {
                panic!(
                    "`{target}` was loaded with load_component: its own handle_message \
                     answers; script a component that is not loaded as a Component type"
                );
            }
            state.load(target.clone(), None);
            state.responders.insert(target.clone(), Box::new(reply));
        });
        self
    }

    /// Everything the component under test stored, by key.
    pub fn storage(&self) -> BTreeMap<String, Vec<u8>> {
        with(|state| {
            let id = state.self_id.clone();
            state.instance(&id).map(|i| i.storage.clone())
        })
        .unwrap_or_default()
    }

    /// Every component's storage quota (default 10 MiB, STO-7.1).
    pub fn set_quota(&self, bytes: u64) -> &Self {
        with(|state| state.quota_bytes = bytes);
        self
    }

    /// How many keys each component may hold (default 65,536, STO-9.1):
    /// a `set` of a new key past it is `quota-exceeded`.
    pub fn set_max_keys(&self, keys: usize) -> &Self {
        with(|state| state.max_keys = keys);
        self
    }

    /// What the component under test may do from now on (SEC-1);
    /// [`TestHost::new`] grants [`Grants::everything`]. For a peer, see
    /// [`Self::grant_to`].
    pub fn grant(&self, grants: Grants) -> &Self {
        let id = with(|state| state.self_id.clone());
        self.grant_to(&id, grants)
    }

    /// The reasons of the calls refused for want of a grant, oldest first
    /// (the newest 4096, as the reference host's audit log keeps them).
    pub fn denials(&self) -> Vec<String> {
        with(|state| state.denials.clone())
    }

    /// Every message sent and not yet taken, by any component, in order.
    /// Those to a component the test host does not deliver to (neither
    /// loaded with [`Self::load_component`] nor the component under test)
    /// count as undelivered: 1024 to one target (or 64 MiB) and its queue is
    /// full (MSG-9), as on a host whose dispatcher has not run.
    pub fn sent(&self) -> Vec<Sent> {
        with(|state| state.sent.clone())
    }

    /// Takes the messages sent so far, as a host's dispatcher delivers
    /// them: their targets' queues are empty again.
    pub fn take_sent(&self) -> Vec<Sent> {
        with(|state| std::mem::take(&mut state.sent))
    }

    /// The records logged so far, by any component, in order (the newest
    /// 1024, as the reference host's `LogBuffer` keeps them); each names the
    /// component that logged it.
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

    /// Moves the clock. At the next [`Self::deliver_callbacks`], replies
    /// due by then arrive, and requests whose deadline has passed without
    /// one time out.
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

    /// Runs the host's dispatcher, then `C::handle_callback` for every
    /// request of the component under test that has settled: answered by
    /// a script or a peer (a reply due by now and before its deadline), or
    /// past its deadline without one (the timeout notice, MSG-6), in the
    /// order they settled; returns how many ran. All due callbacks run
    /// even if one fails; the first error is returned.
    pub fn deliver_callbacks<C: Component>(&self) -> Result<usize, Error> {
        self.dispatch();
        let due: Vec<Message> = with(|state| {
            state.collect_due();
            let self_id = state.self_id.clone();
            let (mine, others) = std::mem::take(&mut state.deliveries)
                .into_iter()
                .partition(|d| d.target == self_id && d.kind == DeliveryKind::Callback);
            state.deliveries = others;
            mine.into_iter()
                .map(|d: state::Delivery| d.message)
                .collect()
        });
        let mut first_error = None;
        let count = due.len();
        for message in due {
            if let Err(error) = in_call(|| C::handle_callback(message)) {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(count), Err)
    }

    /// Runs the dispatcher and delivers to the component under test what
    /// waits for it, oldest first, until nothing does: messages and
    /// requests other components (or it) sent it (MSG-2: `sender`, no
    /// correlation id, or the request's, with `reply-to`), whose
    /// `Ok(Some(reply))` answers the request (MSG-5), and the callbacks of
    /// its own requests, as [`Self::deliver_callbacks`] delivers them.
    /// Returns how many ran. All run even if one fails; the first error is
    /// returned.
    pub fn deliver_queued<C: Component>(&self) -> Result<usize, Error> {
        let mut first_error = None;
        let mut count = 0;
        loop {
            self.dispatch();
            let Some(delivery) = with(|state| {
                state.collect_due();
                let self_id = state.self_id.clone();
                let index = state.deliveries.iter().position(|d| d.target == self_id)?;
                state.deliveries.remove(index)
            }) else {
                return first_error.map_or(Ok(count), Err);
            };
            count += 1;
            if count > peers::DISPATCH_LIMIT {
                panic!(
                    "{} deliveries to the component under test without running out: it and \
                     its peers keep messaging each other; make one of them stop answering",
                    peers::DISPATCH_LIMIT
                );
            }
            let state::Delivery { kind, message, .. } = delivery;
            let correlation_id = message.correlation_id.clone();
            let outcome = match kind {
                DeliveryKind::Message => in_call(|| C::handle_message(message)).map(drop),
                DeliveryKind::Request => in_call(|| C::handle_message(message)).map(|reply| {
                    if let (Some(reply), Some(id)) = (reply, correlation_id) {
                        with(|state| {
                            let (now, self_id) = (state.now, state.self_id.clone());
                            state.answer(&id, &self_id, reply, now)
                        });
                    }
                }),
                DeliveryKind::Callback => in_call(|| C::handle_callback(message)),
            };
            if let Err(error) = outcome {
                first_error.get_or_insert(error);
            }
        }
    }

    fn message(
        &self,
        sender: &ComponentId,
        payload: Vec<u8>,
        correlation_id: Option<String>,
        reply_to: Option<ComponentId>,
    ) -> Message {
        Message {
            sender: sender.clone(),
            payload,
            correlation_id,
            reply_to,
            timestamp: self.now(),
            content_type: None,
        }
    }
}
