//! What the conformance suite cannot show of SVC-1..6: the reference host's
//! refinements (the cut marker of SVC-1.1, the execution budget of its
//! `Limits`, SVC-6.1's last known health) and a guest that re-enters the
//! host from `health`. The clauses themselves are checked by the suite
//! (`cargo conformance host-services`).

use std::time::{Duration, Instant};

use airssys_host::runtime::CallError;
use airssys_host::{ComponentId, Limits, LoadOptions, LogLevel};
use airssys_probe_protocol::{Call, HostServicesCall, Level, ProbeCall, Returned, StorageCall};

use crate::harness::{Harness, REENTRY_PROBE, SERVICES_PROBE, STORAGE_PROBE, WASI_PROBE, probe_id};

fn metadata(id: &ComponentId) -> Call {
    Call::component_metadata(&probe_id(id))
}

#[test]
fn svc_1_huge_messages_are_cut_and_marked_without_trapping() {
    let host = Harness::new();
    let probe = host.load(SERVICES_PROBE, "test/services/1");
    let huge = "ü".repeat(512 * 1024);
    host.ok(
        &probe,
        Call::HostServices(HostServicesCall::Log {
            level: Level::Warn,
            message: huge.clone(),
            context: Some(vec![("k".into(), "v".repeat(100_000))]),
        }),
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
    assert_eq!(
        records[0].context,
        vec![("…".into(), "1 of 1 context pairs dropped".into())],
        "a 100 kB context value is past max_log_context_bytes"
    );
    // The component is still usable after the oversized record.
    host.ok(
        &probe,
        Call::HostServices(HostServicesCall::CurrentTimeMillis),
    );
}

#[test]
fn svc_1_3_guest_stdout_and_stderr_become_its_log_records_line_by_line() {
    let host = Harness::new();
    let printer = host.load(WASI_PROBE, "test/printer/1");
    host.ok(&printer, Call::Probe(ProbeCall::Print { lines: 2, len: 5 }));
    let records = host.logs.records();
    let streams: Vec<_> = records
        .iter()
        .map(|r| {
            (
                r.component.to_string(),
                r.level,
                r.message.as_str(),
                r.context[0].1.as_str(),
            )
        })
        .collect();
    let line = |level, stream| ("test/printer/1".to_string(), level, "xxxxx", stream);
    assert_eq!(
        streams,
        vec![
            line(LogLevel::Info, "stdout"),
            line(LogLevel::Info, "stdout"),
            line(LogLevel::Warn, "stderr"),
            line(LogLevel::Warn, "stderr"),
        ]
    );
}

#[test]
fn svc_1_3_an_endless_output_line_is_held_to_the_message_limit() {
    let host = Harness::new();
    let printer = host.load(WASI_PROBE, "test/printer/1");
    host.ok(
        &printer,
        Call::Probe(ProbeCall::Print {
            lines: 1,
            len: 4 * 1024 * 1024,
        }),
    );
    let records = host.logs.records();
    assert_eq!(records.len(), 2, "one stdout and one stderr line");
    for record in records {
        assert!(record.message.len() < 17 * 1024, "{}", record.message.len());
        assert!(
            record
                .message
                .ends_with("… [cut: 4194304 bytes, first 16384 kept]"),
            "{}",
            &record.message[16 * 1024..]
        );
    }
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
        &Call::HostServices(HostServicesCall::SleepMillis {
            duration_ms: 60_000,
        }),
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
    host.ok(&bystander, Call::Storage(StorageCall::Usage));
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
fn svc_6_exports_that_ask_for_their_own_metadata_do_not_deadlock() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let host = Harness::new();
        let probe = host.load(REENTRY_PROBE, "test/reentry/1");
        let asker = host.load(SERVICES_PROBE, "test/asker/1");
        let answer = host.ok(&asker, metadata(&probe));
        // `shutdown` re-enters as well.
        host.runtime.unload(&probe).unwrap();
        let _ = done.send(answer);
    });
    match finished.recv_timeout(Duration::from_secs(30)) {
        Ok(Returned::Info { health, .. }) => assert_eq!(health, "healthy"),
        Ok(other) => panic!("get-component-metadata returned {other:?}"),
        Err(_) => panic!(
            "loading, asking about or unloading a component whose metadata, initialize, \
             health and shutdown exports re-enter the host did not return within 30 s: \
             the host deadlocks on its own lock"
        ),
    }
}

#[test]
fn host_2_1_metadata_longer_than_the_host_keeps_is_refused_at_load() {
    let host = Harness::with_config(airssys_host::HostConfig::default_with(|config| {
        config.max_metadata_text_bytes = 5;
    }));
    let refused = host
        .try_load(SERVICES_PROBE, "test/wordy/1", LoadOptions::default())
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("its metadata name is 14 bytes long; the host keeps at most 5"),
        "{refused}"
    );
    assert!(host.runtime.ids().is_empty(), "nothing stays registered");
}

