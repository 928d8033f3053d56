//! MSG-1..9: messages, requests and broadcasts between loaded components.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use airssys_probe_protocol::{Call, HostMessagingCall, Received, Returned, Through};

use airssys_contract::HostMessagingFn::{self, Broadcast, CancelRequest, Request, SelfId, Send};
use airssys_contract::{HostFn, limits};

use super::wit_text::{Bytes, Wit as _, expect_eq};
use super::{ClauseCheck, Judge, Needs, Probe, Session, brief, gist, no_part, precondition_failed};
use crate::wire::ComponentId;

/// The `content-type` of a timeout notice (MSG-6).
pub const TIMEOUT_CONTENT_TYPE: &str = "application/vnd.airssys.timeout";
const MESSAGE_LIMIT: u64 = limits::MESSAGE_BYTES as u64;
const QUEUE_DEPTH: usize = limits::QUEUE_DEPTH;
const QUEUED_BYTES: u64 = limits::QUEUED_BYTES as u64;

pub(super) const CHECKS: &[ClauseCheck] = &[
    ClauseCheck {
        clause: "MSG-1",
        needs: Needs::Linker,
        uses: &[],
        judge: Judge::Messaging(msg_1),
    },
    ClauseCheck {
        clause: "MSG-2",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Messaging(msg_2),
    },
    ClauseCheck {
        clause: "MSG-3",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Messaging(msg_3),
    },
    ClauseCheck {
        clause: "MSG-4",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Messaging(msg_4),
    },
    ClauseCheck {
        clause: "MSG-5",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Messaging(msg_5),
    },
    ClauseCheck {
        clause: "MSG-6",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Messaging(msg_6),
    },
    ClauseCheck {
        clause: "MSG-7",
        needs: Needs::Runtime,
        uses: &[HostFn::Request],
        judge: Judge::Messaging(msg_7),
    },
    ClauseCheck {
        clause: "MSG-8",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Messaging(msg_8),
    },
    ClauseCheck {
        clause: "MSG-9",
        needs: Needs::Runtime,
        uses: &[HostFn::Send],
        judge: Judge::Messaging(msg_9),
    },
];

/// The same message through `function`, for the check of `clause`: `send`
/// and `request` to the last of `targets`, `broadcast` to all of them, in
/// order. A request waits 50 ms, so that an unanswered one soon settles.
fn through(
    clause: &str,
    function: HostMessagingFn,
    targets: &[&ComponentId],
    payload: &[u8],
) -> Call {
    match function {
        Send => Call::send(targets[targets.len() - 1], payload),
        Request => Call::request(targets[targets.len() - 1], payload, 50),
        Broadcast => Call::broadcast(targets, payload),
        CancelRequest | SelfId => no_part(clause, function),
    }
}

fn correlation(returned: Returned) -> String {
    match returned {
        Returned::CorrelationId(id) => id,
        other => panic!("request returned {other}, not a correlation id"),
    }
}

fn callbacks(inbox: &[Received]) -> Vec<&Received> {
    inbox
        .iter()
        .filter(|r| r.through == Through::HandleCallback)
        .collect()
}

/// Fills `target`'s queue with sends from `from`. A refused send fails a
/// trial of `send`, and is a failed precondition of any other.
fn fill_queue(
    session: &mut Session,
    from: &ComponentId,
    target: &ComponentId,
    judged: HostMessagingFn,
) {
    for n in 0..QUEUE_DEPTH {
        if let Err(error) = session.call(from, Call::send(target, &[])) {
            let why = format!("send {n} of {QUEUE_DEPTH} to an idle target failed: {error:?}");
            match judged {
                Send => panic!("{why}"),
                Request | Broadcast | CancelRequest | SelfId => precondition_failed(why),
            }
        }
    }
}

