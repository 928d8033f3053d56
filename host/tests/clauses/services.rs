//! SVC-1..6 through the services probe.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use airssys_host::runtime::CallError;
use airssys_host::{ComponentId, Limits, LoadOptions, LogLevel};
use airssys_probe_protocol::{Call, Health, Level, Returned};

use crate::harness::{Harness, REENTRY_PROBE, SERVICES_PROBE, STORAGE_PROBE, probe_id};

fn host_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap()
}

fn metadata(id: &ComponentId) -> Call {
    Call::GetComponentMetadata { id: probe_id(id) }
}

#[test]
fn svc_1_records_reach_the_sink_with_caller_level_message_and_context() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let context = vec![
        ("z".to_string(), "last-sorted, first given".to_string()),
        ("a".to_string(), "".to_string()),
        ("z".to_string(), "repeated key".to_string()),
    ];
    let levels = [
        (Level::Trace, LogLevel::Trace),
        (Level::Debug, LogLevel::Debug),
        (Level::Info, LogLevel::Info),
        (Level::Warn, LogLevel::Warn),
        (Level::Error, LogLevel::Error),
    ];
    for (level, _) in levels {
        host.ok(
            &probe,
            Call::Log {
                level,
                message: format!("at {level:?}"),
                context: Some(context.clone()),
            },
        );
    }
    host.ok(
        &probe,
        Call::Log {
            level: Level::Info,
            message: String::new(),
            context: None,
        },
    );
    let records = host.logs.records();
    assert_eq!(records.len(), 6);
    for (record, (level, expected)) in records.iter().zip(levels) {
        assert_eq!(record.component, probe);
        assert_eq!(record.level, expected);
        assert_eq!(record.message, format!("at {level:?}"));
        assert_eq!(record.context, context);
    }
    assert_eq!(records[5].message, "");
    assert!(records[5].context.is_empty());
}

#[test]
fn svc_1_huge_messages_are_cut_and_marked_without_trapping() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let huge = "ü".repeat(512 * 1024);
    host.ok(
        &probe,
        Call::Log {
            level: Level::Warn,
            message: huge.clone(),
            context: Some(vec![("k".into(), "v".repeat(100_000))]),
        },
    );
    let records = host.logs.records();
    assert_eq!(records.len(), 1);
    let kept = &records[0].message;
    assert!(kept.len() < huge.len());
    assert!(kept.starts_with("üü"));
    assert!(
        kept.contains("[cut: 1048576 bytes"),
        "{}",
        &kept[kept.len() - 60..]
    );
    // The component is still usable after the oversized record.
    host.ok(&probe, Call::CurrentTimeMillis);
}

#[test]
fn svc_2_current_time_is_utc_wall_clock() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let Returned::Time {
        seconds,
        nanoseconds,
    } = host.ok(&probe, Call::CurrentTime)
    else {
        panic!("current-time returned something else")
    };
    assert!(nanoseconds < 1_000_000_000);
    let guest = Duration::new(seconds, nanoseconds);
    assert!(
        host_now().abs_diff(guest) < Duration::from_secs(1),
        "{guest:?}"
    );
}

#[test]
fn svc_3_current_time_millis_agrees_with_current_time() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let Returned::Time {
        seconds,
        nanoseconds,
    } = host.ok(&probe, Call::CurrentTime)
    else {
        panic!("current-time returned something else")
    };
    let Returned::Millis(millis) = host.ok(&probe, Call::CurrentTimeMillis) else {
        panic!("current-time-millis returned something else")
    };
    let from_time = seconds * 1000 + u64::from(nanoseconds) / 1_000_000;
    assert!(millis.abs_diff(from_time) < 1000, "{millis} vs {from_time}");
    assert!(millis.abs_diff(host_now().as_millis() as u64) < 1000);
}

#[test]
fn svc_4_sleep_lasts_at_least_the_asked_time_and_not_much_more() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let asked = Duration::from_millis(100);
    // The clause allows 50 ms on an idle machine; the best of three runs
    // stands for the idle case on a busy test machine.
    let mut best_lateness = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        host.ok(&probe, Call::SleepMillis { duration_ms: 100 });
        let took = started.elapsed();
        assert!(took >= asked, "returned after {took:?}, asked {asked:?}");
        best_lateness = best_lateness.min(took - asked);
    }
    assert!(
        best_lateness < Duration::from_millis(50),
        "{best_lateness:?} late"
    );
}

