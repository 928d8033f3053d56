//! The SDK's example component (`examples/counter`) on the reference host:
//! what its native tests show against the SDK's in-memory host holds here,
//! through real message delivery, storage and logging.

use airssys_guests::COUNTER;

use crate::harness::{Harness, MESSAGING_PROBE, SETTLE, callbacks, request, send};

/// The payloads of the replies `client` got, in order.
fn answers(host: &Harness, client: &airssys_host::ComponentId) -> Vec<String> {
    callbacks(&host.inbox(client))
        .iter()
        .map(|r| String::from_utf8_lossy(&r.payload).into_owned())
        .collect()
}

#[test]
fn msg_5_the_example_counter_answers_requests_with_its_stored_count() {
    let host = Harness::new();
    let client = host.load(MESSAGING_PROBE, "test/client/0");
    let counter = host.load(COUNTER, "test/counter/0");

    host.ok(&client, send(&counter, b"increment visits"));
    host.ok(&client, request(&counter, b"increment visits", 5_000));
    host.ok(&client, request(&counter, b"get visits", 5_000));
    host.settle(SETTLE);

    assert_eq!(answers(&host, &client), ["2", "2"]);
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
        host.ok(&client, send(&theirs, b"increment visits"));
    }
    host.ok(&client, send(&ours, b"increment visits"));
    host.settle(SETTLE);

    host.ok(&client, send(&ours, b"merge visits test/counter/theirs"));
    host.settle(SETTLE);
    host.ok(&client, request(&ours, b"get visits", 5_000));
    host.settle(SETTLE);

    assert_eq!(answers(&host, &client), ["4"]);
}