/// The conformance suite's base guest (`lifecycle.wat`) with a start
/// function in its core module: `function` is `$name body`.
fn lifecycle_starting_with(function: &str) -> Vec<u8> {
    let lifecycle = include_str!("../../../conformance/tests/guests/lifecycle.wat");
    let memory = "    (memory (export \"memory\") 1)\n";
    let name = function.split_whitespace().next().expect("a name");
    let started = lifecycle.replacen(
        memory,
        &format!("{memory}    (func {function})\n    (start {name})\n"),
        1,
    );
    assert_ne!(
        started, lifecycle,
        "the fixture has no memory line to add to"
    );
    wat::parse_str(&started).expect("valid WAT")
}

/// A core module whose `start` function loops (as a guest's static
/// constructor may): instantiation runs under the component's budget, so the
/// load ends with an error that says so instead of hanging the host.
#[test]
fn host_2_3_a_start_function_that_loops_ends_the_load_at_the_budget() {
    // A runtime of its own, on a thread of its own: before the fix the load
    // never returned, and the test must fail rather than hang with it.
    let runtime = std::sync::Arc::new(
        airssys_host::Runtime::new(airssys_host::HostConfig::default()).expect("runtime starts"),
    );
    let component = runtime
        .compile(lifecycle_starting_with("$spin (loop $again (br $again))"))
        .expect("compiles");
    let options = LoadOptions {
        limits: Some(Limits {
            max_execution_time: Duration::from_millis(300),
            ..Limits::default()
        }),
        ..LoadOptions::default()
    };
    let (done, outcome) = std::sync::mpsc::channel();
    let loader = runtime.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = loader.load(crate::harness::id("test/spinner/1"), &component, options);
        let _ = done.send((result.map(drop), started.elapsed()));
    });
    let (result, took) = outcome
        .recv_timeout(Duration::from_secs(20))
        .expect("the load must end, not hang in the start function");
    let refused = result.expect_err("a start function that loops must fail the load");
    assert!(
        refused
            .to_string()
            .contains("ran past its execution budget of 300 ms while it was instantiated"),
        "{refused}"
    );
    assert!(took < Duration::from_secs(3), "the load took {took:?}");
    assert!(runtime.ids().is_empty(), "nothing stays registered");
}

/// A start function that traps is the component's own defect, told apart
/// from a host that cannot instantiate it: the load fails as a start failure.
#[test]
fn host_2_3_a_start_function_that_traps_fails_the_load_as_its_own_defect() {
    let runtime = airssys_host::Runtime::new(airssys_host::HostConfig::default()).unwrap();
    let component = runtime
        .compile(lifecycle_starting_with("$constructor unreachable"))
        .expect("compiles");
    let refused = runtime
        .load(
            crate::harness::id("test/constructor/1"),
            &component,
            LoadOptions::default(),
        )
        .map(drop)
        .expect_err("a start function that traps must fail the load");
    assert!(
        matches!(refused, airssys_host::runtime::LoadError::Start { .. }),
        "{refused:?}"
    );
    assert!(
        refused.to_string().contains("start function trapped")
            && refused.to_string().contains("constructor"),
        "{refused}"
    );
    assert!(runtime.ids().is_empty(), "nothing stays registered");
}

/// A component whose `health` answers at load and spins from then on: asked
/// by another component, it runs for the health budget alone (SVC-6.2), so
/// the caller's call ends in time and the caller lives on.
#[test]
fn svc_6_2_a_slow_health_costs_the_asker_one_health_budget_not_its_call() {
    let host = crate::harness::Harness::new();
    let lifecycle = include_str!("../../../conformance/tests/guests/lifecycle.wat");
    let (from, to) = (
        "(func (export \"health\") (result i32) (i32.const 0))",
        "(global $asked (mut i32) (i32.const 0))\n    \
         (func (export \"health\") (result i32)\n      \
         (if (global.get $asked) (then (loop $spin (br $spin))))\n      \
         (global.set $asked (i32.const 1)) (i32.const 0))",
    );
    assert!(
        lifecycle.contains(from),
        "the fixture's health is not as expected"
    );
    let slow = lifecycle.replacen(from, to, 1);
    let component = host
        .runtime
        .compile(wat::parse_str(&slow).expect("valid WAT"))
        .expect("compiles");
    let target = crate::harness::id("test/slow-health/1");
    host.runtime
        .load(target.clone(), &component, LoadOptions::default())
        .expect("its health answers at load");
    let asker = host.load(SERVICES_PROBE, "test/asker/1");
    let started = Instant::now();
    let Returned::Info { health, .. } = host.ok(&asker, metadata(&target)) else {
        panic!("expected info")
    };
    let took = started.elapsed();
    assert_eq!(health, "unhealthy", "a health past its budget traps");
    assert!(
        took < Duration::from_secs(1),
        "asking took {took:?}: the target's health ran for more than the health budget"
    );
    // The asker's own call was not ended by the target's.
    host.ok(&asker, metadata(&asker));
}
