//! my-component: keeps the notes it is sent and answers requests for them.
//!
//! It understands three text commands:
//!
//! - `note TEXT`: stores TEXT as the next note; a request gets its number back.
//! - `read N`: a request gets note N back.
//! - `ask PEER QUESTION`: sends QUESTION as a request to the component PEER
//!   (`namespace/name/instance`); when the answer comes, it becomes a note.
//!
//! Everything it keeps is in storage, so it survives between calls and
//! restarts: the notes under `notes/N`, the last number under `notes/last`,
//! and a question waiting for its answer where the SDK remembers it.
//!
//! Start here: change the commands, keep the tests passing, then build with
//! `cargo build --release --target wasm32-wasip2`.

use std::time::Duration;

use airssys_guest::{
    Component, ComponentId, Error, Health, Message, Metadata, Outcome, limits, messaging, storage,
};

/// How long a peer has to answer `ask`.
const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// The share of the storage quota (or of the default key limit) past which
/// the component reports itself degraded.
const NEARLY_FULL: f64 = 0.9;

pub struct Notes;

impl Component for Notes {
    fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
        let text = message.text()?;
        let (command, argument) = text.split_once(' ').unwrap_or((text, ""));
        match command {
            "note" => {
                let number = save_note(argument)?;
                airssys_guest::info!({ "note" => number, "from" => message.sender }, "noted");
                message.reply(number)
            }
            "read" => {
                let number: u64 = argument.trim().parse()?;
                match storage::get_as::<String>(note_key(number))? {
                    Some(note) => message.reply(note),
                    None => Err(Error::payload(format!(
                        "there is no note {number}; `note TEXT` adds one"
                    ))),
                }
            }
            "ask" => {
                let (peer, question) = argument.split_once(' ').ok_or_else(|| {
                    Error::payload("`ask` needs a peer and a question: `ask acme/oracle/1 why?`")
                })?;
                let peer: ComponentId = peer.parse()?;
                // The answer arrives at `handle_callback`, in a later call;
                // what it will need is kept in storage until then.
                messaging::request(&peer, question, ASK_TIMEOUT)?.remember(question)?;
                Ok(None)
            }
            _ => Err(Error::payload(format!(
                "unknown command `{command}`; expected `note TEXT`, `read N` or `ask PEER QUESTION`"
            ))),
        }
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        let callback = message.into_callback()?;
        let Some(question) = callback.recall_text()? else {
            airssys_guest::warn!({ "correlation-id" => callback.correlation_id }, "an answer to nothing we asked");
            return Ok(());
        };
        match &callback.outcome {
            Outcome::Reply(answer) => {
                let answer = std::str::from_utf8(answer)?;
                let number = save_note(&format!("{question} -> {answer}"))?;
                airssys_guest::info!({ "note" => number, "from" => callback.target }, "answered");
            }
            Outcome::TimedOut => {
                airssys_guest::warn!({ "question" => question, "peer" => callback.target }, "no answer in time");
            }
            // `Outcome` may gain answers in a later contract: keep none as a note.
            other => {
                airssys_guest::warn!({ "question" => question, "peer" => callback.target }, "not answered: {other:?}");
            }
        }
        Ok(())
    }

    fn health() -> Health {
        match storage::usage() {
            Ok(usage) if usage.used_fraction() > NEARLY_FULL => Health::degraded_because(format!(
                "storage is {:.0}% full; notes will soon be refused",
                usage.used_fraction() * 100.0
            )),
            // `usage` does not tell the host's key limit; this is its default.
            Ok(usage) if usage.key_count as f64 > limits::KEYS as f64 * NEARLY_FULL => {
                Health::degraded_because(format!(
                    "{} of {} keys used",
                    usage.key_count,
                    limits::KEYS
                ))
            }
            Ok(_) => Health::Healthy,
            Err(error) => Health::unhealthy_because(error),
        }
    }

    fn metadata() -> Metadata {
        // Name, version, author and license come from Cargo.toml.
        Metadata::new()
            .description("my-component: keeps the notes it is sent and answers requests for them")
            .supported_operations(["note", "read", "ask"])
            .stateful(true)
    }
}

