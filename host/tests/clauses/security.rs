//! SEC-1 (deny by default, audited) and SEC-2 (a misbehaving guest ends only its own call).

use std::time::{Duration, Instant};

use airssys_host::runtime::CallError;
use airssys_host::security::{AUDIT_TEXT_BYTES, Capability};
use airssys_host::{Capabilities, HostConfig, Limits, LoadOptions, RateLimits, TargetPattern};
use airssys_probe_protocol::{
    Call, HostMessagingCall, HostServicesCall, ProbeCall, Returned, StorageCall,
};

use crate::harness::{
    FAULT_PROBE, Harness, MESSAGING_PROBE, SERVICES_PROBE, STORAGE_PROBE, WASI_PROBE,
};
use crate::harness::{id, probe_id};

#[test]
fn sec_1_storage_is_denied_without_a_grant_and_audited() {
    let host = Harness::new();
    let probe = host.load_with(STORAGE_PROBE, "test/nogrant/1", LoadOptions::default());
    for call in [
        Call::get("k"),
        Call::set("k", b"v"),
        Call::delete("k"),
        Call::exists("k"),
        Call::Storage(StorageCall::ListKeys { prefix: None }),
        Call::Storage(StorageCall::Usage),
    ] {
        let detail = host.err(&probe, call, "io-error").unwrap();
        assert!(detail.contains("capability denied"), "{detail}");
    }
    let denials = host.runtime.host().audit_log().denials();
    assert_eq!(denials.len(), 6);
    assert!(denials.iter().all(|d| d.caller == probe));
    assert_eq!(denials[1].capability, Capability::StorageWrite);
}

/// A guest refused in a loop, with a target id it made huge, must not make
/// the host hold more than the capacity of short records.
#[test]
fn sec_1_the_audit_log_keeps_a_bounded_number_of_short_records() {
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.audit_log_capacity = 8
    }));
    let probe = host.load_with(MESSAGING_PROBE, "test/nogrant/1", LoadOptions::default());
    let huge = airssys_probe_protocol::ComponentId {
        namespace: "n".repeat(64 * 1024),
        name: "ghost".into(),
        instance: "1".into(),
    };
    for _ in 0..20 {
        let call = Call::HostMessaging(HostMessagingCall::Send {
            target: huge.clone(),
            payload: b"x".to_vec(),
        });
        host.err(&probe, call, "delivery-failed");
    }
    let audit = host.runtime.host().audit_log();
    let denials = audit.denials();
    assert_eq!((denials.len(), audit.dropped()), (8, 12));
    for denial in &denials {
        assert!(
            denial.reason.len() <= AUDIT_TEXT_BYTES,
            "{}",
            denial.reason.len()
        );
        assert!(
            denial.reason.contains("capability denied"),
            "{}",
            denial.reason
        );
        let target = denial.target.as_ref().unwrap();
        assert!(target.namespace.len() <= AUDIT_TEXT_BYTES / 4);
        assert!(target.namespace.ends_with('…'));
    }
}

#[test]
fn sec_1_a_read_only_grant_reads_but_cannot_write() {
    let host = Harness::new();
    let writer = host.load_with(
        STORAGE_PROBE,
        "test/shared/1",
        LoadOptions::granting(Capabilities::storage()),
    );
    host.ok(&writer, Call::set("k", b"v"));
    host.runtime.unload(&writer).unwrap();
    let reader = host.load_with(
        STORAGE_PROBE,
        "test/shared/1",
        LoadOptions::granting(Capabilities {
            storage_read: true,
            ..Capabilities::default()
        }),
    );
    assert_eq!(
        host.ok(&reader, Call::get("k")),
        Returned::Value(Some(b"v".to_vec()))
    );
    host.err(&reader, Call::set("k", b"changed"), "io-error");
    host.err(&reader, Call::delete("k"), "io-error");
    assert_eq!(
        host.ok(&reader, Call::get("k")),
        Returned::Value(Some(b"v".to_vec()))
    );
}