/// Queues `QUEUED_BYTES` for `target` with payloads of the message limit
/// from `from`, through the judged function itself: its trial then depends
/// on no other function's bytes (MSG-9.3).
fn fill_queue_bytes(
    session: &mut Session,
    from: &ComponentId,
    target: &ComponentId,
    judged: HostMessagingFn,
) {
    let calls = QUEUED_BYTES / MESSAGE_LIMIT;
    for n in 0..calls {
        let call = through("MSG-9.3", judged, &[target], b"").filled(7, MESSAGE_LIMIT);
        if let Err(error) = session.call(from, call) {
            panic!(
                "MSG-9.3: call {n} of {calls}, each of {MESSAGE_LIMIT} bytes, which add up to \
                 the queued-bytes limit, failed: {error:?}"
            );
        }
    }
}

/// Two messaging probes, alice and bob.
pub(super) fn pair(session: &mut Session) -> (ComponentId, ComponentId) {
    let alice = session.load(Probe::Messaging, "alice/1");
    let bob = session.load(Probe::Messaging, "bob/1");
    (alice, bob)
}

fn msg_1(session: &mut Session, _: HostMessagingFn) {
    let alice = session.load(Probe::Messaging, "alice/1");
    let bob = session.load(Probe::Messaging, "bob/7");
    expect_eq!(
        session.ok(&alice, Call::HostMessaging(HostMessagingCall::SelfId)),
        Returned::Id(alice.clone()),
        "self-id of alice"
    );
    expect_eq!(
        session.ok(&bob, Call::HostMessaging(HostMessagingCall::SelfId)),
        Returned::Id(bob.clone()),
        "self-id of bob"
    );
}

fn msg_2(session: &mut Session, _: HostMessagingFn) {
    let (alice, bob) = pair(session);
    let payload = [0u8, 1, 2, 255, 254];
    session.ok(&alice, Call::send(&bob, &payload));
    assert!(
        session.inbox(&bob).is_empty(),
        "delivered during the sending call; delivery must follow it"
    );
    session.settle();
    let inbox = session.inbox(&bob);
    expect_eq!(
        inbox.len(),
        1,
        "bob must receive exactly one message: {}",
        inbox.wit()
    );
    let received = &inbox[0];
    expect_eq!(
        received.through,
        Through::HandleMessage,
        "delivered through the wrong export"
    );
    expect_eq!(received.sender, alice, "sender");
    expect_eq!(Bytes(&received.payload), Bytes(&payload), "payload");
    expect_eq!(
        received.correlation_id,
        None,
        "correlation-id of a plain message"
    );
    expect_eq!(received.reply_to, None, "reply-to of a plain message");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let stamped = Duration::new(received.timestamp_seconds, received.timestamp_nanoseconds);
    assert!(
        now.abs_diff(stamped) < Duration::from_secs(1),
        "timestamp {stamped:?} is over 1 s from the host clock {now:?}"
    );
    session.ok(&alice, Call::send(&alice, b"to myself"));
    session.settle();
    expect_eq!(
        session.inbox(&alice).len(),
        1,
        "a message to oneself must arrive once"
    );
}

fn msg_3(session: &mut Session, _: HostMessagingFn) {
    let (alice, bob) = pair(session);
    let carol = session.load(Probe::Messaging, "carol/1");
    for n in 0..40u8 {
        session.ok(&alice, Call::send(&bob, &[n]));
        session.ok(&carol, Call::send(&bob, &[100 + n]));
    }
    session.settle();
    let inbox = session.inbox(&bob);
    let from = |sender: &ComponentId| -> Vec<u8> {
        inbox
            .iter()
            .filter(|r| &r.sender == sender)
            .filter_map(|r| r.payload.first().copied())
            .collect()
    };
    expect_eq!(
        from(&alice),
        (0..40).collect::<Vec<u8>>(),
        "order of alice's messages"
    );
    expect_eq!(
        from(&carol),
        (100..140).collect::<Vec<u8>>(),
        "order of carol's messages"
    );
}

