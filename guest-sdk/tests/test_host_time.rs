//! The test host's replies that take time on the test clock (MSG-5, MSG-6,
//! MSG-7), the scripts' view of a request, and the crafted callbacks.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use airssys_guest::testing::{Answer, TestHost};
use airssys_guest::{
    Component, ComponentId, Error, Message, MessagingError, TIMEOUT_CONTENT_TYPE, messaging,
    storage,
};

fn peer() -> ComponentId {
    ComponentId::new("acme", "peer", "0")
}

/// Keeps every callback it gets, in order, in storage under `callbacks`,
/// one line each: `<correlation-id> <sender> <content-type or -> <payload>`.
struct Recorder;

impl Component for Recorder {
    fn handle_message(_message: Message) -> Result<Option<Vec<u8>>, Error> {
        Ok(None)
    }

    fn handle_callback(message: Message) -> Result<(), Error> {
        let line = format!(
            "{} {} {} {}\n",
            message.correlation_id.as_deref().unwrap_or("-"),
            message.sender,
            message.content_type.as_deref().unwrap_or("-"),
            String::from_utf8_lossy(&message.payload),
        );
        let mut all = storage::get("callbacks")?.unwrap_or_default();
        all.extend_from_slice(line.as_bytes());
        storage::set("callbacks", all)?;
        Ok(())
    }
}

fn callbacks(host: &TestHost) -> Vec<String> {
    let all = host.storage().get("callbacks").cloned().unwrap_or_default();
    String::from_utf8(all)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn request(timeout: Duration) -> String {
    messaging::request(&peer(), "ping", timeout)
        .unwrap()
        .correlation_id()
        .to_owned()
}

/// The issue's case: a 500 ms timeout, a peer that answers after 2 s, the
/// clock moved 60 s. The reply is dropped; the notice comes instead.
#[test]
fn a_reply_due_after_the_deadline_is_dropped_and_the_timeout_notice_delivered() {
    let host = TestHost::new();
    host.answer_after(&peer(), Duration::from_secs(2), |_| Some(b"late".to_vec()));
    let id = request(Duration::from_millis(500));

    host.advance(Duration::from_secs(60));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 1);

    assert_eq!(
        callbacks(&host),
        [format!("{id} acme/peer/0 {TIMEOUT_CONTENT_TYPE} ")],
        "MSG-6: empty payload, the timeout content type, the same correlation id, from the target"
    );
    assert_eq!(
        messaging::cancel_request(&id),
        Err(MessagingError::CorrelationTimeout(id.clone()))
    );
    host.advance(Duration::from_secs(60));
    assert_eq!(
        host.deliver_callbacks::<Recorder>().unwrap(),
        0,
        "once only"
    );
}

#[test]
fn a_reply_due_before_the_deadline_arrives_when_the_clock_reaches_it() {
    let host = TestHost::new();
    host.answer_after(&peer(), Duration::from_millis(200), |request| {
        Some([b"re:", &request.payload[..]].concat())
    });
    let id = request(Duration::from_millis(500));

    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 0);
    host.advance(Duration::from_millis(199));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 0);
    host.advance(Duration::from_millis(1));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 1);
    assert_eq!(callbacks(&host), [format!("{id} acme/peer/0 - re:ping")]);

    host.advance(Duration::from_secs(1));
    assert_eq!(
        host.deliver_callbacks::<Recorder>().unwrap(),
        0,
        "an answered request does not time out"
    );
    assert_eq!(
        messaging::cancel_request(&id),
        Err(MessagingError::InvalidMessage(format!(
            "request `{id}` was already answered"
        )))
    );
}

/// Whatever the steps the clock takes, the request settles by its times:
/// a reply due before the deadline answers it even if the test looks only
/// after the deadline.
#[test]
fn a_reply_in_time_wins_even_when_callbacks_are_delivered_after_the_deadline() {
    let host = TestHost::new();
    host.answer_after(&peer(), Duration::from_millis(499), |_| {
        Some(b"just".to_vec())
    });
    let id = request(Duration::from_millis(500));
    host.advance(Duration::from_secs(10));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 1);
    assert_eq!(callbacks(&host), [format!("{id} acme/peer/0 - just")]);
}

