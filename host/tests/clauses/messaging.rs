//! MSG-1..9 through messaging probes that send, request and record.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use airssys_host::messaging::router::TIMEOUT_CONTENT_TYPE;
use airssys_host::{ComponentId, HostConfig};
use airssys_probe_protocol::{Call, Returned, Through};

use crate::harness::{Harness, MESSAGING_PROBE, SETTLE, callbacks, id, probe_id, request, send};

fn broadcast(targets: &[&ComponentId], payload: &[u8]) -> Call {
    Call::Broadcast {
        targets: targets.iter().map(|t| probe_id(t)).collect(),
        payload: payload.to_vec(),
    }
}

fn correlation(returned: Returned) -> String {
    match returned {
        Returned::CorrelationId(id) => id,
        other => panic!("request returned {other:?}"),
    }
}

/// Two messaging probes, alice and bob.
fn pair() -> (Harness, ComponentId, ComponentId) {
    let host = Harness::new();
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    (host, alice, bob)
}

#[test]
fn msg_1_self_id_is_the_assigned_id() {
    let (host, alice, bob) = pair();
    assert_eq!(
        host.ok(&alice, Call::SelfId),
        Returned::Id(probe_id(&alice))
    );
    assert_eq!(host.ok(&bob, Call::SelfId), Returned::Id(probe_id(&bob)));
}

#[test]
fn msg_2_send_delivers_once_after_the_call_returns() {
    let (host, alice, bob) = pair();
    let payload = [0u8, 1, 2, 255, 254];
    assert_eq!(host.ok(&alice, send(&bob, &payload)), Returned::Unit);
    assert!(
        host.inbox(&bob).is_empty(),
        "delivered during the send call"
    );

    let report = host.settle(SETTLE);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let inbox = host.inbox(&bob);
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    let received = &inbox[0];
    assert_eq!(received.through, Through::HandleMessage);
    assert_eq!(received.sender, probe_id(&alice));
    assert_eq!(received.payload, payload);
    assert_eq!(received.correlation_id, None);
    assert_eq!(received.reply_to, None);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let stamped = Duration::new(received.timestamp_seconds, received.timestamp_nanoseconds);
    assert!(
        now.abs_diff(stamped) < Duration::from_secs(1),
        "{stamped:?} vs {now:?}"
    );
}

/// An embedder may ask for no limit at all; the deadline must not overflow.
#[test]
fn msg_2_dispatch_and_run_until_idle_take_any_limit() {
    let (host, alice, bob) = pair();
    host.ok(&alice, send(&bob, b"one"));
    let report = host.runtime.dispatch(Duration::MAX);
    assert_eq!(report.delivered, 1, "{report:?}");
    host.ok(&alice, send(&bob, b"two"));
    let report = host.runtime.run_until_idle(Duration::MAX);
    assert_eq!(report.delivered, 1, "{report:?}");
    assert_eq!(host.inbox(&bob).len(), 2);
}

#[test]
fn msg_2_sending_to_oneself_is_not_reentrant() {
    let (host, alice, _) = pair();
    host.ok(&alice, send(&alice, b"note to self"));
    assert!(host.inbox(&alice).is_empty());
    host.settle(SETTLE);
    let inbox = host.inbox(&alice);
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].sender, probe_id(&alice));
}

#[test]
fn msg_3_messages_arrive_in_the_order_sent() {
    let (host, alice, bob) = pair();
    let carol = host.load(MESSAGING_PROBE, "test/carol/1");
    for n in 0..40u8 {
        host.ok(&alice, send(&bob, &[n]));
        host.ok(&carol, send(&bob, &[100 + n]));
    }
    host.settle(SETTLE);
    let inbox = host.inbox(&bob);
    let from = |sender: &ComponentId| -> Vec<u8> {
        inbox
            .iter()
            .filter(|r| r.sender == probe_id(sender))
            .map(|r| r.payload[0])
            .collect()
    };
    assert_eq!(from(&alice), (0..40).collect::<Vec<u8>>());
    assert_eq!(from(&carol), (100..140).collect::<Vec<u8>>());
}