fn msg_4(session: &mut Session, function: HostMessagingFn) {
    let (alice, bob) = pair(session);
    // A broadcast also names bob first, who is loaded: he must not get it
    // either, even from a host that sends target by target.
    let to = |target: &ComponentId| through("MSG-4", function, &[&bob, target], b"x");
    let ghost = session.id("ghost/1");
    let gone = session.load(Probe::Messaging, "gone/1");
    session.unload(&gone);
    for (target, what) in [(ghost, "never loaded"), (gone, "unloaded")] {
        let detail = session.err(&alice, to(&target), "target-not-found");
        expect_eq!(
            detail.as_deref(),
            Some(target.to_string().as_str()),
            "target-not-found must name the {what} target"
        );
    }
    session.settle();
    assert!(
        session.inbox(&bob).is_empty(),
        "something was delivered although a target is not loaded"
    );
    // MSG-4.2: a component loaded again under an unloaded id gets nothing
    // that was queued for its predecessor.
    let reloaded = session.load(Probe::Messaging, "reloaded/1");
    session.ok(&alice, through("MSG-4", function, &[&reloaded], b"old"));
    if function == Request {
        // A request it made, whose reply comes after it was unloaded.
        session.ok(&reloaded, Call::request(&bob, b"ask", 5_000));
    }
    session.unload(&reloaded);
    let reloaded = session.load(Probe::Messaging, "reloaded/1");
    session.settle();
    let inbox = session.inbox(&reloaded);
    assert!(
        inbox.is_empty(),
        "a component loaded again under an unloaded id received its predecessor's \
         messages (MSG-4.2): {}",
        inbox.wit()
    );
    // MSG-4.1: the payload is judged before the target, the target before
    // the queue.
    let ghost = session.id("ghost/1");
    let oversized = to(&ghost).filled(7, MESSAGE_LIMIT + 1);
    session.err(&alice, oversized, "invalid-message");
    if function == Broadcast {
        fill_queue(session, &alice, &bob, function);
        let detail = session.err(&alice, to(&ghost), "target-not-found");
        expect_eq!(
            detail.as_deref(),
            Some(ghost.to_string().as_str()),
            "a broadcast to a full target and one not loaded must fail for the one not \
             loaded (MSG-4.1: target before queue)"
        );
    }
}

fn msg_5(session: &mut Session, _: HostMessagingFn) {
    let (alice, bob) = pair(session);
    let id = correlation(session.ok(&alice, Call::request(&bob, b"ping", 5_000)));
    session.settle();
    let at_bob = session.inbox(&bob);
    expect_eq!(
        at_bob.len(),
        1,
        "bob must receive the request once: {}",
        at_bob.wit()
    );
    expect_eq!(
        at_bob[0].correlation_id.as_deref(),
        Some(id.as_str()),
        "correlation-id seen by the target"
    );
    expect_eq!(
        at_bob[0].reply_to.as_ref(),
        Some(&alice),
        "reply-to seen by the target"
    );
    let at_alice = session.inbox(&alice);
    let answers = callbacks(&at_alice);
    expect_eq!(
        answers.len(),
        1,
        "alice's handle-callback must run once: {}",
        at_alice.wit()
    );
    expect_eq!(answers[0].sender, bob, "sender of the reply");
    expect_eq!(
        Bytes(&answers[0].payload),
        Bytes(b"re:ping"),
        "payload of the reply"
    );
    expect_eq!(
        answers[0].correlation_id.as_deref(),
        Some(id.as_str()),
        "correlation-id of the reply"
    );
    let mut seen = HashSet::from([id]);
    for _ in 0..20 {
        let next = correlation(session.ok(&alice, Call::request(&bob, b"again", 5_000)));
        assert!(
            seen.insert(next.clone()),
            "correlation id {next} was issued twice"
        );
    }
    // MSG-5.3: a caller's pending requests are bounded; spread over two
    // targets, so that no target's queue fills first.
    let carol = session.load(Probe::Messaging, "carol/1");
    let dave = session.load(Probe::Messaging, "dave/1");
    let asker = session.load(Probe::Messaging, "asker/1");
    for n in 0..limits::PENDING_REQUESTS {
        let target = if n % 2 == 0 { &carol } else { &dave };
        match session.call(&asker, Call::request(target, b"no-reply", 60_000)) {
            Ok(_) => {}
            Err(error) => panic!(
                "request {n} of the {} pending requests a caller may have failed: {error:?}",
                limits::PENDING_REQUESTS
            ),
        }
    }
    session.err(
        &asker,
        Call::request(&bob, b"no-reply", 60_000),
        "queue-full",
    );
    session.ok(&alice, Call::request(&bob, b"another caller", 5_000));
}