/// The reference host times a request out when its deadline is reached
/// (`deadline <= now`): a reply at that very moment is late.
#[test]
fn a_reply_due_at_the_deadline_is_late() {
    let host = TestHost::new();
    host.answer_after(&peer(), Duration::from_millis(500), |_| Some(b"x".to_vec()));
    let id = request(Duration::from_millis(500));
    host.advance(Duration::from_millis(500));
    host.deliver_callbacks::<Recorder>().unwrap();
    assert_eq!(
        callbacks(&host),
        [format!("{id} acme/peer/0 {TIMEOUT_CONTENT_TYPE} ")]
    );
}

#[test]
fn callbacks_come_in_the_order_their_requests_settled() {
    let host = TestHost::new();
    host.answer_with(&peer(), |request| match &request.payload[..] {
        b"slow" => Answer::after(Duration::from_millis(300), "slow"),
        b"never" => Answer::none(),
        _ => Answer::after(Duration::from_millis(100), "quick"),
    });
    let slow = messaging::request(&peer(), "slow", Duration::from_secs(1)).unwrap();
    let never = messaging::request(&peer(), "never", Duration::from_millis(200)).unwrap();
    let quick = messaging::request(&peer(), "quick", Duration::from_secs(1)).unwrap();

    host.advance(Duration::from_secs(1));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 3);

    let order: Vec<String> = callbacks(&host)
        .iter()
        .map(|line| line.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        order,
        [
            quick.correlation_id(),
            never.correlation_id(),
            slow.correlation_id()
        ],
        "quick at 100 ms, never's timeout at 200 ms, slow at 300 ms"
    );
}

/// MSG-7: a delayed reply not yet arrived leaves the request pending;
/// cancelling it means no callback, ever, and a second cancel says so.
#[test]
fn a_pending_delayed_request_can_be_cancelled_and_gets_no_callback() {
    let host = TestHost::new();
    host.answer_after(&peer(), Duration::from_millis(200), |_| Some(b"x".to_vec()));
    let id = request(Duration::from_millis(500));
    host.advance(Duration::from_millis(100));

    messaging::cancel_request(&id).unwrap();
    host.advance(Duration::from_secs(1));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 0);
    assert_eq!(
        messaging::cancel_request(&id),
        Err(MessagingError::InvalidMessage(format!(
            "request `{id}` was already cancelled"
        )))
    );
}

/// A script sees the request as its target's `handle-message` would (MSG-5).
#[test]
fn a_script_sees_the_requester_the_correlation_id_and_the_content_type() {
    let me = ComponentId::new("acme", "me", "1");
    let host = TestHost::with_self_id(me.clone());
    let seen: Rc<RefCell<Vec<Message>>> = Rc::default();
    let log = seen.clone();
    host.answer_with(&peer(), move |request| {
        log.borrow_mut().push(request.clone());
        Answer::now(format!("to {}", request.sender))
    });

    let id = request(Duration::from_secs(1));
    let seen = seen.borrow();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].sender, me);
    assert_eq!(seen[0].reply_to.as_ref(), Some(&me));
    assert_eq!(seen[0].correlation_id.as_deref(), Some(id.as_str()));
    assert_eq!(seen[0].content_type, None, "request has no content type");
    assert_eq!(seen[0].payload, b"ping");
    assert!(seen[0].is_request());
    host.deliver_callbacks::<Recorder>().unwrap();
    assert_eq!(
        callbacks(&host),
        [format!("{id} acme/peer/0 - to acme/me/1")]
    );
}

