//! The SDK's `TestHost` answers as the reference host does: the storage
//! and messaging probes run natively on `TestHost` and as components on the
//! reference host, and the same generated calls, under the same grant and
//! quota, get the same replies, errors and reasons included (STO-1..9,
//! SEC-1, MSG-*). With two components on each host: two storage probes keep
//! their keys apart (STO-10), and a messaging probe's requests to another,
//! answered in time or late, cancelled or not, end in the same callbacks
//! (MSG-5, MSG-6, MSG-7).

use airssys_guest::testing::{Grants, TestHost};
use airssys_host::{Capabilities, HostConfig, LoadOptions};
use airssys_probe_protocol::{self as probe, Call, HostMessagingCall, StorageCall};
use proptest::prelude::*;
use storage_probe::StorageProbe;

use crate::harness::{Harness, STORAGE_PROBE};

/// `call` as the harness sends it to a probe on the reference host.
fn probe_call(call: &Call) -> airssys_guest::Message {
    let mut message = airssys_guest::Message::new(
        airssys_guest::ComponentId::new("airssys-test", "harness", "0"),
        probe::encode_call(call),
    );
    message.content_type = Some(probe::CALL_CONTENT_TYPE.into());
    message
}

/// Small, so that generated writes reach it (STO-9).
const QUOTA: u64 = 64;

/// Which storage capabilities both hosts grant (SEC-1.1).
#[derive(Debug, Clone, Copy)]
struct Grant {
    read: bool,
    write: bool,
    delete: bool,
}

impl Grant {
    fn capabilities(self) -> Capabilities {
        Capabilities {
            storage_read: self.read,
            storage_write: self.write,
            storage_delete: self.delete,
            ..Capabilities::default()
        }
    }

    fn grants(self) -> Grants {
        let mut grants = Grants::nothing();
        if self.read {
            grants = grants.storage_read();
        }
        if self.write {
            grants = grants.storage_write();
        }
        if self.delete {
            grants = grants.storage_delete();
        }
        grants
    }
}

