//! What the conformance suite cannot show of MSG-1..9: the reference host's
//! dispatcher API (MSG-2.1) and its own settings (a smaller queue). The
//! clauses themselves are checked by the suite (`cargo conformance
//! host-messaging`).

use std::time::Duration;

use airssys_host::{ComponentId, HostConfig};
use airssys_probe_protocol::Call;

use crate::harness::{Harness, MESSAGING_PROBE, SETTLE, probe_id, request, send};

fn broadcast(targets: &[&ComponentId], payload: &[u8]) -> Call {
    Call::Broadcast {
        targets: targets.iter().map(|t| probe_id(t)).collect(),
        payload: payload.to_vec(),
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

#[test]
fn msg_5_3_pending_requests_per_caller_are_bounded() {
    let host = Harness::with_config(HostConfig {
        max_pending_requests: 2,
        ..HostConfig::default()
    });
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