#[test]
fn msg_4_unloaded_targets_are_not_found_and_nothing_is_delivered() {
    let (host, alice, bob) = pair();
    let ghost = id("test/ghost/1");
    let rendered = Some("test/ghost/1".to_string());
    assert_eq!(
        host.err(&alice, send(&ghost, b"x"), "target-not-found"),
        rendered
    );
    assert_eq!(
        host.err(&alice, request(&ghost, b"x", 1000), "target-not-found"),
        rendered
    );
    assert_eq!(
        host.err(&alice, broadcast(&[&bob, &ghost], b"x"), "target-not-found"),
        rendered
    );
    let report = host.settle(SETTLE);
    assert_eq!(report.delivered, 0);
    assert!(host.inbox(&bob).is_empty());
}

#[test]
fn msg_5_request_reply_reaches_the_callers_callback() {
    let (host, alice, bob) = pair();
    let id = correlation(host.ok(&alice, request(&bob, b"ping", 5_000)));
    host.settle(SETTLE);

    let at_bob = host.inbox(&bob);
    assert_eq!(at_bob.len(), 1);
    assert_eq!(at_bob[0].correlation_id.as_deref(), Some(id.as_str()));
    assert_eq!(at_bob[0].reply_to, Some(probe_id(&alice)));
    assert_eq!(at_bob[0].payload, b"ping");

    let at_alice = host.inbox(&alice);
    let answers = callbacks(&at_alice);
    assert_eq!(answers.len(), 1, "{at_alice:?}");
    assert_eq!(answers[0].sender, probe_id(&bob));
    assert_eq!(answers[0].payload, b"re:ping");
    assert_eq!(answers[0].correlation_id.as_deref(), Some(id.as_str()));
    assert_eq!(answers[0].content_type, None);
}

#[test]
fn msg_5_correlation_ids_are_unique() {
    let (host, alice, bob) = pair();
    let mut seen = HashSet::new();
    for _ in 0..50 {
        let id = correlation(host.ok(&alice, request(&bob, b"q", 5_000)));
        assert!(seen.insert(id.clone()), "{id} issued twice");
        host.settle(SETTLE);
    }
    let other = host.load(MESSAGING_PROBE, "test/other/1");
    let id = correlation(host.ok(&other, request(&bob, b"q", 5_000)));
    assert!(seen.insert(id));
}

#[test]
fn msg_6_unanswered_request_times_out_with_one_callback() {
    let (host, alice, bob) = pair();
    let id = correlation(host.ok(&alice, request(&bob, b"no-reply please", 30)));
    let report = host.settle(SETTLE);
    assert_eq!(report.timeouts, 1);
    let at_alice = host.inbox(&alice);
    let notices = callbacks(&at_alice);
    assert_eq!(notices.len(), 1, "{at_alice:?}");
    assert!(notices[0].payload.is_empty());
    assert_eq!(notices[0].correlation_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        notices[0].content_type.as_deref(),
        Some(TIMEOUT_CONTENT_TYPE)
    );
}

#[test]
fn msg_6_a_reply_after_the_timeout_is_dropped() {
    let (host, alice, bob) = pair();
    let id = correlation(host.ok(&alice, request(&bob, b"late", 20)));
    // Bob only gets the request after the deadline; his reply must be dropped.
    std::thread::sleep(Duration::from_millis(60));
    host.settle(SETTLE);
    assert_eq!(host.inbox(&bob).len(), 1, "bob still receives the request");
    let at_alice = host.inbox(&alice);
    let notices = callbacks(&at_alice);
    assert_eq!(notices.len(), 1, "{at_alice:?}");
    assert_eq!(
        notices[0].content_type.as_deref(),
        Some(TIMEOUT_CONTENT_TYPE)
    );
    assert_eq!(notices[0].correlation_id.as_deref(), Some(id.as_str()));
}

#[test]
fn msg_6_zero_timeout_is_invalid() {
    let (host, alice, bob) = pair();
    host.err(&alice, request(&bob, b"x", 0), "invalid-message");
    host.settle(SETTLE);
    assert!(host.inbox(&bob).is_empty());
}

