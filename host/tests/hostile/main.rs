//! Hostile guests against the reference host at its default settings: each
//! attack floods the host with what it could be made to hold (docs/spec.md,
//! RES-1), and the host's peak memory during the attack stays under the
//! bound stated here. Linux only: the peak is read from `/proc/self/status`.
//!
//! The attacks run one at a time (one lock), so no other test's memory is
//! counted in a peak.

#![cfg(target_os = "linux")]

// The clause tests' harness; this binary uses part of it.
#[path = "../clauses/harness.rs"]
#[allow(dead_code, unused_imports)]
mod harness;

use std::sync::Mutex;

use airssys_host::{Capabilities, ComponentId, HostConfig, LoadOptions, RateLimits, TargetPattern};
use airssys_probe_protocol::{Attack, Call, ProbeCall, Returned};

use harness::{FAULT_PROBE, Harness, probe_id};

const MIB: u64 = 1024 * 1024;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Runs `attack` and returns its result and how far the process's resident
/// memory rose above where it started, at the highest.
fn peak_growth<R>(attack: impl FnOnce() -> R) -> (R, u64) {
    fixed_mmap_threshold();
    // Writing 5 resets the peak (VmHWM) to the current resident size.
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting the peak RSS");
    let before = status_kib("VmRSS:");
    let result = attack();
    let peak = status_kib("VmHWM:");
    (result, peak.saturating_sub(before) * 1024)
}

/// glibc raises its mmap threshold (up to 32 MiB) each time a large block is
/// freed, after which blocks of megabytes come from the heap and stay in the
/// process's resident memory once freed. An attack that ran after the 68 MiB
/// reply flood then measured 49 MiB for what holds 6. Fixing the threshold
/// keeps the adaptation off, so a peak counts what the host holds and its
/// transient copies, whatever ran before.
fn fixed_mmap_threshold() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: mallopt only changes the allocator's parameters.
        let set = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024) };
        assert_eq!(set, 1, "mallopt(M_MMAP_THRESHOLD) refused");
    });
}

fn flood(host: &Harness, attacker: &ComponentId, attack: Attack, count: u32) -> (u64, u64) {
    match host.ok(attacker, Call::Probe(ProbeCall::Flood { attack, count })) {
        Returned::Tally { ok, refused } => (ok, refused),
        other => panic!("a flood answers a tally, not {other:?}"),
    }
}

fn report(attack: &str, growth: u64, bound: u64) {
    eprintln!(
        "{attack}: peak host memory grew {:.1} MiB (bound {} MiB)",
        growth as f64 / MIB as f64,
        bound / MIB
    );
    assert!(
        growth < bound,
        "{attack}: the host's memory grew {growth} bytes, over the bound of {bound}"
    );
}

/// SEC-1.3: refusals are audited into a ring with cut texts. Before it was
/// bounded, each refusal kept its 1 MiB target id: 300 MiB here.
#[test]
fn refused_sends_to_huge_ids_do_not_grow_the_audit_log() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = Harness::new();
    let attacker = host.load_with(FAULT_PROBE, "hostile/attacker/1", LoadOptions::default());
    let ((ok, refused), growth) = peak_growth(|| {
        flood(
            &host,
            &attacker,
            Attack::RefusedSend {
                id_bytes: MIB as u32,
            },
            300,
        )
    });
    assert_eq!((ok, refused), (0, 300));
    let audit = host.runtime.host().audit_log();
    assert_eq!(audit.denials().len(), 300);
    report("300 refused sends to 1 MiB ids", growth, 32 * MIB);
}