fn grant() -> impl Strategy<Value = Grant> {
    any::<[bool; 3]>().prop_map(|[read, write, delete]| Grant {
        read,
        write,
        delete,
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[ab]{1,3}",
        1 => Just(String::new()),
        1 => Just("k".repeat(1025)),
    ]
}

fn call() -> impl Strategy<Value = Call> {
    let value = proptest::collection::vec(any::<u8>(), 0..40);
    prop_oneof![
        (key(), value).prop_map(|(key, value)| Call::Storage(StorageCall::Set { key, value })),
        key().prop_map(|key| Call::Storage(StorageCall::Get { key })),
        key().prop_map(|key| Call::Storage(StorageCall::Delete { key })),
        key().prop_map(|key| Call::Storage(StorageCall::Exists { key })),
        proptest::option::of("[ab]{0,2}")
            .prop_map(|prefix| Call::Storage(StorageCall::ListKeys { prefix })),
        Just(Call::Storage(StorageCall::Usage)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sto_and_sec_1_the_sdk_test_host_answers_storage_calls_as_the_reference_host(
        grant in grant(),
        calls in proptest::collection::vec(call(), 1..24),
    ) {
        let reference = Harness::with_config(HostConfig::default_with(|config| config.storage_quota_bytes = QUOTA));
        let probe_id = reference.load_with(
            STORAGE_PROBE,
            "test/probe/0",
            LoadOptions::granting(grant.capabilities()),
        );
        let native = TestHost::with_self_id(airssys_guest::ComponentId::new("test", "probe", "0"));
        native.set_quota(QUOTA).grant(grant.grants());
        for call in calls {
            let on_host = reference.call(&probe_id, call.clone());
            let reply = native
                .deliver_message::<StorageProbe>(probe_call(&call))
                .expect("the probe answers")
                .expect("with a reply");
            let natively = probe::decode_reply(&reply).expect("a probe reply");
            prop_assert_eq!(natively, on_host, "{:?} under {:?}", call, grant);
        }
    }
}

/// A messaging call in terms both hosts understand: targets by role, and a
/// cancel by the index of an earlier request (each host has its own ids).
/// Payloads over the message limit are left out: a probe call carrying more
/// than 1 MiB runs the probe's JSON decoding out of the component's memory
/// (`reasons::payload_too_large` is shared, and both hosts' own tests check it).
#[derive(Debug, Clone)]
enum Messaging {
    Send { to: Target },
    Request { to: Target, timeout_ms: u64 },
    Cancel { request: Option<usize> },
    Broadcast { to: Vec<Target> },
    SelfId,
}

#[derive(Debug, Clone, Copy)]
enum Target {
    /// Loaded on both hosts.
    Peer,
    /// Loaded on neither (MSG-4).
    Nobody,
    /// The probe itself: a component may message itself (MSG-2), and what
    /// it sends itself waits in its own queue (MSG-9).
    Myself,
}

impl Target {
    fn id(self) -> probe::ComponentId {
        let name = match self {
            Target::Peer => "peer",
            Target::Nobody => "nobody",
            Target::Myself => "probe",
        };
        probe::ComponentId {
            namespace: "test".into(),
            name: name.into(),
            instance: "0".into(),
        }
    }
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => Just(Target::Peer),
        1 => Just(Target::Nobody),
        1 => Just(Target::Myself),
    ]
}

fn messaging() -> impl Strategy<Value = Messaging> {
    let timeout = prop_oneof![
        Just(0),
        Just(1_000),
        Just(airssys_contract::limits::REQUEST_TIMEOUT_MS + 1)
    ];
    prop_oneof![
        target().prop_map(|to| Messaging::Send { to }),
        (target(), timeout).prop_map(|(to, timeout_ms)| Messaging::Request { to, timeout_ms }),
        proptest::option::of(0..4usize).prop_map(|request| Messaging::Cancel { request }),
        proptest::collection::vec(target(), 0..3).prop_map(|to| Messaging::Broadcast { to }),
        Just(Messaging::SelfId),
    ]
}

/// The probe call for one host, whose requests so far returned `issued`.
fn messaging_call(call: &Messaging, issued: &[String]) -> Call {
    let payload = b"ping".to_vec();
    match call {
        Messaging::Send { to } => Call::HostMessaging(HostMessagingCall::Send {
            target: to.id(),
            payload,
        }),
        Messaging::Request { to, timeout_ms } => Call::HostMessaging(HostMessagingCall::Request {
            target: to.id(),
            payload,
            timeout_ms: *timeout_ms,
        }),
        Messaging::Cancel { request } => Call::HostMessaging(HostMessagingCall::CancelRequest {
            request_id: request
                .and_then(|n| issued.get(n).cloned())
                .unwrap_or_else(|| "no-such-request".into()),
        }),
        Messaging::Broadcast { to } => Call::HostMessaging(HostMessagingCall::Broadcast {
            targets: to.iter().map(|t| t.id()).collect(),
            payload,
        }),
        Messaging::SelfId => Call::HostMessaging(HostMessagingCall::SelfId),
    }
}

/// A reply with this host's correlation ids written as `#n`, so that the
/// two hosts' replies compare; a new id is added to `issued`.
fn normalized(reply: probe::Reply, issued: &mut Vec<String>) -> String {
    if let Ok(probe::Returned::CorrelationId(id)) = &reply {
        issued.push(id.clone());
    }
    let mut shown = format!("{reply:?}");
    for (n, id) in issued.iter().enumerate() {
        shown = shown.replace(id.as_str(), &format!("#{n}"));
    }
    shown
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn msg_and_sec_1_the_sdk_test_host_answers_messaging_calls_as_the_reference_host(
        granted in any::<bool>(),
        calls in proptest::collection::vec(messaging(), 1..16),
    ) {
        let reference = Harness::new();
        let capabilities = if granted { Capabilities::all() } else { Capabilities::default() };
        let probe_id = reference.load_with(
            airssys_guests::MESSAGING_PROBE,
            "test/probe/0",
            LoadOptions::granting(capabilities),
        );
        reference.load(airssys_guests::MESSAGING_PROBE, "test/peer/0");
        let native = TestHost::with_self_id(airssys_guest::ComponentId::new("test", "probe", "0"));
        native
            .load(&airssys_guest::ComponentId::new("test", "peer", "0"))
            .grant(if granted { Grants::everything() } else { Grants::nothing() });
        let (mut on_host_ids, mut native_ids) = (Vec::new(), Vec::new());
        for call in calls {
            let on_host = reference.call(&probe_id, messaging_call(&call, &on_host_ids));
            let reply = native
                .deliver_message::<messaging_probe::MessagingProbe>(probe_call(
                    &messaging_call(&call, &native_ids),
                ))
                .expect("the probe answers")
                .expect("with a reply");
            let natively = probe::decode_reply(&reply).expect("a probe reply");
            prop_assert_eq!(
                normalized(natively, &mut native_ids),
                normalized(on_host, &mut on_host_ids),
                "{:?}, granted: {}",
                call,
                granted
            );
        }
    }
}

/// Which of two storage probes a call goes to (STO-10).
#[derive(Debug, Clone, Copy)]
enum Probe {
    /// The component under test natively.
    First,
    /// A peer loaded with `TestHost::load_component` natively.
    Second,
}

/// Few, so that generated writes reach the key limit (STO-9.1).
const MAX_KEYS: usize = 3;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Two instances of one component, each its own namespace: the same
    /// calls to either get the same replies on both hosts, key counts and
    /// quotas per component included.
    #[test]
    fn sto_10_two_storage_probes_keep_their_keys_apart_on_both_hosts(
        calls in proptest::collection::vec(
            (prop_oneof![Just(Probe::First), Just(Probe::Second)], call()),
            1..32,
        ),
    ) {
        let reference = Harness::with_config(HostConfig::default_with(|config| {
            config.storage_quota_bytes = QUOTA;
            config.max_keys = MAX_KEYS;
        }));
        let first = reference.load(STORAGE_PROBE, "test/probe/0");
        let second = reference.load(STORAGE_PROBE, "test/probe/1");
        let native = TestHost::with_self_id(airssys_guest::ComponentId::new("test", "probe", "0"));
        let peer = airssys_guest::ComponentId::new("test", "probe", "1");
        native
            .set_quota(QUOTA)
            .set_max_keys(MAX_KEYS)
            .load_component::<StorageProbe>(&peer);
        for (probe, call) in calls {
            let (on_host, reply) = match probe {
                Probe::First => (
                    reference.call(&first, call.clone()),
                    native.deliver_message::<StorageProbe>(probe_call(&call)),
                ),
                Probe::Second => (
                    reference.call(&second, call.clone()),
                    native.deliver_message_to(&peer, probe_call(&call)),
                ),
            };
            let reply = reply.expect("the probe answers").expect("with a reply");
            let natively = probe::decode_reply(&reply).expect("a probe reply");
            prop_assert_eq!(natively, on_host, "{:?} to {:?}", call, probe);
        }
    }
}

/// A step of the requester, `test/probe/0`, towards its peer `test/peer/0`
/// (both messaging probes), in terms both hosts understand.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// A request the peer answers (`re:` + payload) or not (`no-reply…`),
    /// with a deadline of 1 ms, which has passed when the dispatcher next
    /// runs (a late reply, MSG-6.2), or of a minute (a reply in time).
    Request { answered: bool, late: bool },
    /// `cancel-request` of the requester's `n`th request (MSG-7).
    Cancel { request: usize },
    /// Time passes (5 ms) and the dispatcher runs until nothing is left.
    Settle,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        // An unanswered request's deadline is short, so that settling never waits a minute.
        3 => prop_oneof![
            Just((true, false)),
            Just((true, true)),
            Just((false, true)),
        ]
        .prop_map(|(answered, late)| Step::Request { answered, late }),
        1 => (0..4usize).prop_map(|request| Step::Cancel { request }),
        2 => Just(Step::Settle),
    ]
}