fn msg_6(session: &mut Session, _: HostMessagingFn) {
    let (alice, bob) = pair(session);
    let id = correlation(session.ok(&alice, Call::request(&bob, b"no-reply please", 30)));
    session.settle();
    let at_alice = session.inbox(&alice);
    let notices = callbacks(&at_alice);
    expect_eq!(
        notices.len(),
        1,
        "an unanswered request must call back once: {}",
        at_alice.wit()
    );
    assert!(
        notices[0].payload.is_empty(),
        "the timeout notice must have an empty payload"
    );
    expect_eq!(
        notices[0].correlation_id.as_deref(),
        Some(id.as_str()),
        "correlation-id of the notice"
    );
    expect_eq!(
        notices[0].content_type.as_deref(),
        Some(TIMEOUT_CONTENT_TYPE),
        "content-type of the notice"
    );
    session.err(&alice, Call::request(&bob, b"x", 0), "invalid-message");
    // Bob only gets this request after its deadline: his reply is dropped,
    // and the timeout notice is alice's only callback for it.
    let late = correlation(session.ok(&alice, Call::request(&bob, b"late", 20)));
    std::thread::sleep(Duration::from_millis(60));
    session.settle();
    let at_bob = session.inbox(&bob);
    expect_eq!(
        at_bob.len(),
        2,
        "bob still receives a request whose deadline passed: {}",
        at_bob.wit()
    );
    let about_late: Vec<_> = callbacks(&session.inbox(&alice))
        .into_iter()
        .filter(|c| c.correlation_id.as_deref() == Some(late.as_str()))
        .cloned()
        .collect();
    expect_eq!(
        about_late.len(),
        1,
        "a reply after the timeout must be dropped, one callback in all: {}",
        about_late.wit()
    );
    expect_eq!(
        about_late[0].content_type.as_deref(),
        Some(TIMEOUT_CONTENT_TYPE),
        "the one callback of a late reply is the timeout notice"
    );
    // MSG-6.3: the longest timeout is accepted, one millisecond more is not.
    let longest = limits::REQUEST_TIMEOUT_MS;
    session.err(
        &alice,
        Call::request(&bob, b"x", longest + 1),
        "invalid-message",
    );
    // Left pending: the trial ends without delivering, and the next one
    // starts on a reset host.
    session.ok(&alice, Call::request(&bob, b"x", longest));
}

/// The id `request` returns must be the one its target is handed: when it
/// is not, cancelling by it says nothing of `cancel-request`, and the trial
/// stops naming `request`, whose own trials judge it. On a pair of probes
/// of its own, so that the trial's inboxes stay as they were.
fn request_ids_agree(session: &mut Session) {
    let caller = session.load(Probe::Messaging, "id-caller/1");
    let target = session.load(Probe::Messaging, "id-target/1");
    let asked = Call::request(&target, b"no-reply", 10);
    let returned = match session.invoke(&caller, &asked) {
        Ok(Ok(Returned::CorrelationId(id))) => id,
        other => precondition_failed(format!(
            "{} answered {}: `request` misbehaves (see its trials), so no request can be \
             cancelled",
            brief(&asked),
            match other {
                Ok(reply) => airssys_probe_protocol::wit_reply(&reply),
                Err(failure) => format!("a failed call: {}", gist(&failure)),
            }
        )),
    };
    session.settle();
    let handed: Vec<Option<String>> = session
        .inbox(&target)
        .into_iter()
        .filter(|r| r.through == Through::HandleMessage)
        .map(|r| r.correlation_id)
        .collect();
    if handed != [Some(returned.clone())] {
        precondition_failed(format!(
            "request returned the correlation id {}, and its target was handed {}: `request` \
             misbehaves (see its trials), so cancelling by the id it returned cannot judge \
             `cancel-request`",
            returned.wit(),
            handed.wit()
        ));
    }
}

