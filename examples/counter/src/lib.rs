//! A key/value counter. It understands three text commands:
//!
//! - `increment KEY`: adds one to KEY; a request gets the new count back.
//! - `get KEY`: a request gets KEY's count back.
//! - `merge KEY PEER`: asks the counter PEER (`namespace/name/instance`) for
//!   its count of KEY and, when the reply arrives, adds it to our own.
//!
//! Counts are stored as decimal text under `count/KEY`. A merge waiting for
//! its reply remembers KEY with the SDK's `PendingRequest::remember`, in
//! storage, so it survives between calls like any other state.

use std::time::Duration;

use airssys_guest::{Component, ComponentId, Error, Message, Outcome, messaging, storage};

/// How long a peer has to answer a merge.
const MERGE_TIMEOUT: Duration = Duration::from_secs(1);

pub struct Counter;

impl Component for Counter {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let command = message.text()?;
        let count = match command.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["increment", key] => {
                let count = storage::increment(count_key(key), 1)?;
                airssys_guest::info!({ "key" => key, "by" => message.sender }, "counted {count}");
                count
            }
            ["get", key] => storage::get_as::<i64>(count_key(key))?.unwrap_or(0),
            ["merge", key, peer] => {
                let peer: ComponentId = peer.parse()?;
                messaging::request(&peer, format!("get {key}"), MERGE_TIMEOUT)?.remember(key)?;
                return Ok(None);
            }
            _ => {
                return Err(Error::payload(format!(
                    "unknown command `{command}`; expected `increment KEY`, `get KEY` or `merge KEY PEER`"
                )));
            }
        };
        // A request gets the count back as text; a plain message gets nothing.
        message.reply(count)
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        let callback = message.into_callback()?;
        let Some(key) = callback.recall_text()? else {
            airssys_guest::warn!({ "correlation-id" => callback.correlation_id }, "a reply nobody waits for");
            return Ok(());
        };
        let peer = &callback.target;
        match &callback.outcome {
            Outcome::TimedOut => {
                airssys_guest::warn!({ "key" => key, "peer" => peer }, "merge timed out");
            }
            Outcome::Reply(payload) => {
                let theirs: i64 = std::str::from_utf8(payload)?.trim().parse()?;
                let merged = storage::increment(count_key(&key), theirs)?;
                airssys_guest::info!({ "key" => key, "peer" => peer }, "merged {theirs}, now {merged}");
            }
            // `Outcome` may gain answers in a later contract; none merges.
            other => {
                airssys_guest::warn!({ "key" => key, "peer" => peer }, "merge not answered: {other:?}");
            }
        }
        Ok(())
    }
}

airssys_guest::export!(Counter);

fn count_key(key: &str) -> String {
    format!("count/{key}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use airssys_guest::callback::REMEMBERED_PREFIX;
    use airssys_guest::logging::Level;
    use airssys_guest::testing::TestHost;
    use airssys_guest::{ComponentId, Error, MessagingError};

    use super::Counter;

    fn client() -> ComponentId {
        ComponentId::new("acme", "client", "0")
    }

    fn peer() -> ComponentId {
        ComponentId::new("acme", "counter", "1")
    }

    #[test]
    fn increments_are_stored_and_answered_to_requests_only() {
        let host = TestHost::new();

        let plain = host
            .deliver::<Counter>(&client(), "increment visits")
            .unwrap();
        let asked = host
            .deliver_request::<Counter>(&client(), "increment visits")
            .unwrap();

        assert_eq!(plain, None);
        assert_eq!(asked.as_deref(), Some(&b"2"[..]));
        assert_eq!(host.storage()["count/visits"], b"2");
        let got = host
            .deliver_request::<Counter>(&client(), "get visits")
            .unwrap();
        assert_eq!(got.as_deref(), Some(&b"2"[..]));
    }

    #[test]
    fn every_increment_is_logged_with_its_key_and_sender() {
        let host = TestHost::new();

        host.deliver::<Counter>(&client(), "increment visits")
            .unwrap();

        let logs = host.logs();
        assert_eq!(logs.len(), 1, "{logs:?}");
        assert_eq!(logs[0].level, Level::Info);
        assert_eq!(logs[0].message, "counted 1");
        assert_eq!(
            logs[0].context,
            [
                ("key".into(), "visits".into()),
                ("by".into(), "acme/client/0".into())
            ]
        );
    }

    #[test]
    fn a_merge_asks_the_peer_and_adds_its_scripted_reply() {
        let host = TestHost::new();
        host.answer(&peer(), |request| {
            (request == b"get visits").then(|| b"40".to_vec())
        });
        host.deliver::<Counter>(&client(), "increment visits")
            .unwrap();
        host.deliver::<Counter>(&client(), "increment visits")
            .unwrap();

        host.deliver::<Counter>(&client(), "merge visits acme/counter/1")
            .unwrap();
        let sent = host.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].target, peer());
        assert_eq!(sent[0].payload, b"get visits");
        assert_eq!(host.deliver_callbacks::<Counter>().unwrap(), 1);

        assert_eq!(host.storage()["count/visits"], b"42");
        assert!(
            host.storage()
                .keys()
                .all(|key| !key.starts_with(REMEMBERED_PREFIX)),
            "the merge's key is taken back: {:?}",
            host.storage()
        );
    }

    #[test]
    fn a_merge_without_an_answer_times_out_and_changes_nothing() {
        let host = TestHost::new();
        host.load(&peer());
        host.deliver::<Counter>(&client(), "increment visits")
            .unwrap();
        host.deliver::<Counter>(&client(), "merge visits acme/counter/1")
            .unwrap();

        assert_eq!(
            host.deliver_callbacks::<Counter>().unwrap(),
            0,
            "not yet due"
        );
        host.advance(Duration::from_secs(2));
        assert_eq!(host.deliver_callbacks::<Counter>().unwrap(), 1);

        assert_eq!(host.storage()["count/visits"], b"1");
        assert_eq!(host.storage().len(), 1, "only the count is left");
        let last = host.logs().pop().unwrap();
        assert_eq!(
            (last.level, last.message.as_str()),
            (Level::Warn, "merge timed out")
        );
    }

    #[test]
    fn a_reply_that_is_not_a_count_fails_the_callback_and_changes_nothing() {
        let host = TestHost::new();
        host.answer(&peer(), |_| Some(b"forty".to_vec()));
        host.deliver::<Counter>(&client(), "increment visits")
            .unwrap();
        host.deliver::<Counter>(&client(), "merge visits acme/counter/1")
            .unwrap();

        let error = host.deliver_callbacks::<Counter>().unwrap_err();

        assert_eq!(
            error.to_string(),
            "payload: not a number: invalid digit found in string"
        );
        assert_eq!(host.storage()["count/visits"], b"1");
    }

    #[test]
    fn a_merge_with_a_peer_that_is_not_loaded_fails_with_its_id() {
        let host = TestHost::new();
        let error = host
            .deliver::<Counter>(&client(), "merge visits acme/nobody/0")
            .unwrap_err();
        let Error::Messaging(MessagingError::TargetNotFound(id)) = error else {
            panic!("expected target-not-found, got {error}");
        };
        assert_eq!(id.to_string(), "acme/nobody/0");
    }

    #[test]
    fn unknown_commands_say_what_is_understood() {
        let host = TestHost::new();
        let error = host
            .deliver::<Counter>(&client(), "decrement visits")
            .unwrap_err();
        assert!(
            error.to_string().contains("expected `increment KEY`"),
            "{error}"
        );
    }
}