/// SVC-1.1, SVC-1.2: log records are cut (message 16 KiB, context 4 KiB) and
/// the log buffer keeps the newest 1024. Unbounded, this flood held 375 MiB.
#[test]
fn a_log_flood_is_held_to_the_log_bounds() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = Harness::new();
    let attacker = host.load(FAULT_PROBE, "hostile/logger/1");
    let attack = Attack::Log {
        message_bytes: 64 * 1024,
        pairs: 64,
        pair_bytes: 1024,
    };
    let ((ok, _), growth) = peak_growth(|| flood(&host, &attacker, attack, 3000));
    assert_eq!(ok, 3000);
    assert_eq!(host.logs.records().len(), 1024);
    assert_eq!(host.logs.dropped(), 3000 - 1024);
    report(
        "3000 log records of 64 KiB + 64 KiB of context",
        growth,
        48 * MIB,
    );
}

/// SVC-1.1: a context pair counts for its overhead too, so `("", "")` pairs
/// are not free. Counting only key and value bytes, every record of this
/// flood kept all its 200,000 pairs: about 9 MiB each, 180 MiB for 20.
#[test]
fn empty_context_pairs_are_held_to_the_context_bound() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = Harness::new();
    let attacker = host.load(FAULT_PROBE, "hostile/empty-pairs/1");
    let attack = Attack::Log {
        message_bytes: 0,
        pairs: 200_000,
        pair_bytes: 0,
    };
    let ((ok, _), growth) = peak_growth(|| flood(&host, &attacker, attack, 20));
    assert_eq!(ok, 20);
    for record in host.logs.records() {
        assert!(
            record.context.len() <= 129,
            "{} pairs kept",
            record.context.len()
        );
    }
    report(
        "20 log records of 200,000 empty context pairs",
        growth,
        48 * MIB,
    );
}

/// STO-9.1: a component stores at most 65,536 keys, however short; the
/// quota alone let 200,000 empty-valued keys in.
#[test]
fn empty_valued_keys_stop_at_the_key_limit() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    // The write rate (RES-2) would stop this flood first; lifted, the key limit does.
    let host = Harness::with_config(HostConfig::default_with(|config| {
        config.rate_limits = RateLimits {
            storage_writes_per_second: u32::MAX,
            ..RateLimits::default()
        }
    }));
    let attacker = host.load(FAULT_PROBE, "hostile/hoarder/1");
    let (tally, growth) = peak_growth(|| flood(&host, &attacker, Attack::EmptyKeys, 200_000));
    assert_eq!(tally, (65_536, 200_000 - 65_536));
    report("200,000 empty-valued keys", growth, 32 * MIB);
}

/// MSG-9.3: replies queue for their caller within `max_queued_bytes`
/// (64 MiB). Before, 1024 pending requests answered with 1 MB each held
/// 1 GB of callbacks.
#[test]
fn replies_to_many_requests_are_held_to_the_queued_bytes() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = Harness::new();
    let replier = host.load(FAULT_PROBE, "hostile/replier/1");
    let asker = host.load_with(
        FAULT_PROBE,
        "hostile/asker/1",
        LoadOptions::granting(Capabilities {
            request: vec![TargetPattern::any()],
            ..Capabilities::default()
        }),
    );
    let attack = Attack::Request {
        target: probe_id(&replier),
        reply_bytes: 1_000_000,
    };
    let (report_of_dispatch, growth) = peak_growth(|| {
        assert_eq!(flood(&host, &asker, attack, 1024), (1024, 0));
        host.runtime.dispatch(std::time::Duration::from_secs(300))
    });
    let fit = (64 * MIB / 1_000_000) as usize;
    // Each reply that fits is one request and one callback delivered.
    assert_eq!(
        report_of_dispatch.delivered,
        2 * fit,
        "{report_of_dispatch:?}"
    );
    let dropped = report_of_dispatch.problems.len() + report_of_dispatch.problems_dropped;
    assert_eq!(dropped, 1024 - fit);
    assert!(
        report_of_dispatch.problems[0]
            .problem
            .contains("does not fit"),
        "{:?}",
        report_of_dispatch.problems[0]
    );
    report("1024 replies of 1 MB to one caller", growth, 128 * MIB);
}