fn msg_7(session: &mut Session, _: HostMessagingFn) {
    request_ids_agree(session);
    let (alice, bob) = pair(session);
    let cancel = |id: &str| {
        Call::HostMessaging(HostMessagingCall::CancelRequest {
            request_id: id.into(),
        })
    };
    let pending = correlation(session.ok(&alice, Call::request(&bob, b"ping", 5_000)));
    expect_eq!(
        session.ok(&alice, cancel(&pending)),
        Returned::Unit,
        "cancelling a pending request"
    );
    session.settle();
    assert!(
        callbacks(&session.inbox(&alice)).is_empty(),
        "a cancelled request called back"
    );
    session.err(&alice, cancel("no-such-request"), "invalid-message");
    // MSG-7.3: only the id `request` returned names the request; the same
    // number spelled otherwise, or the id with text after it, is unknown.
    let exact = correlation(session.ok(&alice, Call::request(&bob, b"no-reply", 5_000)));
    let mut others = vec![
        format!("{exact}x"),
        format!("{exact} "),
        format!(" {exact}"),
    ];
    if let Some((tag, n)) = exact.rsplit_once('-') {
        others.push(format!("{tag}-0{n}"));
        others.push(format!("{tag}-+{n}"));
    }
    for other in &others {
        if let Ok(Ok(_)) = session.invoke(&alice, &cancel(other)) {
            panic!(
                "cancel-request({other:?}) cancelled request {exact:?}: only the exact id names \
                 a request (MSG-7.3), not another spelling of it"
            );
        }
        session.err(&alice, cancel(other), "invalid-message");
    }
    expect_eq!(
        session.ok(&alice, cancel(&exact)),
        Returned::Unit,
        "the request other spellings of its id did not name is still pending"
    );
    let alices = correlation(session.ok(&alice, Call::request(&bob, b"no-reply", 5_000)));
    session.err(&bob, cancel(&alices), "invalid-message");
    session.ok(&alice, cancel(&alices));
    // Several requests settle in between: each still says how it ended.
    let timed_out: Vec<String> = (0..3)
        .map(|_| correlation(session.ok(&alice, Call::request(&bob, b"no-reply", 10))))
        .collect();
    session.settle();
    for id in &timed_out {
        // Only to its caller: to another component it is someone else's id.
        session.err(&bob, cancel(id), "invalid-message");
        let detail = session.err(&alice, cancel(id), "correlation-timeout");
        expect_eq!(
            detail.as_deref(),
            Some(id.as_str()),
            "correlation-timeout must carry the id"
        );
    }
    // MSG-7.1: answered and cancelled requests, with a reason saying so to
    // their caller, and nothing about them to another component.
    let answered = correlation(session.ok(&alice, Call::request(&bob, b"ping", 5_000)));
    session.settle();
    let again = correlation(session.ok(&alice, Call::request(&bob, b"no-reply", 5_000)));
    session.ok(&alice, cancel(&again));
    for (id, how) in [(&answered, "answered"), (&again, "cancelled")] {
        let reason = session
            .err(&alice, cancel(id), "invalid-message")
            .unwrap_or_default();
        assert!(
            reason.contains(how),
            "cancelling a request already {how} must say so; the reason is {reason:?}"
        );
        let to_bob = session
            .err(&bob, cancel(id), "invalid-message")
            .unwrap_or_default();
        assert!(
            !to_bob.contains(how),
            "another component learned that alice's request was {how}: {}",
            to_bob.wit()
        );
    }
}

