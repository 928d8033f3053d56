//! A key/value counter. It understands three text commands:
//!
//! - `increment KEY`: adds one to KEY; a request gets the new count back.
//! - `get KEY`: a request gets KEY's count back.
//! - `merge KEY PEER`: asks the counter PEER (`namespace/name/instance`) for
//!   its count of KEY and, when the reply arrives, adds it to our own.
//!
//! Counts are stored as decimal text under `count/KEY`; a merge waiting for
//! its reply is stored under `pending/CORRELATION-ID`, so it survives
//! between calls like any other state.

use std::time::Duration;

use airssys_guest::{Component, ComponentId, Error, Message, messaging, storage};

/// How long a peer has to answer a merge.
const MERGE_TIMEOUT: Duration = Duration::from_secs(1);

pub struct Counter;

impl Component for Counter {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let command = message.text()?;
        let count = match command.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["increment", key] => {
                let count = count(key)? + 1;
                store(key, count)?;
                airssys_guest::info!({ "key" => key, "by" => message.sender }, "counted {count}");
                count
            }
            ["get", key] => count(key)?,
            ["merge", key, peer] => {
                let peer: ComponentId = peer.parse().map_err(Error::payload)?;
                let pending = messaging::request(&peer, format!("get {key}"), MERGE_TIMEOUT)?;
                storage::set(pending_key(pending.correlation_id()), key)?;
                return Ok(None);
            }
            _ => {
                return Err(Error::payload(format!(
                    "unknown command `{command}`; expected `increment KEY`, `get KEY` or `merge KEY PEER`"
                )));
            }
        };
        Ok(message.is_request().then(|| count.to_string().into_bytes()))
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        let Some(correlation_id) = &message.correlation_id else {
            return Ok(());
        };
        let pending = pending_key(correlation_id);
        let Some(key) = storage::get(&pending)? else {
            airssys_guest::warn!({ "correlation-id" => correlation_id }, "a reply nobody waits for");
            return Ok(());
        };
        storage::delete(&pending)?;
        let key = String::from_utf8_lossy(&key).into_owned();
        if message.is_timeout() {
            airssys_guest::warn!({ "key" => key, "peer" => message.sender }, "merge timed out");
            return Ok(());
        }
        let theirs = parse_count(&message.payload)?;
        let merged = count(&key)? + theirs;
        store(&key, merged)?;
        airssys_guest::info!({ "key" => key, "peer" => message.sender }, "merged {theirs}, now {merged}");
        Ok(())
    }
}

airssys_guest::export!(Counter);

fn count(key: &str) -> Result<u64, Error> {
    match storage::get(format!("count/{key}"))? {
        Some(bytes) => parse_count(&bytes),
        None => Ok(0),
    }
}

fn store(key: &str, count: u64) -> Result<(), Error> {
    Ok(storage::set(format!("count/{key}"), count.to_string())?)
}

fn pending_key(correlation_id: &str) -> String {
    format!("pending/{correlation_id}")
}

fn parse_count(bytes: &[u8]) -> Result<u64, Error> {
    let text = std::str::from_utf8(bytes)?;
    text.parse()
        .map_err(|_| Error::payload(format!("`{text}` is not a count")))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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
                .all(|key| !key.starts_with("pending/"))
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
        let last = host.logs().pop().unwrap();
        assert_eq!(
            (last.level, last.message.as_str()),
            (Level::Warn, "merge timed out")
        );
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
