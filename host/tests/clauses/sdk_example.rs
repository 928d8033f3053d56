//! The SDK's example component (`examples/counter`) on the reference host:
//! what its native tests show against the SDK's in-memory host holds here,
//! through real message delivery, storage and logging.

use std::time::Duration;

use airssys_guests::COUNTER;
use airssys_host::ComponentId;
use airssys_probe_protocol::{Call, Received, Through};

use crate::harness::{Harness, MESSAGING_PROBE, probe_id};

const SETTLE: Duration = Duration::from_secs(5);

fn send(target: &ComponentId, text: &str) -> Call {
    Call::Send {
        target: probe_id(target),
        payload: text.as_bytes().to_vec(),
    }
}

fn request(target: &ComponentId, text: &str) -> Call {
    Call::Request {
        target: probe_id(target),
        payload: text.as_bytes().to_vec(),
        timeout_ms: 5_000,
    }
}

fn answers(inbox: Vec<Received>) -> Vec<String> {
    inbox
        .into_iter()
        .filter(|r| r.through == Through::HandleCallback)
        .map(|r| String::from_utf8_lossy(&r.payload).into_owned())
        .collect()
}

#[test]
fn msg_5_the_example_counter_answers_requests_with_its_stored_count() {
    let host = Harness::new();
    let client = host.load(MESSAGING_PROBE, "test/client/0");
    let counter = host.load(COUNTER, "test/counter/0");

    host.ok(&client, send(&counter, "increment visits"));
    host.ok(&client, request(&counter, "increment visits"));
    host.ok(&client, request(&counter, "get visits"));
    host.settle(SETTLE);

    assert_eq!(answers(host.inbox(&client)), ["2", "2"]);
    let logged: Vec<String> = host.logs.records().into_iter().map(|r| r.message).collect();
    assert!(logged.contains(&"counted 2".to_owned()), "{logged:?}");
}

#[test]
fn msg_5_the_example_counter_merges_a_peers_count_through_a_request() {
    let host = Harness::new();
    let client = host.load(MESSAGING_PROBE, "test/client/0");
    let ours = host.load(COUNTER, "test/counter/ours");
    let theirs = host.load(COUNTER, "test/counter/theirs");
    for _ in 0..3 {
        host.ok(&client, send(&theirs, "increment visits"));
    }
    host.ok(&client, send(&ours, "increment visits"));
    host.settle(SETTLE);

    host.ok(&client, send(&ours, "merge visits test/counter/theirs"));
    host.settle(SETTLE);
    host.ok(&client, request(&ours, "get visits"));
    host.settle(SETTLE);

    assert_eq!(answers(host.inbox(&client)), ["4"]);
}
