//! What the conformance suite cannot show of MSG-1..9: the reference host's
//! dispatcher API (MSG-2.1) and its own settings (a smaller queue). The
//! clauses themselves are checked by the suite (`cargo conformance
//! host-messaging`).

use std::time::Duration;

use airssys_host::{ComponentId, HostConfig};
use airssys_probe_protocol::{Call, HostMessagingCall};

use crate::harness::{
    FAULT_PROBE, Harness, MESSAGING_PROBE, SETTLE, callbacks, probe_id, request, send,
};

fn broadcast(targets: &[&ComponentId], payload: &[u8]) -> Call {
    Call::HostMessaging(HostMessagingCall::Broadcast {
        targets: targets.iter().map(|t| probe_id(t)).collect(),
        payload: payload.to_vec(),
    })
}

/// Two messaging probes, alice and bob.
fn pair() -> (Harness, ComponentId, ComponentId) {
    let host = Harness::new();
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    (host, alice, bob)
}

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
fn msg_9_full_queue_is_refused_until_drained() {
    let host = Harness::with_config(HostConfig::default_with(|config| config.queue_depth = 3));
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

#[test]
fn msg_5_3_pending_requests_per_caller_are_bounded() {
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.max_pending_requests = 2
    }));
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let carol = host.load(MESSAGING_PROBE, "test/carol/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    // Bob never answers these: they stay pending until their timeout.
    host.ok(&alice, request(&bob, b"no-reply 1", 60_000));
    host.ok(&alice, request(&bob, b"no-reply 2", 60_000));
    host.settle(Duration::from_millis(50));
    host.err(&alice, request(&bob, b"no-reply 3", 60_000), "queue-full");
    // The bound is the caller's: another component still may ask.
    host.ok(&carol, request(&bob, b"no-reply 4", 60_000));
}

#[test]
fn msg_9_2_a_reply_over_the_message_limit_is_dropped_and_the_request_times_out() {
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.max_message_bytes = 1000
    }));
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    // Bob echoes with a prefix: a request of exactly the limit gets a reply over it.
    host.ok(&alice, request(&bob, b"", 200).filled(b'r', 1000));
    let report = host.settle(SETTLE);
    assert_eq!(report.problems.len(), 1, "{report:?}");
    assert!(
        report.problems[0]
            .problem
            .contains("over the message limit of 1000 bytes"),
        "{report:?}"
    );
    let inbox = host.inbox(&alice);
    let answers = callbacks(&inbox);
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(
        answers[0].content_type.as_deref(),
        Some(airssys_host::messaging::router::TIMEOUT_CONTENT_TYPE)
    );
}

#[test]
fn dispatch_reports_hold_a_bounded_number_of_bounded_problems() {
    use airssys_host::runtime::DispatchReport;
    let (host, alice, _) = pair();
    // The fault probe answers every message that is not a probe call with `err`.
    let refuser = host.load(FAULT_PROBE, "test/refuser/1");
    let extra = 10;
    for _ in 0..DispatchReport::MAX_PROBLEMS + extra {
        host.ok(&alice, send(&refuser, b"not a probe call"));
    }
    let report = host.settle(SETTLE);
    assert_eq!(report.problems.len(), DispatchReport::MAX_PROBLEMS);
    assert_eq!(report.problems_dropped, extra);
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.problem.len() <= DispatchReport::PROBLEM_BYTES),
        "{:?}",
        report.problems[0]
    );
}

#[test]
fn an_observer_sees_each_delivery_with_its_outcome() {
    let (host, alice, bob) = pair();
    let refuser = host.load(FAULT_PROBE, "test/refuser/1");
    host.ok(&alice, send(&bob, b"hello"));
    host.ok(&alice, send(&refuser, b"not a probe call"));
    let mut seen = Vec::new();
    let report = host
        .runtime
        .run_until_idle_observed(SETTLE, &mut |delivered| {
            seen.push((
                delivered.target.to_string(),
                delivered.message.payload.clone(),
                delivered.outcome.is_ok(),
            ))
        });
    assert_eq!(report.delivered, 1);
    assert_eq!(
        seen,
        vec![
            ("test/bob/1".to_string(), b"hello".to_vec(), true),
            (
                "test/refuser/1".to_string(),
                b"not a probe call".to_vec(),
                false
            ),
        ]
    );
}