#[test]
fn sec_1_messaging_reaches_only_granted_targets() {
    let host = Harness::new();
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    let carol = host.load(MESSAGING_PROBE, "test/carol/1");
    let alice = host.load_with(
        MESSAGING_PROBE,
        "test/alice/1",
        LoadOptions::granting(Capabilities {
            send: vec![TargetPattern::parse("test/bob/*").unwrap()],
            ..Capabilities::default()
        }),
    );
    host.ok(
        &alice,
        Call::HostMessaging(HostMessagingCall::Send {
            target: probe_id(&bob),
            payload: b"allowed".to_vec(),
        }),
    );
    let denied = [
        Call::HostMessaging(HostMessagingCall::Send {
            target: probe_id(&carol),
            payload: b"x".to_vec(),
        }),
        Call::HostMessaging(HostMessagingCall::Request {
            target: probe_id(&bob),
            payload: b"x".to_vec(),
            timeout_ms: 100,
        }),
        Call::HostMessaging(HostMessagingCall::Broadcast {
            targets: vec![probe_id(&bob)],
            payload: b"x".to_vec(),
        }),
    ];
    for call in denied {
        let detail = host.err(&alice, call, "delivery-failed").unwrap();
        assert!(detail.contains("capability denied"), "{detail}");
    }
    host.settle(Duration::from_secs(5));
    assert_eq!(host.inbox(&bob).len(), 1);
    assert!(host.inbox(&carol).is_empty());
    let denials = host.runtime.host().audit_log().denials();
    assert_eq!(denials.len(), 3);
    assert_eq!(denials[0].target, Some(carol));
}

/// A fault probe with a short budget and little memory, beside healthy components.
fn faulty_neighbourhood() -> (
    Harness,
    airssys_host::ComponentId,
    airssys_host::ComponentId,
) {
    neighbourhood_of(FAULT_PROBE)
}

/// `guest` with a 300 ms budget and 32 MiB, beside a storage probe that
/// has committed a value.
fn neighbourhood_of(
    guest: &str,
) -> (
    Harness,
    airssys_host::ComponentId,
    airssys_host::ComponentId,
) {
    let host = Harness::new();
    let store = host.load(STORAGE_PROBE, "test/store/1");
    host.ok(&store, Call::set("committed", b"safe"));
    let limits = Limits {
        max_memory_bytes: 32 * 1024 * 1024,
        max_execution_time: Duration::from_millis(300),
        max_fuel: None,
    };
    let faulty = host.load_with(
        guest,
        "test/faulty/1",
        LoadOptions {
            limits: Some(limits),
            ..LoadOptions::default()
        },
    );
    (host, store, faulty)
}

fn assert_neighbours_unharmed(host: &Harness, store: &airssys_host::ComponentId) {
    assert_eq!(
        host.ok(store, Call::get("committed")),
        Returned::Value(Some(b"safe".to_vec()))
    );
    host.ok(store, Call::set("after", b"still works"));
}

fn expect_trap(host: &Harness, faulty: &airssys_host::ComponentId, call: Call) -> String {
    match host.invoke(faulty, &call) {
        Err(CallError::Trapped { reason, .. }) => reason,
        other => panic!("{call:?}: expected a trap, got {other:?}"),
    }
}

#[test]
fn sec_2_a_trap_ends_only_the_guests_own_call() {
    let (host, store, faulty) = faulty_neighbourhood();
    expect_trap(&host, &faulty, Call::Probe(ProbeCall::Trap));
    assert_neighbours_unharmed(&host, &store);
    match host.invoke(&faulty, &Call::Probe(ProbeCall::Trap)) {
        Err(CallError::Retired(retired)) => assert_eq!(retired, faulty),
        other => panic!("a trapped instance must not be entered again: {other:?}"),
    }
}

/// `call` runs past `guest`'s 300 ms budget: it must end at the budget,
/// with a trap that says so, and harm no neighbour.
fn ends_at_the_budget(guest: &str, call: Call) {
    let (host, store, faulty) = neighbourhood_of(guest);
    let started = Instant::now();
    let reason = expect_trap(&host, &faulty, call);
    let took = started.elapsed();
    assert!(reason.contains("execution budget of 300 ms"), "{reason}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert_neighbours_unharmed(&host, &store);
}

#[test]
fn sec_2_an_endless_loop_is_interrupted_at_the_budget() {
    ends_at_the_budget(FAULT_PROBE, Call::Probe(ProbeCall::Spin));
}

#[test]
fn sec_2_exhausting_memory_ends_the_call_at_the_limit() {
    let (host, store, faulty) = faulty_neighbourhood();
    expect_trap(&host, &faulty, Call::Probe(ProbeCall::Hog));
    assert_neighbours_unharmed(&host, &store);
}

#[test]
fn sec_2_a_trapped_component_reports_unhealthy() {
    let (host, _, faulty) = faulty_neighbourhood();
    let observer = host.load(SERVICES_PROBE, "test/observer/1");
    expect_trap(&host, &faulty, Call::Probe(ProbeCall::Trap));
    let Returned::Info { health, .. } = host.ok(
        &observer,
        Call::HostServices(HostServicesCall::GetComponentMetadata {
            id: probe_id(&faulty),
        }),
    ) else {
        panic!("expected info")
    };
    assert_eq!(health, "unhealthy");
    assert!(host.runtime.ids().contains(&id("test/faulty/1")));
}

#[test]
fn sec_2_fuel_limit_ends_the_call() {
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.fuel_metering = true
    }));
    let faulty = host.load_with(
        FAULT_PROBE,
        "test/faulty/1",
        LoadOptions {
            limits: Some(Limits {
                max_fuel: Some(1_000_000),
                ..Limits::default()
            }),
            ..LoadOptions::default()
        },
    );
    let reason = expect_trap(&host, &faulty, Call::Probe(ProbeCall::Spin));
    assert!(reason.contains("fuel"), "{reason}");
}