fn msg_8(session: &mut Session, _: HostMessagingFn) {
    let (alice, bob) = pair(session);
    let carol = session.load(Probe::Messaging, "carol/1");
    session.ok(&alice, Call::broadcast(&[&bob, &carol, &bob], b"all"));
    session.ok(&alice, Call::broadcast(&[], b"none"));
    session.settle();
    for target in [&bob, &carol] {
        let inbox = session.inbox(target);
        expect_eq!(
            inbox.len(),
            1,
            "{} must receive the broadcast once: {}",
            target,
            inbox.wit()
        );
        expect_eq!(
            Bytes(&inbox[0].payload),
            Bytes(b"all"),
            "payload at {}",
            target
        );
    }
    assert!(
        session.inbox(&alice).is_empty(),
        "the sender received its own broadcast"
    );
}

fn msg_9(session: &mut Session, function: HostMessagingFn) {
    let (alice, bob) = pair(session);
    let oversized = through("MSG-9", function, &[&bob], b"").filled(7, MESSAGE_LIMIT + 1);
    session.err(&alice, oversized, "invalid-message");
    session.ok(&alice, Call::send(&bob, b"").filled(7, MESSAGE_LIMIT));
    session.settle();
    expect_eq!(
        session.inbox(&bob).len(),
        1,
        "a payload of exactly 1 MiB must be delivered"
    );
    fill_queue(session, &alice, &bob, function);
    session.err(
        &alice,
        through("MSG-9", function, &[&bob], b"one too many"),
        "queue-full",
    );
    session.settle();
    session.ok(&alice, through("MSG-9", function, &[&bob], b"room again"));
    session.settle();
    match function {
        Request => reply_over_the_limit(session, &alice, &bob),
        Send | Broadcast => {}
        CancelRequest | SelfId => no_part("MSG-9", function),
    }
    // MSG-9.3: the bytes queued for one target are bounded as well. Last,
    // so that the 64 MiB are never delivered: the next trial starts afresh.
    fill_queue_bytes(session, &alice, &bob, function);
    session.err(
        &alice,
        through("MSG-9.3", function, &[&bob], b"one byte too many"),
        "queue-full",
    );
}

/// MSG-9.2: bob echoes a request with a prefix, so a request of exactly the
/// limit gets a reply over it; that reply must not reach alice, and the
/// request times out instead.
fn reply_over_the_limit(session: &mut Session, alice: &ComponentId, bob: &ComponentId) {
    let before = callbacks(&session.inbox(alice)).len();
    let asked =
        correlation(session.ok(alice, Call::request(bob, b"", 100).filled(7, MESSAGE_LIMIT)));
    session.settle();
    let inbox = session.inbox(alice);
    let answers: Vec<_> = callbacks(&inbox)
        .into_iter()
        .skip(before)
        .filter(|r| r.correlation_id.as_deref() == Some(asked.as_str()))
        .collect();
    expect_eq!(
        answers.len(),
        1,
        "MSG-9.2: a request answered over the message limit must call back once, with its \
         timeout; got {}",
        answers.wit()
    );
    let callback = &answers[0];
    let what = match callback.content_type.as_deref() {
        None if callback.payload.len() <= MESSAGE_LIMIT as usize => format!(
            "a callback of {} bytes without a content-type, neither the over-long reply nor \
             the timeout notice",
            callback.payload.len()
        ),
        _ => format!(
            "a callback of {} bytes with content-type {}",
            callback.payload.len(),
            callback.content_type.wit()
        ),
    };
    expect_eq!(
        callback.content_type.as_deref(),
        Some(TIMEOUT_CONTENT_TYPE),
        "MSG-9.2: the callback of a request answered over the message limit must be the \
         timeout notice; it was {what}"
    );
}
