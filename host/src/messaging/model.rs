//! The router against a model over random send, request, cancel, delivery,
//! timeout, unload and reload sequences: every request settles at most once
//! (exactly once unless cancelled or its caller left), messages from one
//! sender to one target keep their order, and nothing sent to an id reaches
//! a later component loaded under it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::collection::vec;
use proptest::prelude::*;

use airssys_contract::reasons;

use super::router::{DeliveryKind, Router, TIMEOUT_CONTENT_TYPE};
use crate::bindings::airssys::core::errors::MessagingError;
use crate::bindings::airssys::core::types::{ComponentId, HealthStatus};
use crate::component_id::SharedId;
use crate::registry::{HealthSource, Registration, Registry};

const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Debug, Clone)]
enum Op {
    Send(usize, usize),
    /// A request that times out long after the sequence, or at once.
    Request(usize, usize, bool),
    /// Cancel the caller's n-th request (modulo how many it made).
    Cancel(usize, usize),
    /// Deliver the next queued delivery; a request is answered.
    Deliver,
    /// Time passes: every pending request times out.
    Expire,
    Unload(usize),
    Load(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..NAMES.len();
    prop_oneof![
        3 => (who.clone(), who.clone()).prop_map(|(f, t)| Op::Send(f, t)),
        3 => (who.clone(), who.clone(), any::<bool>()).prop_map(|(f, t, quick)| Op::Request(f, t, quick)),
        1 => (who.clone(), 0..4usize).prop_map(|(f, n)| Op::Cancel(f, n)),
        5 => Just(Op::Deliver),
        1 => Just(Op::Expire),
        1 => who.clone().prop_map(Op::Unload),
        1 => who.prop_map(Op::Load),
    ]
}

struct Quiet;

impl HealthSource for Quiet {
    fn current_health(&self) -> Option<HealthStatus> {
        None
    }
}

fn id(n: usize) -> SharedId {
    ComponentId::new("model", NAMES[n], "1").into()
}

fn registration(n: usize) -> Registration {
    Registration {
        id: id(n),
        handle: n as u64,
        name: NAMES[n].into(),
        version: "1".into(),
        health: Arc::new(Quiet),
        last_health: Arc::new(Mutex::new(HealthStatus::Unknown)),
    }
}

/// What the model knows of one request.
struct Request {
    caller: usize,
    /// The caller's load epoch when it asked: a later component under the
    /// same id must not get the callback.
    epoch: u32,
    cancelled: bool,
    callbacks: u32,
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let registry = Registry::default();
    let router = Router::new(&crate::HostConfig::default());
    let mut epoch = [0u32; 3];
    for n in 0..NAMES.len() {
        registry.insert(registration(n)).unwrap();
    }
    let mut sent = 0u64;
    let mut last_seen: HashMap<(usize, usize), u64> = HashMap::new();
    let mut requests: HashMap<String, Request> = HashMap::new();
    let mut made: HashMap<usize, Vec<String>> = HashMap::new();
    let index = |target: &ComponentId| NAMES.iter().position(|n| *n == target.name).unwrap();
    let mut deliver = |router: &Router,
                       requests: &mut HashMap<String, Request>,
                       epoch: &[u32; 3]|
     -> Result<bool, TestCaseError> {
        let Some(delivery) = router.next_delivery() else {
            return Ok(false);
        };
        let target = index(&delivery.target);
        let payload = &delivery.message.payload;
        match delivery.kind {
            DeliveryKind::Message | DeliveryKind::Request => {
                // payload: sender, target epoch at sending, sequence number.
                let (from, for_epoch) = (payload[0] as usize, u32::from(payload[1]));
                let seq = u64::from_le_bytes(payload[2..10].try_into().unwrap());
                prop_assert_eq!(
                    for_epoch,
                    epoch[target],
                    "delivered to a later component under {}",
                    NAMES[target]
                );
                let last = last_seen.insert((from, target), seq).unwrap_or(0);
                prop_assert!(
                    seq > last,
                    "{} → {} out of order: {} after {}",
                    NAMES[from],
                    NAMES[target],
                    seq,
                    last
                );
                if delivery.kind == DeliveryKind::Request {
                    let correlation = delivery.message.metadata.correlation_id.clone().unwrap();
                    router
                        .answer(&correlation, &delivery.target, b"reply".to_vec())
                        .expect("a 5-byte reply fits");
                }
            }
            DeliveryKind::Callback => {
                let correlation = delivery.message.metadata.correlation_id.clone().unwrap();
                let request = requests
                    .get_mut(&correlation)
                    .expect("a callback for a request made");
                request.callbacks += 1;
                prop_assert_eq!(request.caller, target);
                prop_assert_eq!(
                    request.epoch,
                    epoch[target],
                    "a callback reached a later component under {}",
                    NAMES[target]
                );
                prop_assert!(!request.cancelled, "a cancelled request called back");
                prop_assert_eq!(
                    request.callbacks,
                    1,
                    "request {} called back twice",
                    correlation
                );
                let timed_out =
                    delivery.message.metadata.content_type.as_deref() == Some(TIMEOUT_CONTENT_TYPE);
                prop_assert!(timed_out || payload == b"reply");
            }
        }
        Ok(true)
    };
    for op in ops {
        match *op {
            // Only a loaded component can call the host.
            Op::Send(from, _) | Op::Request(from, ..) | Op::Cancel(from, _)
                if !registry.contains(&id(from)) => {}
            Op::Send(from, to) | Op::Request(from, to, _) => {
                sent += 1;
                let mut payload = vec![from as u8, epoch[to] as u8];
                payload.extend(sent.to_le_bytes());
                let loaded = registry.contains(&id(to));
                let result = match *op {
                    Op::Request(_, _, quick) => {
                        let timeout = if quick {
                            Duration::from_millis(1)
                        } else {
                            Duration::from_secs(3600)
                        };
                        router
                            .request(&registry, &id(from), &id(to), payload, timeout)
                            .map(Some)
                    }
                    _ => router
                        .send(&registry, &id(from), &id(to), payload)
                        .map(|()| None),
                };
                prop_assert_eq!(result.is_ok(), loaded, "{:?}: {:?}", op, result);
                if let Ok(Some(correlation)) = result {
                    requests.insert(
                        correlation.clone(),
                        Request {
                            caller: from,
                            epoch: epoch[from],
                            cancelled: false,
                            callbacks: 0,
                        },
                    );
                    made.entry(from).or_default().push(correlation);
                }
            }
            Op::Cancel(from, n) => {
                let Some(list) = made.get(&from).filter(|l| !l.is_empty()) else {
                    continue;
                };
                let correlation = list[n % list.len()].clone();
                if router.cancel(&id(from), &correlation).is_ok() {
                    let request = &mut requests.get_mut(&correlation).unwrap();
                    prop_assert_eq!(request.callbacks, 0, "cancelled after its callback");
                    request.cancelled = true;
                }
            }
            Op::Deliver => {
                deliver(&router, &mut requests, &epoch)?;
            }
            Op::Expire => {
                router.expire(Instant::now() + Duration::from_secs(7200));
            }
            Op::Unload(n) => {
                if registry.remove(&id(n)).is_some() {
                    router.forget(&id(n));
                    made.remove(&n);
                }
            }
            Op::Load(n) => {
                if registry.insert(registration(n)).is_ok() {
                    epoch[n] += 1;
                }
            }
        }
    }
    // Everything settles: each request of a caller still loaded calls back once.
    router.expire(Instant::now() + Duration::from_secs(7200));
    while deliver(&router, &mut requests, &epoch)? {}
    router.expire(Instant::now() + Duration::from_secs(7200));
    while deliver(&router, &mut requests, &epoch)? {}
    for (correlation, request) in &requests {
        let still_there =
            request.epoch == epoch[request.caller] && registry.contains(&id(request.caller));
        if still_there && !request.cancelled {
            prop_assert_eq!(
                request.callbacks,
                1,
                "request {} settled {} times",
                correlation,
                request.callbacks
            );
        }
    }
    prop_assert_eq!(router.pending_requests(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_router_follows_the_model(ops in vec(op(), 1..60)) {
        run(&ops)?;
    }
}

/// MSG-7: the router keeps a request by its number; only the correlation id
/// it issued names it. The same number spelled otherwise (`01`, `+1`), under
/// another run's tag, or cut short, is "no pending request", and the request
/// stays pending for its own id.
#[test]
fn only_the_correlation_id_it_issued_names_a_request() {
    let registry = Registry::default();
    for n in 0..2 {
        registry.insert(registration(n)).unwrap();
    }
    let router = Router::new(&crate::HostConfig::default());
    let hour = Duration::from_secs(3600);
    let issued = router
        .request(&registry, &id(0), &id(1), vec![], hour)
        .unwrap();
    let (tag, number) = issued.rsplit_once('-').unwrap();
    let another_run = format!("{tag}0");
    for other in [
        format!("{tag}-0{number}"),
        format!("{tag}-+{number}"),
        format!("{another_run}-{number}"),
        format!("{tag}{number}"),
        format!("{tag}-"),
        number.to_owned(),
        String::new(),
    ] {
        let refused = router.cancel(&id(0), &other).unwrap_err();
        assert_eq!(
            refused,
            MessagingError::InvalidMessage(reasons::unknown_request(&other)),
            "{other:?}"
        );
    }
    assert_eq!(router.pending_requests(), 1);
    router.cancel(&id(0), &issued).unwrap();
    assert_eq!(router.pending_requests(), 0);
}

/// MSG-7.1's memory of settled requests is per caller: one that settles
/// thousands of requests cannot make another's answers degrade to "unknown".
#[test]
fn a_callers_settled_requests_are_not_pushed_out_by_another() {
    let registry = Registry::default();
    for n in 0..3 {
        registry.insert(registration(n)).unwrap();
    }
    let router = Router::new(&crate::HostConfig::default());
    let hour = Duration::from_secs(3600);
    let ask = |caller| {
        router
            .request(&registry, &id(caller), &id(2), vec![], hour)
            .unwrap()
    };
    let own = ask(0);
    router.cancel(&id(0), &own).unwrap();
    for _ in 0..2 * super::router::SETTLED_MEMORY {
        let other = ask(1);
        router.cancel(&id(1), &other).unwrap();
        router.next_delivery();
    }
    let again = router.cancel(&id(0), &own).unwrap_err();
    assert!(
        format!("{again:?}").contains("already cancelled"),
        "{again:?}"
    );
}

/// MSG-9.3: a delivery frees its bytes at once, not only when the target's
/// queue is empty again: a send while the queue drains finds the room.
#[test]
fn a_delivery_frees_its_bytes_while_others_stay_queued() {
    let registry = Registry::default();
    for n in 0..2 {
        registry.insert(registration(n)).unwrap();
    }
    let router = Router::new(&crate::HostConfig {
        max_message_bytes: 10,
        max_queued_bytes: 20,
        ..crate::HostConfig::default()
    });
    let send = |bytes: usize| router.send(&registry, &id(0), &id(1), vec![0; bytes]);
    send(10).unwrap();
    send(10).unwrap();
    assert!(send(1).is_err(), "20 of 20 bytes queued");
    router.next_delivery().unwrap();
    send(10).expect("the delivered 10 bytes are room again");
}