airssys_guest::export!(Notes);

/// Stores `text` as the next note and returns its number.
fn save_note(text: &str) -> Result<i64, Error> {
    let number = storage::increment("notes/last", 1)?;
    storage::set(note_key(number), text)?;
    Ok(number)
}

fn note_key(number: impl std::fmt::Display) -> String {
    format!("notes/{number}")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use airssys_guest::logging::Level;
    use airssys_guest::testing::TestHost;
    use airssys_guest::{Component, ComponentId, Health};

    use super::Notes;

    fn client() -> ComponentId {
        ComponentId::new("acme", "client", "0")
    }

    fn oracle() -> ComponentId {
        ComponentId::new("acme", "oracle", "1")
    }

    #[test]
    fn notes_are_numbered_stored_and_read_back() {
        let host = TestHost::new();

        let first = host.deliver_request::<Notes>(&client(), "note buy milk");
        let second = host.deliver::<Notes>(&client(), "note call ada");
        let read = host.deliver_request::<Notes>(&client(), "read 1");

        assert_eq!(first.unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(second.unwrap(), None, "a plain message gets no reply");
        assert_eq!(read.unwrap().as_deref(), Some(&b"buy milk"[..]));
        assert_eq!(host.storage()["notes/2"], b"call ada");
        assert_eq!(host.logs()[0].message, "noted");
    }

    #[test]
    fn reading_a_missing_note_says_how_to_add_one() {
        let host = TestHost::new();
        let error = host
            .deliver_request::<Notes>(&client(), "read 7")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "payload: there is no note 7; `note TEXT` adds one"
        );
    }

    #[test]
    fn an_answered_question_becomes_a_note() {
        let host = TestHost::new();
        host.answer(&oracle(), |question| {
            (question == b"why?").then(|| b"because".to_vec())
        });

        host.deliver::<Notes>(&client(), "ask acme/oracle/1 why?")
            .unwrap();
        assert_eq!(host.sent()[0].target, oracle());
        assert_eq!(host.deliver_callbacks::<Notes>().unwrap(), 1);

        assert_eq!(host.storage()["notes/1"], b"why? -> because");
    }

    #[test]
    fn an_unanswered_question_is_logged_and_forgotten() {
        let host = TestHost::new();
        host.load(&oracle());
        host.deliver::<Notes>(&client(), "ask acme/oracle/1 why?")
            .unwrap();

        host.advance(Duration::from_secs(6));
        assert_eq!(host.deliver_callbacks::<Notes>().unwrap(), 1);

        let last = host.logs().pop().unwrap();
        assert_eq!(
            (last.level, last.message.as_str()),
            (Level::Warn, "no answer in time")
        );
        assert!(host.storage().is_empty(), "{:?}", host.storage());
    }

    #[test]
    fn nearly_full_storage_is_degraded_and_says_why() {
        let host = TestHost::new();
        assert_eq!(Notes::health(), Health::Healthy);
        // 36 of 38 bytes: `notes/last` and `1`, `notes/1` and the text.
        host.set_quota(38);
        host.deliver::<Notes>(&client(), "note a note of 18 bytes")
            .unwrap();

        assert_eq!(Notes::health(), Health::Degraded);
        let last = host.logs().pop().unwrap();
        assert_eq!(last.level, Level::Warn);
        assert!(
            last.message.starts_with("degraded: storage is"),
            "{}",
            last.message
        );
    }

    #[test]
    fn unknown_commands_say_what_is_understood() {
        let host = TestHost::new();
        let error = host
            .deliver::<Notes>(&client(), "erase everything")
            .unwrap_err();
        assert!(
            error.to_string().contains("expected `note TEXT`"),
            "{error}"
        );
    }
}