#[test]
fn sec_2_1_a_wasi_sleep_past_the_budget_ends_at_the_budget() {
    ends_at_the_budget(
        WASI_PROBE,
        Call::Probe(ProbeCall::WasiSleep { millis: 60_000 }),
    );
}

#[test]
fn sec_2_a_wasi_sleep_within_the_budget_sleeps_its_time() {
    let (host, _, faulty) = neighbourhood_of(WASI_PROBE);
    let started = Instant::now();
    host.ok(&faulty, Call::Probe(ProbeCall::WasiSleep { millis: 100 }));
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[test]
fn res_2_messages_past_the_rate_are_refused_and_audited() {
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.rate_limits = RateLimits {
            messages_per_second: 5,
            ..RateLimits::default()
        }
    }));
    let alice = host.load(MESSAGING_PROBE, "test/alice/1");
    let bob = host.load(MESSAGING_PROBE, "test/bob/1");
    let send = |payload: &[u8]| {
        Call::HostMessaging(HostMessagingCall::Send {
            target: probe_id(&bob),
            payload: payload.to_vec(),
        })
    };
    for _ in 0..5 {
        host.ok(&alice, send(b"within"));
    }
    let detail = host.err(&alice, send(b"over"), "delivery-failed").unwrap();
    assert!(
        detail.contains("rate limit: over 5 messages per second"),
        "{detail}"
    );
    // Another component's rate is its own.
    host.ok(
        &bob,
        Call::HostMessaging(HostMessagingCall::Send {
            target: probe_id(&alice),
            payload: b"bob's own".to_vec(),
        }),
    );
    let denials = host.runtime.host().audit_log().denials();
    assert_eq!(denials.len(), 1, "{denials:?}");
    assert_eq!(denials[0].target.as_ref(), Some(&bob));
}

#[test]
fn res_2_storage_writes_past_the_rate_are_refused_and_reads_go_on() {
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.rate_limits = RateLimits {
            storage_writes_per_second: 3,
            ..RateLimits::default()
        }
    }));
    let store = host.load(STORAGE_PROBE, "test/store/1");
    for n in 0..3 {
        host.ok(&store, Call::set(&format!("k{n}"), b"v"));
    }
    let detail = host.err(&store, Call::set("k3", b"v"), "io-error").unwrap();
    assert!(
        detail.contains("over 3 storage writes per second"),
        "{detail}"
    );
    host.err(&store, Call::delete("k0"), "io-error");
    assert_eq!(
        host.ok(&store, Call::get("k2")),
        Returned::Value(Some(b"v".to_vec()))
    );
}

#[derive(Default)]
struct AuditTrail(std::sync::Mutex<Vec<(String, bool)>>);

impl airssys_host::AuditSink for AuditTrail {
    fn record(&self, event: &airssys_host::AuditEvent<'_>) {
        let entry = (event.capability.name().to_string(), event.verdict.is_ok());
        self.0.lock().unwrap().push(entry);
    }
}

#[test]
fn sec_1_3_an_audit_sink_sees_every_grant_checked_call() {
    let trail = std::sync::Arc::new(AuditTrail::default());
    let host = Harness::with_setup(HostConfig::default(), |host| {
        host.with_audit_sink(trail.clone())
    });
    let reader = host.load_with(
        STORAGE_PROBE,
        "test/reader/1",
        LoadOptions::granting(Capabilities {
            storage_read: true,
            ..Capabilities::default()
        }),
    );
    host.ok(&reader, Call::get("k"));
    host.err(&reader, Call::set("k", b"v"), "io-error");
    assert_eq!(
        *trail.0.lock().unwrap(),
        vec![
            ("storage read".to_string(), true),
            ("storage write".to_string(), false)
        ]
    );
    let audit = host.runtime.host().audit_log();
    assert_eq!((audit.allowed(), audit.denials().len()), (1, 1));
}