#[test]
fn a_crafted_timeout_settles_the_request_as_a_host_timeout_would() {
    let host = TestHost::new();
    host.answer(&peer(), |_| Some(b"fast".to_vec()));
    let id = request(Duration::from_secs(1));

    host.deliver_timeout::<Recorder>(&id).unwrap();

    assert_eq!(
        callbacks(&host),
        [format!("{id} acme/peer/0 {TIMEOUT_CONTENT_TYPE} ")]
    );
    assert_eq!(
        messaging::cancel_request(&id),
        Err(MessagingError::CorrelationTimeout(id.clone()))
    );
    assert_eq!(
        host.deliver_callbacks::<Recorder>().unwrap(),
        0,
        "the script's reply is dropped"
    );
}

#[test]
fn a_crafted_reply_settles_the_request_as_answered() {
    let host = TestHost::new();
    host.load(&peer());
    let id = request(Duration::from_secs(1));

    host.deliver_reply::<Recorder>(&id, "crafted").unwrap();

    assert_eq!(callbacks(&host), [format!("{id} acme/peer/0 - crafted")]);
    host.advance(Duration::from_secs(2));
    assert_eq!(host.deliver_callbacks::<Recorder>().unwrap(), 0);
    assert!(matches!(
        messaging::cancel_request(&id),
        Err(MessagingError::InvalidMessage(why)) if why.contains("already answered")
    ));
}

#[test]
#[should_panic(expected = "`test-9` is not a pending request of the component under test")]
fn a_crafted_reply_for_an_unknown_request_says_how_to_send_any_callback() {
    let host = TestHost::new();
    let _ = host.deliver_reply::<Recorder>("test-9", "x");
}

/// MSG-9.2: a reply over the message limit does not answer the request.
#[test]
fn a_reply_over_the_message_limit_is_dropped_and_the_request_times_out() {
    let host = TestHost::new();
    host.answer(&peer(), |_| Some(vec![0; 1024 * 1024 + 1]));
    let id = request(Duration::from_millis(10));
    host.advance(Duration::from_millis(10));
    host.deliver_callbacks::<Recorder>().unwrap();
    assert_eq!(
        callbacks(&host),
        [format!("{id} acme/peer/0 {TIMEOUT_CONTENT_TYPE} ")]
    );
    assert!(
        host.problems()[0].contains("MSG-9.2"),
        "{:?}",
        host.problems()
    );
}

/// A component's statics outlive a `TestHost`; an id they kept from an
/// earlier host in the thread must not name a new request (MSG-5.1).
#[test]
fn a_new_host_issues_correlation_ids_no_earlier_host_in_the_thread_issued() {
    let host = TestHost::new();
    host.load(&peer());
    let first = request(Duration::from_secs(1));
    let host = TestHost::new();
    host.load(&peer());
    assert_ne!(request(Duration::from_secs(1)), first);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, failure_persistence: None, ..Default::default() })]

    /// Whatever the delay, the deadline and the steps the clock takes, a
    /// request gets exactly one callback: the reply if it is due before the
    /// deadline, else the timeout notice; and never before the clock has
    /// reached the moment it settles (MSG-5, MSG-6).
    #[test]
    fn a_request_settles_once_by_its_times_whatever_the_steps(
        delay_ms in 0u64..1_000,
        timeout_ms in 1u64..1_000,
        steps in proptest::collection::vec(0u64..400, 1..12),
    ) {
        let host = TestHost::new();
        host.answer_after(&peer(), Duration::from_millis(delay_ms), |_| Some(b"reply".to_vec()));
        let id = request(Duration::from_millis(timeout_ms));
        let in_time = delay_ms < timeout_ms;
        let settles_at = if in_time { delay_ms } else { timeout_ms };

        let mut elapsed = 0;
        for step in steps.into_iter().chain([1_000]) {
            host.advance(Duration::from_millis(step));
            elapsed += step;
            host.deliver_callbacks::<Recorder>().unwrap();
            let seen = callbacks(&host);
            proptest::prop_assert_eq!(seen.len(), usize::from(elapsed >= settles_at), "at {} ms", elapsed);
        }
        let expected = if in_time {
            format!("{id} acme/peer/0 - reply")
        } else {
            format!("{id} acme/peer/0 {TIMEOUT_CONTENT_TYPE} ")
        };
        proptest::prop_assert_eq!(callbacks(&host), [expected]);
    }
}