#[test]
fn svc_4_sleep_past_the_budget_traps_instead_of_blocking() {
    let host = Harness::new();
    let limits = Limits {
        max_execution_time: Duration::from_millis(300),
        ..Limits::default()
    };
    let sleepy = host.load_with(
        SERVICES_PROBE,
        "test/sleepy/1",
        LoadOptions {
            limits: Some(limits),
            ..LoadOptions::default()
        },
    );
    let bystander = host.load(STORAGE_PROBE, "test/bystander/1");
    let started = Instant::now();
    let outcome = host.invoke(
        &sleepy,
        &Call::SleepMillis {
            duration_ms: 60_000,
        },
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "blocked the host"
    );
    match outcome {
        Err(CallError::Trapped { reason, .. }) => {
            assert!(reason.contains("remaining execution budget"), "{reason}")
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    host.ok(&bystander, Call::Usage);
}

#[test]
fn svc_5_list_components_lists_each_loaded_id_once_in_load_order() {
    let host = Harness::new();
    let first = host.load(SERVICES_PROBE, "test/first/1");
    let second = host.load(STORAGE_PROBE, "test/second/1");
    let third = host.load(SERVICES_PROBE, "test/third/1");
    let expected = Returned::Ids(vec![probe_id(&first), probe_id(&second), probe_id(&third)]);
    assert_eq!(host.ok(&third, Call::ListComponents), expected);
    assert_eq!(host.ok(&first, Call::ListComponents), expected);
    host.runtime.unload(&second).unwrap();
    assert_eq!(
        host.ok(&first, Call::ListComponents),
        Returned::Ids(vec![probe_id(&first), probe_id(&third)])
    );
}

#[test]
fn svc_6_metadata_reports_id_name_version_and_live_health() {
    let host = Harness::new();
    let asker = host.load(SERVICES_PROBE, "test/asker/1");
    let target = host.load(SERVICES_PROBE, "test/target/1");
    let info = |health: &str| Returned::Info {
        id: probe_id(&target),
        name: "services-probe".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        health: health.into(),
    };
    assert_eq!(host.ok(&asker, metadata(&target)), info("healthy"));
    for (set, name) in [
        (Health::Degraded, "degraded"),
        (Health::Unhealthy, "unhealthy"),
        (Health::Unknown, "unknown"),
    ] {
        host.ok(&target, Call::SetHealth { health: set });
        assert_eq!(host.ok(&asker, metadata(&target)), info(name));
    }
}

#[test]
fn svc_6_asking_about_oneself_reports_the_last_known_health() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/self/1");
    let Returned::Info { id, health, .. } = host.ok(&probe, metadata(&probe)) else {
        panic!("expected info")
    };
    assert_eq!(id, probe_id(&probe));
    assert_eq!(health, "healthy");
}

/// The host asks a component for its health at load and for
/// `get-component-metadata`; a `health` export that asks for its own
/// metadata re-enters the host while the host is asking. The host must not
/// hold a lock across the call: the component is busy, so the inner call
/// reports its last known health, and both calls return.
#[test]
fn svc_6_a_health_export_that_asks_for_its_own_metadata_does_not_deadlock() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let host = Harness::new();
        let probe = host.load(REENTRY_PROBE, "test/reentry/1");
        let asker = host.load(SERVICES_PROBE, "test/asker/1");
        let answer = host.ok(&asker, metadata(&probe));
        let _ = done.send(answer);
    });
    match finished.recv_timeout(Duration::from_secs(30)) {
        Ok(Returned::Info { health, .. }) => assert_eq!(health, "healthy"),
        Ok(other) => panic!("get-component-metadata returned {other:?}"),
        Err(_) => panic!(
            "loading or asking about a component whose health export re-enters the host \
             did not return within 30 s: the host deadlocks on its own lock"
        ),
    }
}

#[test]
fn svc_6_unknown_ids_are_invalid_state() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let ghost = crate::harness::id("test/ghost/1");
    let detail = host.err(&probe, metadata(&ghost), "invalid-state").unwrap();
    assert!(detail.contains("test/ghost/1"), "{detail}");
}
