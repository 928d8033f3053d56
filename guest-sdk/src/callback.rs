//! A callback as what it is: the reply to, or the timeout of, one request
//! this component made, with its correlation id always there.
//!
//! With [`PendingRequest::remember`](crate::messaging::PendingRequest::remember)
//! a handler keeps, in storage, what it will need when the answer comes;
//! [`Callback::recall`] takes it back. Storage outlives the instance, so
//! this works whether the host keeps one instance between calls (the
//! reference host does) or starts a fresh one.
//!
//! ```
//! use std::time::Duration;
//! use airssys_guest::callback::Outcome;
//! use airssys_guest::{Component, ComponentId, Error, Message, messaging, storage};
//!
//! struct Merger;
//!
//! impl Component for Merger {
//!     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//!         let peer = ComponentId::new("acme", "counter", "1");
//!         let key = message.text()?;
//!         messaging::request(&peer, format!("get {key}"), Duration::from_secs(1))?
//!             .remember(key)?;
//!         Ok(None)
//!     }
//!
//!     fn handle_callback(message: Message) -> Result<(), Error> {
//!         let callback = message.into_callback()?;
//!         let Some(key) = callback.recall_text()? else {
//!             return Ok(()); // not ours, or already handled
//!         };
//!         match callback.outcome {
//!             Outcome::Reply(payload) => {
//!                 let theirs: i64 = std::str::from_utf8(&payload)?.parse()?;
//!                 storage::increment(key, theirs)?;
//!             }
//!             Outcome::TimedOut => airssys_guest::warn!({ "key" => key }, "no answer"),
//!             // `Outcome` may gain answers in a later contract.
//!             other => airssys_guest::warn!({ "key" => key }, "not answered: {other:?}"),
//!         }
//!         Ok(())
//!     }
//! }
//! # use airssys_guest::testing::TestHost;
//! # let host = TestHost::new();
//! # host.answer(&ComponentId::new("acme", "counter", "1"), |_| Some(b"40".to_vec()));
//! # host.deliver::<Merger>(&ComponentId::new("acme", "client", "0"), "visits").unwrap();
//! # assert_eq!(host.deliver_callbacks::<Merger>().unwrap(), 1);
//! # assert_eq!(host.storage()["visits"], b"40");
//! # assert_eq!(host.storage().len(), 1, "the remembered key is gone");
//! ```

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::SystemTime;

use crate::message::TIMEOUT_CONTENT_TYPE;
use crate::{ComponentId, Error, Message, StorageError, storage};

/// Where [`PendingRequest::remember`](crate::messaging::PendingRequest::remember)
/// keeps what it is given: this prefix and the correlation id.
pub const REMEMBERED_PREFIX: &str = "airssys-guest/pending/";

fn remembered_key(correlation_id: &str) -> String {
    format!("{REMEMBERED_PREFIX}{correlation_id}")
}

thread_local! {
    /// The correlation ids this instance remembered something for and has
    /// not recalled yet: a cancel deletes an entry only for these, so that a
    /// component that never remembers makes no storage call when it cancels
    /// (one that may lack the grant, and would be refused and audited).
    static REMEMBERED: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// Stores `context` for the request `correlation_id`.
pub(crate) fn remember(correlation_id: &str, context: &[u8]) -> Result<(), StorageError> {
    storage::set(remembered_key(correlation_id), context)?;
    REMEMBERED.with_borrow_mut(|ids| ids.insert(correlation_id.to_owned()));
    Ok(())
}

/// Deletes what this instance remembered for `correlation_id`, if anything;
/// best effort, for a request that was just cancelled.
pub(crate) fn forget(correlation_id: &str) {
    if REMEMBERED.with_borrow_mut(|ids| ids.remove(correlation_id)) {
        // The cancel, which is what was asked, has happened; a failed
        // delete leaves an entry that `forget_all` clears.
        let _ = storage::delete(remembered_key(correlation_id));
    }
}

/// Deletes everything [`PendingRequest::remember`](crate::messaging::PendingRequest::remember)
/// kept, and returns how many entries that was.
///
/// An entry goes when its callback recalls it or its request is cancelled;
/// one whose callback can no longer come stays. Call this where no request
/// made before can still be answered, e.g. in `initialize` on a host that
/// does not keep pending requests across a restart while storage persists
/// (STO-11): a callback that comes anyway then recalls `None`.
pub fn forget_all() -> Result<usize, StorageError> {
    let keys = storage::keys_with_prefix(REMEMBERED_PREFIX)?;
    for key in &keys {
        storage::delete(key)?;
    }
    REMEMBERED.with_borrow_mut(BTreeSet::clear);
    Ok(keys.len())
}

/// The answer to a request: its reply, or the notice that none came in time.
/// A later contract may answer in another way: match with a last arm for it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The target's `Ok(Some(reply))`, as it sent it (MSG-5).
    Reply(Vec<u8>),
    /// No reply within the request's timeout (MSG-6); the target may still
    /// have handled the request.
    TimedOut,
}

/// What `handle-callback` gets, read as a callback: [`Message::into_callback`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// The id [`messaging::request`](crate::messaging::request) returned
    /// for the request this answers.
    pub correlation_id: String,
    /// The component the request went to.
    pub target: ComponentId,
    /// The reply, or the timeout.
    pub outcome: Outcome,
    /// When the host accepted the reply, or noticed the timeout.
    pub timestamp: SystemTime,
}

impl Callback {
    /// Takes back, and deletes from storage, what
    /// [`PendingRequest::remember`](crate::messaging::PendingRequest::remember)
    /// kept for this request; `None` if nothing was (a request this code
    /// did not remember, or a callback handled before).
    pub fn recall(&self) -> Result<Option<Vec<u8>>, StorageError> {
        let key = remembered_key(&self.correlation_id);
        let remembered = storage::get(&key)?;
        if remembered.is_some() {
            storage::delete(&key)?;
        }
        REMEMBERED.with_borrow_mut(|ids| ids.remove(&self.correlation_id));
        Ok(remembered)
    }

    /// [`Self::recall`], as UTF-8 text.
    pub fn recall_text(&self) -> Result<Option<String>, Error> {
        self.recall()?
            .map(|bytes| String::from_utf8(bytes).map_err(Error::from))
            .transpose()
    }

    /// [`Self::recall`], decoded from JSON as `T`.
    #[cfg(feature = "json")]
    pub fn recall_json<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>, Error> {
        let Some(bytes) = self.recall()? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            Error::payload(format!(
                "what request `{}` remembered is not the expected JSON: {e}",
                self.correlation_id
            ))
        })
    }
}

impl TryFrom<Message> for Callback {
    type Error = Error;

    /// A callback carries its request's correlation id (MSG-5, MSG-6); a
    /// message without one is no callback.
    fn try_from(message: Message) -> Result<Self, Error> {
        let outcome = if message.content_type.as_deref() == Some(TIMEOUT_CONTENT_TYPE) {
            Outcome::TimedOut
        } else {
            Outcome::Reply(message.payload)
        };
        let correlation_id = message.correlation_id.ok_or_else(|| {
            Error::payload(
                "a callback without a correlation id: the host must give every callback \
                 the id its request returned (MSG-5, MSG-6)",
            )
        })?;
        Ok(Callback {
            correlation_id,
            target: message.sender,
            outcome,
            timestamp: message.timestamp,
        })
    }
}

impl Message {
    /// This message as a callback: the reply or timeout of a request, with
    /// its correlation id. An error if it carries none, which a host sends
    /// to `handle-callback` only by mistake.
    pub fn into_callback(self) -> Result<Callback, Error> {
        Callback::try_from(self)
    }
}