/// SEC-2.4: one host call copies in at most `HostConfig::hostcall_bytes`
/// (11 MiB at the defaults), counted as wasmtime counts it: string bytes,
/// and the host's size of each list item (48 bytes for a pair of strings).
/// A `log` of 400,000 empty pairs asks the host to allocate 19 MB for them;
/// at wasmtime's default of 128 MiB the host copied them all and kept 128.
#[test]
fn a_call_that_copies_more_than_the_hostcall_bound_traps() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = Harness::new();
    let attacker = host.load(FAULT_PROBE, "hostile/copier/1");
    let attack = Attack::Log {
        message_bytes: 0,
        pairs: 400_000,
        pair_bytes: 0,
    };
    let (answer, growth) = peak_growth(|| {
        host.invoke(
            &attacker,
            &Call::Probe(ProbeCall::Flood { attack, count: 1 }),
        )
    });
    match answer {
        Err(airssys_host::runtime::CallError::Trapped { reason, .. }) => assert!(
            reason.contains("too much data is being copied between the host and the guest"),
            "{reason}"
        ),
        other => panic!("a call past the hostcall bound must trap, not answer {other:?}"),
    }
    assert!(host.logs.records().is_empty(), "nothing was logged");
    report("one log call of 400,000 empty pairs", growth, 24 * MIB);
}

/// SEC-2.4: the WASI handles a component holds are bounded by
/// `max_resource_handles` (4096). A start function that subscribes 100,000
/// clock pollables and never drops one held them all (wasmtime's table
/// allows 1,000,000); now the 4097th traps, and the load fails.
#[test]
fn wasi_handles_a_component_keeps_are_held_to_the_handle_bound() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let lifecycle = include_str!("../../../conformance/tests/guests/lifecycle.wat");
    let clock = "  (import \"wasi:clocks/monotonic-clock@0.2.6\" (instance (export \"now\" (func (result u64)))))\n";
    let hoarding = "  (import \"wasi:io/poll@0.2.6\" (instance $poll (export \"pollable\" (type (sub resource)))))\n  \
        (alias export $poll \"pollable\" (type $pollable))\n  \
        (import \"wasi:clocks/monotonic-clock@0.2.6\" (instance $clock\n    \
          (alias outer 1 $pollable (type $p))\n    \
          (export \"pollable\" (type $exported (eq $p)))\n    \
          (export \"now\" (func (result u64)))\n    \
          (export \"subscribe-duration\" (func (param \"when\" u64) (result (own $exported))))))\n  \
        (core func $subscribe (canon lower (func $clock \"subscribe-duration\")))\n  \
        (core module $hoard\n    \
          (import \"clock\" \"subscribe\" (func $subscribe (param i64) (result i32)))\n    \
          (func $start (local $n i32)\n      \
            (loop $again\n        \
              (drop (call $subscribe (i64.const 1000)))\n        \
              (local.set $n (i32.add (local.get $n) (i32.const 1)))\n        \
              (br_if $again (i32.lt_u (local.get $n) (i32.const 100000)))))\n    \
          (start $start))\n  \
        (core instance (instantiate $hoard (with \"clock\" (instance (export \"subscribe\" (func $subscribe))))))\n";
    assert!(
        lifecycle.contains(clock),
        "the fixture's clock import is not as expected"
    );
    let wat = lifecycle.replacen(clock, hoarding, 1);
    let host = Harness::new();
    let component = host
        .runtime
        .compile(wat::parse_str(&wat).expect("valid WAT"))
        .expect("compiles");
    let (loaded, growth) = peak_growth(|| {
        host.runtime.load(
            harness::id("hostile/hoarder/1"),
            &component,
            LoadOptions::default(),
        )
    });
    match loaded {
        Err(airssys_host::runtime::LoadError::Start { problem, .. }) => {
            assert!(problem.contains("trapped"), "{problem}")
        }
        Err(other) => panic!("expected the start function to trap, got {other}"),
        Ok(_) => panic!("100,000 pollables were held; the bound is 4096"),
    }
    report(
        "a start function that keeps 100,000 pollables",
        growth,
        8 * MIB,
    );
}

