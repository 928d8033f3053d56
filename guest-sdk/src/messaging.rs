//! Messages to other loaded components (`airssys:core/host-messaging`).
//!
//! Every call only queues: the target runs after the current handler returns
//! (MSG-2). The answer to a [`request`] arrives later, at the component's
//! [`handle_callback`](crate::Component::handle_callback), with the same
//! correlation id the returned [`PendingRequest`] holds: remember with
//! [`PendingRequest::remember`] what the answer will be needed for, and read
//! the callback with [`Message::into_callback`](crate::Message::into_callback)
//! (see [`callback`]).

use std::time::Duration;

use crate::imports::messaging as host;
use crate::time::whole_millis;
use crate::{ComponentId, Error, MessagingError, callback};

/// The id the host assigned to this component (MSG-1).
pub fn self_id() -> ComponentId {
    host::self_id()
}

/// Queues `payload` for `target`'s `handle_message` (MSG-2, MSG-4, MSG-9).
pub fn send(target: &ComponentId, payload: impl AsRef<[u8]>) -> Result<(), MessagingError> {
    Ok(host::send(target, payload.as_ref())?)
}

/// Sends `payload` to every target, or to none if any is not loaded (MSG-8).
pub fn broadcast(targets: &[ComponentId], payload: impl AsRef<[u8]>) -> Result<(), MessagingError> {
    Ok(host::broadcast(targets, payload.as_ref())?)
}

/// Sends `payload` as a request; its reply, or a timeout notice after
/// `timeout`, arrives at `handle_callback` (MSG-5, MSG-6). The timeout is
/// rounded up to whole milliseconds; zero is refused by the host.
pub fn request(
    target: &ComponentId,
    payload: impl AsRef<[u8]>,
    timeout: Duration,
) -> Result<PendingRequest, MessagingError> {
    let correlation_id = host::request(target, payload.as_ref(), whole_millis(timeout))?;
    Ok(PendingRequest { correlation_id })
}

/// Withdraws a pending request by its correlation id; no callback follows
/// (MSG-7). What [`PendingRequest::remember`] kept for it in this instance
/// is deleted too, as no callback will take it back (if that delete fails,
/// the request is cancelled all the same and the entry stays, for
/// [`callback::forget_all`]). For a request
/// nothing was remembered for, this is the one host call `cancel-request`.
pub fn cancel_request(correlation_id: &str) -> Result<(), MessagingError> {
    host::cancel_request(correlation_id)?;
    callback::forget(correlation_id);
    Ok(())
}

/// A request the host accepted; its callback carries [`Self::correlation_id`].
///
/// With the `json` feature it is `Serialize` and `Deserialize`, as its
/// correlation id alone (a JSON string), so that it can be kept in storage
/// or in a component's own state to cancel later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "json",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
#[must_use = "remember what the callback needs with `remember`, keep the correlation id, or cancel the request"]
pub struct PendingRequest {
    correlation_id: String,
}

impl PendingRequest {
    /// The id the reply or timeout callback will carry.
    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    /// Withdraws the request; no callback follows (MSG-7). See [`cancel_request`].
    pub fn cancel(self) -> Result<(), MessagingError> {
        cancel_request(&self.correlation_id)
    }

    /// Keeps `context` in storage, under [`REMEMBERED_PREFIX`](crate::callback::REMEMBERED_PREFIX)
    /// and the correlation id, until the callback takes it back with
    /// [`Callback::recall`](crate::callback::Callback::recall). A callback
    /// always comes, the reply or the timeout (MSG-6), unless the request
    /// is cancelled, which deletes it.
    ///
    /// When it cannot be stored (the quota, STO-9), the request is cancelled,
    /// so that no answer comes that nothing waits for, and the storage error
    /// is returned.
    pub fn remember(&self, context: impl AsRef<[u8]>) -> Result<(), Error> {
        match callback::remember(&self.correlation_id, context.as_ref()) {
            Ok(()) => Ok(()),
            Err(error) => {
                // The storage error says what to fix; a failed cancel (the
                // request answered already) changes nothing about that.
                let _ = host::cancel_request(&self.correlation_id);
                Err(error.into())
            }
        }
    }

    /// [`Self::remember`], with `context` as JSON; the callback takes it back
    /// with [`Callback::recall_json`](crate::callback::Callback::recall_json).
    #[cfg(feature = "json")]
    pub fn remember_json<T: serde::Serialize + ?Sized>(&self, context: &T) -> Result<(), Error> {
        let bytes = match serde_json::to_vec(context) {
            Ok(bytes) => bytes,
            Err(error) => {
                let _ = host::cancel_request(&self.correlation_id);
                return Err(error.into());
            }
        };
        self.remember(bytes)
    }
}

