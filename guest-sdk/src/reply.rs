//! What `handle_message` answers a request with, from the types a reply is
//! usually made of: [`IntoReply`], with [`Message::reply`] and [`reply`].
//!
//! ```
//! use airssys_guest::{Component, Error, Message, storage};
//!
//! struct Visits;
//!
//! impl Component for Visits {
//!     fn handle_message(message: Message) -> Result<Option<Vec<u8>>, Error> {
//!         let count = storage::increment("visits", 1)?;
//!         // `2` as the text "2" to a request; nothing to a plain message.
//!         message.reply(count)
//!     }
//! }
//! # let host = airssys_guest::testing::TestHost::new();
//! # let client = airssys_guest::ComponentId::new("acme", "client", "0");
//! # assert_eq!(host.deliver::<Visits>(&client, "").unwrap(), None);
//! # assert_eq!(host.deliver_request::<Visits>(&client, "").unwrap().unwrap(), b"2");
//! ```

use std::borrow::Cow;

use crate::{Error, Message};

/// A value that can be a reply's payload. Text and bytes go as they are,
/// numbers and `bool` as their text (`42`, `true`, as
/// [`storage::get_as`](crate::storage::get_as) reads them), and with the
/// `json` feature [`Json`] as JSON.
pub trait IntoReply {
    /// The payload; only JSON that cannot be encoded fails.
    fn into_reply(self) -> Result<Vec<u8>, Error>;
}

/// `value` as the reply to a request: `return reply("pong");`. In a handler
/// that also gets plain messages, [`Message::reply`] answers requests only.
pub fn reply(value: impl IntoReply) -> Result<Option<Vec<u8>>, Error> {
    Ok(Some(value.into_reply()?))
}

impl Message {
    /// What `handle_message` returns to answer this message with `value`:
    /// the reply if it is a request, and `Ok(None)` for a plain message,
    /// which has no one to answer (MSG-5).
    pub fn reply(&self, value: impl IntoReply) -> Result<Option<Vec<u8>>, Error> {
        if self.is_request() {
            reply(value)
        } else {
            Ok(None)
        }
    }
}

impl IntoReply for Vec<u8> {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self)
    }
}

impl IntoReply for &[u8] {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.to_vec())
    }
}

impl<const N: usize> IntoReply for [u8; N] {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.to_vec())
    }
}

impl<const N: usize> IntoReply for &[u8; N] {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.to_vec())
    }
}

impl IntoReply for String {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.into_bytes())
    }
}

impl IntoReply for &str {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.as_bytes().to_vec())
    }
}

impl IntoReply for &String {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.as_bytes().to_vec())
    }
}

impl IntoReply for Cow<'_, str> {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(self.into_owned().into_bytes())
    }
}

/// Numbers and `bool` as their text, the form `str::parse` reads back.
macro_rules! reply_as_text {
    ($($type:ty),+) => {$(
        impl IntoReply for $type {
            fn into_reply(self) -> Result<Vec<u8>, Error> {
                Ok(self.to_string().into_bytes())
            }
        }
    )+};
}

reply_as_text!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64, bool
);

/// `T` as a JSON payload, for [`reply`], [`Message::reply`] and
/// [`IntoReply`]: `message.reply(Json(&status))`.
#[cfg(feature = "json")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Json<T>(pub T);

#[cfg(feature = "json")]
impl<T: serde::Serialize> IntoReply for Json<T> {
    fn into_reply(self) -> Result<Vec<u8>, Error> {
        Ok(serde_json::to_vec(&self.0)?)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ComponentId;
    use crate::testing::TestHost;

    fn plain(payload: Vec<u8>) -> Message {
        Message::new(ComponentId::new("acme", "client", "0"), payload)
    }

    fn request(payload: Vec<u8>) -> Message {
        let mut message = plain(payload);
        message.correlation_id = Some("7".into());
        message.reply_to = Some(message.sender.clone());
        message
    }

    /// What the requester's callback reads: the reply as a payload.
    fn as_received(value: impl IntoReply) -> Message {
        let _host = TestHost::new();
        let payload = request(vec![])
            .reply(value)
            .unwrap()
            .expect("a request is answered");
        plain(payload)
    }

    /// The reply's payload read back as text, as a requester would.
    fn text_of(value: impl IntoReply) -> String {
        as_received(value).text().unwrap().to_owned()
    }

    #[test]
    fn only_requests_are_answered() {
        let _host = TestHost::new();
        assert_eq!(plain(vec![]).reply("pong").unwrap(), None);
        assert_eq!(
            request(vec![]).reply("pong").unwrap(),
            Some(b"pong".to_vec())
        );
        assert_eq!(reply(7u8).unwrap(), Some(b"7".to_vec()));
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_that_cannot_be_encoded_is_an_error_not_a_reply() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let error = reply(Json(&map)).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("payload: not the expected JSON"),
            "{error}"
        );
    }

    proptest! {
        #[test]
        fn text_and_bytes_arrive_as_they_were(text in ".*", bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(text_of(text.as_str()), text.as_str());
            prop_assert_eq!(text_of(text.clone()), text.as_str());
            prop_assert_eq!(text_of(&text), text.as_str());
            prop_assert_eq!(text_of(Cow::Borrowed(text.as_str())), text.as_str());
            prop_assert_eq!(&as_received(bytes.clone()).payload, &bytes);
            prop_assert_eq!(&as_received(bytes.as_slice()).payload, &bytes);
        }

        #[test]
        fn numbers_and_bools_parse_back(a in any::<u64>(), b in any::<i128>(), c in any::<f64>(), d in any::<bool>()) {
            prop_assert_eq!(text_of(a).parse::<u64>().unwrap(), a);
            prop_assert_eq!(text_of(b).parse::<i128>().unwrap(), b);
            let back = text_of(c).parse::<f64>().unwrap();
            prop_assert!(back == c || (back.is_nan() && c.is_nan()), "{} came back as {}", c, back);
            prop_assert_eq!(text_of(d).parse::<bool>().unwrap(), d);
        }
    }

    #[cfg(feature = "json")]
    proptest! {
        #[test]
        fn json_decodes_to_the_value(pairs in proptest::collection::btree_map(".*", any::<i64>(), 0..8)) {
            prop_assert_eq!(as_received(Json(&pairs)).json::<std::collections::BTreeMap<String, i64>>().unwrap(), pairs);
        }
    }
}