#[test]
fn msg_7_cancelled_request_never_calls_back() {
    let (host, alice, bob) = pair();
    let id = correlation(host.ok(&alice, request(&bob, b"ping", 5_000)));
    assert_eq!(
        host.ok(
            &alice,
            Call::CancelRequest {
                request_id: id.clone()
            }
        ),
        Returned::Unit
    );
    host.settle(SETTLE);
    assert!(callbacks(&host.inbox(&alice)).is_empty());
    // A cancelled request cannot be cancelled again.
    host.err(
        &alice,
        Call::CancelRequest { request_id: id },
        "invalid-message",
    );
}

#[test]
fn msg_7_unknown_or_foreign_ids_are_invalid() {
    let (host, alice, bob) = pair();
    host.err(
        &alice,
        Call::CancelRequest {
            request_id: "no-such-request".into(),
        },
        "invalid-message",
    );
    let alices = correlation(host.ok(&alice, request(&bob, b"no-reply", 5_000)));
    host.err(
        &bob,
        Call::CancelRequest {
            request_id: alices.clone(),
        },
        "invalid-message",
    );
    // Bob's attempt did not cancel it: alice still can.
    host.ok(&alice, Call::CancelRequest { request_id: alices });
}

#[test]
fn msg_7_timed_out_request_reports_correlation_timeout() {
    let (host, alice, bob) = pair();
    let id = correlation(host.ok(&alice, request(&bob, b"no-reply", 10)));
    host.settle(SETTLE);
    let detail = host.err(
        &alice,
        Call::CancelRequest {
            request_id: id.clone(),
        },
        "correlation-timeout",
    );
    assert_eq!(detail, Some(id));
}

#[test]
fn msg_8_broadcast_reaches_each_target_once() {
    let (host, alice, bob) = pair();
    let carol = host.load(MESSAGING_PROBE, "test/carol/1");
    host.ok(&alice, broadcast(&[&bob, &carol, &bob], b"all"));
    host.settle(SETTLE);
    for target in [&bob, &carol] {
        let inbox = host.inbox(target);
        assert_eq!(inbox.len(), 1, "{target}: {inbox:?}");
        assert_eq!(inbox[0].payload, b"all");
        assert_eq!(inbox[0].sender, probe_id(&alice));
    }
    assert!(host.inbox(&alice).is_empty());
}

#[test]
fn msg_8_empty_broadcast_is_ok_and_delivers_nothing() {
    let (host, alice, bob) = pair();
    assert_eq!(host.ok(&alice, broadcast(&[], b"none")), Returned::Unit);
    assert_eq!(host.settle(SETTLE).delivered, 0);
    assert!(host.inbox(&bob).is_empty());
}

#[test]
fn msg_9_oversized_payloads_are_invalid() {
    let host = Harness::with_config(HostConfig {
        max_message_bytes: 64,
        ..HostConfig::default()
    });
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    let big = [7u8; 65];
    for call in [
        send(&bob, &big),
        request(&bob, &big, 1000),
        broadcast(&[&bob], &big),
    ] {
        let detail = host.err(&alice, call, "invalid-message").unwrap();
        assert!(detail.contains("65 bytes; the limit is 64"), "{detail}");
    }
    host.ok(&alice, send(&bob, &[7u8; 64]));
    host.settle(SETTLE);
    assert_eq!(host.inbox(&bob).len(), 1);
}

#[test]
fn msg_9_default_message_limit_is_1_mib() {
    let (host, alice, bob) = pair();
    host.ok(&alice, send(&bob, &vec![1u8; 1024 * 1024]));
    host.err(
        &alice,
        send(&bob, &vec![1u8; 1024 * 1024 + 1]),
        "invalid-message",
    );
}

#[test]
fn msg_9_full_queue_is_refused_until_drained() {
    let host = Harness::with_config(HostConfig {
        queue_depth: 3,
        ..HostConfig::default()
    });
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    for n in 0..3u8 {
        host.ok(&alice, send(&bob, &[n]));
    }
    host.err(&alice, send(&bob, b"x"), "queue-full");
    host.err(&alice, request(&bob, b"x", 1000), "queue-full");
    host.err(&alice, broadcast(&[&bob], b"x"), "queue-full");
    host.settle(SETTLE);
    assert_eq!(host.inbox(&bob).len(), 3);
    host.ok(&alice, send(&bob, b"room again"));
}