impl From<PendingRequest> for String {
    fn from(request: PendingRequest) -> Self {
        request.correlation_id
    }
}

/// Queues `value` as JSON for `target`.
#[cfg(feature = "json")]
pub fn send_json<T: serde::Serialize + ?Sized>(
    target: &ComponentId,
    value: &T,
) -> Result<(), crate::Error> {
    send(target, serde_json::to_vec(value)?)?;
    Ok(())
}

/// Sends `value` as a JSON request; see [`request`].
#[cfg(feature = "json")]
pub fn request_json<T: serde::Serialize + ?Sized>(
    target: &ComponentId,
    value: &T,
    timeout: Duration,
) -> Result<PendingRequest, crate::Error> {
    Ok(request(target, serde_json::to_vec(value)?, timeout)?)
}

/// `value` as a JSON reply payload: `Ok(Some(reply_json(&answer)?))`.
#[cfg(feature = "json")]
pub fn reply_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, crate::Error> {
    Ok(serde_json::to_vec(value)?)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::callback::{Callback, Outcome, REMEMBERED_PREFIX};
    use crate::testing::{Grants, TestHost};
    use crate::{Component, Message, storage};

    fn peer() -> ComponentId {
        ComponentId::new("acme", "peer", "0")
    }

    /// Requests to the peer with the payload as context; records each
    /// callback's outcome and what it recalled under `seen/<id>`.
    struct Asker;

    impl Component for Asker {
        fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
            request(&peer(), "ask", Duration::from_secs(1))?.remember(&message.payload)?;
            Ok(None)
        }

        fn handle_callback(message: Message) -> Result<(), Error> {
            let callback = message.into_callback()?;
            let recalled = callback.recall_text()?.unwrap_or_else(|| "nothing".into());
            let outcome = match &callback.outcome {
                Outcome::Reply(payload) => String::from_utf8_lossy(payload).into_owned(),
                Outcome::TimedOut => "timed out".into(),
            };
            let seen = format!("seen/{}", callback.correlation_id);
            storage::set(seen, format!("{recalled}: {outcome}"))?;
            Ok(())
        }
    }

    fn remembered(host: &TestHost) -> Vec<String> {
        host.storage()
            .into_keys()
            .filter(|key| key.starts_with(REMEMBERED_PREFIX))
            .collect()
    }

    fn seen(host: &TestHost) -> Vec<Vec<u8>> {
        host.storage()
            .into_iter()
            .filter(|(key, _)| key.starts_with("seen/"))
            .map(|(_, value)| value)
            .collect()
    }

    #[test]
    fn a_reply_and_a_timeout_each_recall_their_own_context_once() {
        let host = TestHost::new();
        let client = ComponentId::new("acme", "client", "0");
        // The first request is answered, the second is not and times out.
        let mut asked = 0;
        host.answer(&peer(), move |_| {
            asked += 1;
            (asked == 1).then(|| b"yes".to_vec())
        });
        host.deliver::<Asker>(&client, "first").unwrap();
        host.deliver::<Asker>(&client, "second").unwrap();
        assert_eq!(remembered(&host).len(), 2);
        assert_eq!(host.deliver_callbacks::<Asker>().unwrap(), 1);
        host.advance(Duration::from_secs(2));
        assert_eq!(host.deliver_callbacks::<Asker>().unwrap(), 1);

        assert_eq!(
            seen(&host),
            [b"first: yes".to_vec(), b"second: timed out".to_vec()]
        );
        assert_eq!(remembered(&host), Vec::<String>::new(), "recall deletes");
    }

    proptest::proptest! {
        /// However many requests are answered or time out, in whatever
        /// order, each callback recalls its own request's context once, and
        /// nothing remembered is left behind.
        #[test]
        fn every_callback_recalls_its_own_context(answered in proptest::collection::vec(proptest::bool::ANY, 1..24)) {
            let host = TestHost::new();
            let client = ComponentId::new("acme", "client", "0");
            let script = answered.clone();
            let mut asked = 0;
            host.answer(&peer(), move |_| {
                asked += 1;
                script[asked - 1].then(|| b"yes".to_vec())
            });
            for n in 0..answered.len() {
                host.deliver::<Asker>(&client, format!("context {n}")).unwrap();
            }
            host.deliver_callbacks::<Asker>().unwrap();
            host.advance(Duration::from_secs(2));
            host.deliver_callbacks::<Asker>().unwrap();

            let mut seen: Vec<String> = seen(&host)
                .into_iter()
                .map(|bytes| String::from_utf8(bytes).unwrap())
                .collect();
            seen.sort();
            let mut expected: Vec<String> = answered
                .iter()
                .enumerate()
                .map(|(n, yes)| format!("context {n}: {}", if *yes { "yes" } else { "timed out" }))
                .collect();
            expected.sort();
            proptest::prop_assert_eq!(seen, expected);
            proptest::prop_assert_eq!(remembered(&host), Vec::<String>::new());
        }
    }

    #[test]
    fn cancelling_forgets_what_was_remembered() {
        let host = TestHost::new();
        host.load(&peer());
        let pending = request(&peer(), "ask", Duration::from_secs(1)).unwrap();
        pending.remember("context").unwrap();
        assert_eq!(remembered(&host).len(), 1);
        pending.cancel().unwrap();
        assert_eq!(remembered(&host), Vec::<String>::new());
    }

    #[test]
    fn cancelling_what_nothing_was_remembered_for_makes_no_storage_call() {
        let host = TestHost::new();
        host.load(&peer());
        host.grant(Grants::nothing().request_to("acme/peer/0"));
        let pending = request(&peer(), "ask", Duration::from_secs(1)).unwrap();
        pending.cancel().unwrap();
        assert_eq!(
            host.denials(),
            Vec::<String>::new(),
            "no storage call was refused"
        );
    }

    #[test]
    fn forget_all_deletes_only_what_was_remembered() {
        let host = TestHost::new();
        host.load(&peer());
        storage::set("mine", "kept").unwrap();
        for _ in 0..3 {
            let pending = request(&peer(), "ask", Duration::from_secs(1)).unwrap();
            pending.remember("context").unwrap();
        }
        assert_eq!(crate::callback::forget_all().unwrap(), 3);
        assert_eq!(host.storage().into_keys().collect::<Vec<_>>(), ["mine"]);
    }

    #[test]
    fn a_context_that_cannot_be_stored_cancels_the_request() {
        let host = TestHost::new();
        host.load(&peer());
        host.set_quota(8);
        let pending = request(&peer(), "ask", Duration::from_secs(1)).unwrap();
        let error = pending
            .remember("a context longer than the quota")
            .unwrap_err();
        assert!(
            matches!(error, Error::Storage(crate::StorageError::QuotaExceeded)),
            "{error}"
        );
        host.advance(Duration::from_secs(2));
        assert_eq!(
            host.deliver_callbacks::<Asker>().unwrap(),
            0,
            "no callback follows"
        );
    }

    #[test]
    fn a_message_without_a_correlation_id_is_no_callback() {
        let _host = TestHost::new();
        let error = Message::new(peer(), "x").into_callback().unwrap_err();
        assert!(
            error.to_string().contains("without a correlation id"),
            "{error}"
        );
    }

    #[test]
    fn a_timeout_notice_reads_as_timed_out() {
        let _host = TestHost::new();
        let mut message = Message::new(peer(), "");
        message.correlation_id = Some("9".into());
        message.content_type = Some(crate::TIMEOUT_CONTENT_TYPE.into());
        let callback = Callback::try_from(message).unwrap();
        assert_eq!(
            (callback.correlation_id.as_str(), &callback.outcome),
            ("9", &Outcome::TimedOut)
        );
        assert_eq!(callback.target, peer());
    }

    #[cfg(feature = "json")]
    #[test]
    fn a_pending_request_is_kept_as_its_id_in_json_and_recalls_json() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Merge {
            key: String,
        }
        let _host = TestHost::new();
        let pending = PendingRequest {
            correlation_id: "17".into(),
        };
        let text = serde_json::to_string(&pending).unwrap();
        assert_eq!(text, "\"17\"");
        assert_eq!(
            serde_json::from_str::<PendingRequest>(&text).unwrap(),
            pending
        );

        pending
            .remember_json(&Merge {
                key: "visits".into(),
            })
            .unwrap();
        let mut message = Message::new(peer(), "3");
        message.correlation_id = Some("17".into());
        let callback = message.into_callback().unwrap();
        assert_eq!(
            callback.recall_json::<Merge>().unwrap(),
            Some(Merge {
                key: "visits".into()
            })
        );
        assert_eq!(callback.recall_json::<Merge>().unwrap(), None, "taken once");
    }
}