/// MSG-8, RES-2: a broadcast's target list is held to the host-call bound
/// (SEC-2.4) and counted against the message rate before anything is
/// queued: 100,000 targets is ten times the 10,000 deliveries a second a
/// component may ask for, so each such broadcast is refused whole.
#[test]
fn a_broadcast_to_a_hundred_thousand_targets_is_refused_at_the_rate() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let host = Harness::new();
    let attacker = host.load_with(
        FAULT_PROBE,
        "hostile/caster/1",
        LoadOptions::granting(Capabilities {
            broadcast: vec![TargetPattern::any()],
            ..Capabilities::default()
        }),
    );
    let attack = Attack::Broadcast {
        targets: 100_000,
        name_bytes: 8,
    };
    let ((ok, refused), growth) = peak_growth(|| flood(&host, &attacker, attack, 20));
    assert_eq!((ok, refused), (0, 20));
    let denials = host.runtime.host().audit_log().denials();
    assert_eq!(denials.len(), 20, "one rate refusal per broadcast");
    report("20 broadcasts to 100,000 targets each", growth, 40 * MIB);
}

/// A component run on an embedder's linker: `get-many` is a 1.1.0
/// function, which no probe built from `wit/` can call.
struct GetManyGuest {
    airssys: airssys_host::AirssysCtx,
}

impl airssys_host::AirssysView for GetManyGuest {
    fn airssys(&mut self) -> &mut airssys_host::AirssysCtx {
        &mut self.airssys
    }
}

/// STO-12, RES-1: a `get-many` answer is held to the storage quota. One
/// 5 MiB value asked for 1024 times (`max_get_many_keys`) would be a 5 GiB
/// answer; each such call is refused after one read of the value, and the
/// largest answer let through, the value twice (10 MiB, the quota), is
/// what the host holds at most, besides the guest's memory it lands in.
#[test]
fn a_get_many_asking_for_one_value_again_and_again_is_held_to_the_quota() {
    use airssys_host::bindings::airssys::core::errors::StorageError;
    use airssys_host::bindings::airssys::core::storage::Host as _;
    use wasmtime::component::{Component, Linker};

    type Answer = Result<Vec<Option<Vec<u8>>>, StorageError>;
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let config = HostConfig::default();
    let hostcall_bytes = config.hostcall_bytes();
    let host = std::sync::Arc::new(airssys_host::AirssysHost::new(config).unwrap());
    let airssys = airssys_host::AirssysCtx::new(
        host,
        harness::id("hostile/many/1"),
        Capabilities::storage(),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let engine = wasmtime::Engine::default();
    let mut linker = Linker::new(&engine);
    airssys_host::register_host_functions(&mut linker).unwrap();
    let component = Component::new(&engine, include_str!("../clauses/get_many.wat")).unwrap();
    let mut store = wasmtime::Store::new(&engine, GetManyGuest { airssys });
    // As the runtime bounds every store (SEC-2.4).
    store.set_hostcall_fuel(hostcall_bytes);
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let get_many = instance
        .get_typed_func::<(Vec<String>,), (Answer,)>(&mut store, "get-many")
        .unwrap();
    let value = vec![7u8; 5 * MIB as usize];
    store
        .data_mut()
        .airssys
        .set("k".into(), value.clone())
        .unwrap();
    let asked = |times: usize| vec!["k".to_string(); times];

    let ((refused, twice), growth) = peak_growth(|| {
        let refused = (0..20)
            .filter(|_| {
                let (answer,) = get_many.call(&mut store, (asked(1024),)).unwrap();
                matches!(answer, Err(StorageError::IoError(reason)) if reason.contains("storage_quota_bytes"))
            })
            .count();
        let (twice,) = get_many.call(&mut store, (asked(2),)).unwrap();
        (refused, twice)
    });
    assert_eq!(refused, 20, "every answer of 1024 copies is refused");
    assert_eq!(twice, Ok(vec![Some(value.clone()), Some(value)]));
    report(
        "20 get-many of one 5 MiB value 1024 times, then twice",
        growth,
        32 * MIB,
    );
}
