//! What a script answers a request with: a reply now, a reply after a
//! while on the test clock (a slow peer), or none (MSG-5.2).

use std::time::Duration;

/// A scripted peer's answer to one request, for [`TestHost::answer_with`].
///
/// A reply reaches the requester's `handle-callback` at the first
/// [`TestHost::deliver_callbacks`] once the test clock has reached it, if
/// it comes before the request's deadline. One that comes at or after the
/// deadline is dropped, and the timeout notice is delivered instead (MSG-6).
///
/// [`TestHost::answer_with`]: super::TestHost::answer_with
/// [`TestHost::deliver_callbacks`]: super::TestHost::deliver_callbacks
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub(crate) payload: Option<Vec<u8>>,
    pub(crate) delay: Duration,
}

impl Answer {
    /// `payload`, answered as soon as the request is made.
    pub fn now(payload: impl Into<Vec<u8>>) -> Self {
        Self::after(Duration::ZERO, payload)
    }

    /// `payload`, answered `delay` after the request was made, on the test
    /// clock: it arrives when [`TestHost::advance`](super::TestHost::advance)
    /// (or a sleep) has moved the clock that far.
    pub fn after(delay: Duration, payload: impl Into<Vec<u8>>) -> Self {
        Answer {
            payload: Some(payload.into()),
            delay,
        }
    }

    /// No answer: the request times out at its deadline (MSG-5.2, MSG-6).
    pub fn none() -> Self {
        Answer {
            payload: None,
            delay: Duration::ZERO,
        }
    }
}

impl From<Option<Vec<u8>>> for Answer {
    /// `Some(payload)` is [`Answer::now`], `None` is [`Answer::none`].
    fn from(payload: Option<Vec<u8>>) -> Self {
        payload.map_or_else(Answer::none, Answer::now)
    }
}