/// What the requester or its peer received, with correlation ids as `#n`
/// (each host has its own) and no timestamp (each host has its own clock).
fn received(records: &[probe::Received], issued: &[String]) -> Vec<String> {
    records
        .iter()
        .map(|record| {
            let shown = format!(
                "{:?} from {} {:?} {:?} reply-to {:?} {:?}",
                record.through,
                record.sender,
                String::from_utf8_lossy(&record.payload),
                record.correlation_id,
                record.reply_to.as_ref().map(ToString::to_string),
                record.content_type,
            );
            issued.iter().enumerate().fold(shown, |shown, (n, id)| {
                shown.replace(&format!("\"{id}\""), &format!("#{n}"))
            })
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// MSG-5, MSG-6, MSG-7 with a real peer on both hosts: a request
    /// answered in time is the reply at the callback; one whose deadline
    /// passed before the dispatcher ran is delivered all the same, its
    /// reply dropped, and the timeout notice comes instead; a cancelled one
    /// gets no callback. Each call's reply, what the requester's
    /// `handle-callback` got and what the peer's `handle-message` got are
    /// the same on both hosts.
    #[test]
    fn msg_5_6_7_replies_in_time_and_late_reach_the_requester_as_on_the_reference_host(
        steps in proptest::collection::vec(step(), 1..10),
    ) {
        let reference = Harness::new();
        let requester = reference.load(airssys_guests::MESSAGING_PROBE, "test/probe/0");
        let peer = reference.load(airssys_guests::MESSAGING_PROBE, "test/peer/0");
        let native = TestHost::with_self_id(airssys_guest::ComponentId::new("test", "probe", "0"));
        native.load_component::<messaging_probe::MessagingProbe>(&airssys_guest::ComponentId::new("test", "peer", "0"));
        // Natively the two probes are one type in one process and share its
        // record of what arrived (the test host cannot part a component's
        // statics): what came before this case is left out, the requester's
        // part is what came through handle-callback and the peer's the rest.
        let inbox = || match native
            .deliver_message::<messaging_probe::MessagingProbe>(probe_call(&Call::Probe(probe::ProbeCall::Inbox)))
            .expect("the probe answers")
            .map(|reply| probe::decode_reply(&reply))
        {
            Some(Ok(Ok(probe::Returned::Inbox(received)))) => received,
            other => panic!("the native inbox: {other:?}"),
        };
        let earlier = inbox().len();
        let (mut on_host_ids, mut native_ids) = (Vec::new(), Vec::new());
        let settle_after = std::time::Duration::from_millis(5);
        for (n, step) in steps.iter().enumerate() {
            let call = |issued: &[String]| match *step {
                Step::Request { answered, late } => {
                    let mut payload = if answered { b"q".to_vec() } else { probe::NO_REPLY.to_vec() };
                    payload.extend(n.to_string().bytes());
                    Some(Call::HostMessaging(HostMessagingCall::Request {
                        target: Target::Peer.id(),
                        payload,
                        timeout_ms: if late { 1 } else { 60_000 },
                    }))
                }
                Step::Cancel { request } => Some(Call::HostMessaging(HostMessagingCall::CancelRequest {
                    request_id: issued.get(request).cloned().unwrap_or_else(|| "no-such-request".into()),
                })),
                Step::Settle => None,
            };
            match (call(&on_host_ids), call(&native_ids)) {
                (Some(on_host_call), Some(native_call)) => {
                    let on_host = reference.call(&requester, on_host_call);
                    let reply = native
                        .deliver_message::<messaging_probe::MessagingProbe>(probe_call(&native_call))
                        .expect("the probe answers")
                        .expect("with a reply");
                    let natively = probe::decode_reply(&reply).expect("a probe reply");
                    prop_assert_eq!(
                        normalized(natively, &mut native_ids),
                        normalized(on_host, &mut on_host_ids),
                        "step {} of {:?}", n, steps
                    );
                }
                _ => {
                    std::thread::sleep(settle_after);
                    reference.settle(crate::harness::SETTLE);
                    native.advance(settle_after);
                    native
                        .deliver_callbacks::<messaging_probe::MessagingProbe>()
                        .expect("the probe takes its callbacks");
                }
            }
        }
        std::thread::sleep(settle_after);
        reference.settle(crate::harness::SETTLE);
        native.advance(settle_after);
        native
            .deliver_callbacks::<messaging_probe::MessagingProbe>()
            .expect("the probe takes its callbacks");

        let natively = inbox().split_off(earlier);
        let (native_callbacks, native_messages): (Vec<_>, Vec<_>) = natively
            .into_iter()
            .partition(|r| r.through == probe::Through::HandleCallback);
        prop_assert_eq!(
            received(&native_callbacks, &native_ids),
            received(&reference.inbox(&requester), &on_host_ids),
            "the requester's callbacks after {:?}", steps
        );
        prop_assert_eq!(
            received(&native_messages, &native_ids),
            received(&reference.inbox(&peer), &on_host_ids),
            "what the peer got after {:?}", steps
        );
        prop_assert!(native.problems().is_empty(), "{:?}", native.problems());
    }
}
