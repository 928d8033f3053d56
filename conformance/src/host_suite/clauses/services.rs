//! SVC-1..6: logging, clocks, sleep and the component registry.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use airssys_probe_protocol::{Call, Health, HostServicesCall, Level, ProbeCall, Returned};

use airssys_contract::log::CONTEXT_PAIR_OVERHEAD;
use airssys_contract::{HostServicesFn, limits};

use super::wit_text::{Wit as _, expect_eq};
use super::{ClauseCheck, Judge, Needs, Probe, Session, cut};
use crate::wire::{ComponentId, Grant, LogRecord};

pub(super) const CHECKS: &[ClauseCheck] = &[
    ClauseCheck {
        clause: "SVC-1",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Services(svc_1),
    },
    ClauseCheck {
        clause: "SVC-1.3",
        needs: Needs::Wasi { runtime: true },
        uses: &[],
        judge: Judge::Services(svc_1_3),
    },
    ClauseCheck {
        clause: "SVC-2",
        needs: Needs::Linker,
        uses: &[],
        judge: Judge::Services(svc_2),
    },
    ClauseCheck {
        clause: "SVC-3",
        needs: Needs::Linker,
        uses: &[],
        judge: Judge::Services(svc_3),
    },
    ClauseCheck {
        clause: "SVC-4",
        needs: Needs::Linker,
        uses: &[],
        judge: Judge::Services(svc_4),
    },
    ClauseCheck {
        clause: "SVC-4.2",
        needs: Needs::Wasi { runtime: false },
        uses: &[],
        judge: Judge::Services(svc_4_2),
    },
    ClauseCheck {
        clause: "SEC-2.1",
        // The budget is the runtime's to keep: on a host without one of its
        // own, the suite's stand-in runtime would be what is judged.
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Services(sec_2_1),
    },
    ClauseCheck {
        clause: "SVC-5",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Services(svc_5),
    },
    ClauseCheck {
        clause: "SVC-6",
        needs: Needs::Runtime,
        uses: &[],
        judge: Judge::Services(svc_6),
    },
];

fn host_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn svc_1(session: &mut Session, _: HostServicesFn) {
    let probe = session.load(Probe::Services, "services/1");
    let context = vec![
        ("z".to_string(), "first given".to_string()),
        ("a".to_string(), String::new()),
        ("z".to_string(), "repeated key".to_string()),
    ];
    let levels = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
    ];
    for level in levels {
        let message = format!("at {level:?}");
        session.ok(
            &probe,
            Call::HostServices(HostServicesCall::Log {
                level,
                message,
                context: Some(context.clone()),
            }),
        );
    }
    let huge = "ü".repeat(512 * 1024);
    session.ok(
        &probe,
        Call::HostServices(HostServicesCall::Log {
            level: Level::Info,
            message: huge.clone(),
            context: None,
        }),
    );
    // SVC-1.1: context is kept, in order, up to LOG_CONTEXT_BYTES of keys
    // and values, each pair counted with its overhead; the pairs after that
    // are dropped, and the drop is marked.
    let pair_bytes = 1000;
    let fitting = limits::LOG_CONTEXT_BYTES / (pair_bytes + 2 + CONTEXT_PAIR_OVERHEAD);
    let given = fitting + 3;
    let pairs: Vec<(String, String)> = (0..given)
        .map(|n| (format!("{n:02}"), "v".repeat(pair_bytes)))
        .collect();
    session.ok(
        &probe,
        Call::HostServices(HostServicesCall::Log {
            level: Level::Info,
            message: "with context".into(),
            context: Some(pairs.clone()),
        }),
    );
    let mine = records_of(session, &probe);
    expect_eq!(
        mine.len(),
        7,
        "the sink must get every record of the caller: five levels, a long message and \
         one with context; it got {}: {:?}",
        mine.len(),
        mine.iter().map(|r| cut(&r.message, 60)).collect::<Vec<_>>()
    );
    let mut expected_context = pairs[..fitting].to_vec();
    expected_context.push((
        "…".into(),
        format!("{} of {given} context pairs dropped", given - fitting),
    ));
    expect_eq!(
        mine[6].context,
        expected_context,
        "SVC-1.1: context past {} bytes must be dropped and the drop marked",
        limits::LOG_CONTEXT_BYTES
    );
    for (record, level) in mine.iter().zip(levels) {
        expect_eq!(record.level, format!("{level:?}").to_lowercase(), "level");
        expect_eq!(record.message, format!("at {level:?}"), "message");
        expect_eq!(record.context, context, "context pairs, in order");
    }
    let kept = &mine[5].message;
    assert!(kept.len() <= huge.len(), "a log message grew");
    assert!(kept.starts_with("üü"), "a cut message must keep its start");
    if kept.len() < huge.len() {
        assert!(
            !huge.starts_with(kept.as_str()),
            "a cut message must be marked as cut"
        );
    }
}

/// The component's stdout and stderr lines are its log records.
fn svc_1_3(session: &mut Session, _: HostServicesFn) {
    let probe = session.load(Probe::Wasi, "printer/1");
    session.ok(&probe, Call::Probe(ProbeCall::Print { lines: 1, len: 5 }));
    let mine = records_of(session, &probe);
    expect_eq!(
        mine.len(),
        2,
        "the sink must get a record for the line on the component's stdout and one for its \
         stderr; it got {}: {:?}",
        mine.len(),
        mine.iter().map(|r| cut(&r.message, 60)).collect::<Vec<_>>()
    );
    for (record, (level, stream)) in mine.iter().zip([("info", "stdout"), ("warn", "stderr")]) {
        expect_eq!(
            (
                record.level.as_str(),
                record.message.as_str(),
                &record.context[..]
            ),
            (
                level,
                "xxxxx",
                &[("stream".to_string(), stream.to_string())][..]
            ),
            "a line on the component's {stream}"
        );
    }
}

/// The records of `probe` the host's log sink got, oldest first.
fn records_of(session: &mut Session, probe: &ComponentId) -> Vec<LogRecord> {
    let mine = probe.clone();
    session
        .logs()
        .into_iter()
        .filter(|r| r.component == mine)
        .collect()
}

/// `current-time` as (seconds, nanoseconds).
fn current_time(session: &mut Session, probe: &ComponentId) -> (u64, u32) {
    match session.ok(probe, Call::HostServices(HostServicesCall::CurrentTime)) {
        Returned::Time {
            seconds,
            nanoseconds,
        } => (seconds, nanoseconds),
        other => panic!("current-time returned {other}"),
    }
}

fn svc_2(session: &mut Session, _: HostServicesFn) {
    let probe = session.load(Probe::Services, "services/1");
    let (seconds, nanoseconds) = current_time(session, &probe);
    let answer = Returned::Time {
        seconds,
        nanoseconds,
    };
    assert!(
        nanoseconds < 1_000_000_000,
        "current-time() = {answer}: nanoseconds must be under 1_000_000_000"
    );
    let guest = Duration::new(seconds, nanoseconds);
    let host = host_now();
    assert!(
        host.abs_diff(guest) < Duration::from_secs(1),
        "current-time() = {answer}, {:.3} s from the host's UTC clock ({{seconds: {}, \
         nanoseconds: {}}}); at most 1 s is allowed",
        host.abs_diff(guest).as_secs_f64(),
        host.as_secs(),
        host.subsec_nanos()
    );
}

/// Judged against `current-time` when that is itself right (SVC-2), and
/// against the host clock always, so a wrong `current-time` is reported by
/// its own trial only.
fn svc_3(session: &mut Session, _: HostServicesFn) {
    /// How far the host's clock may be from the suite's: the same machine's.
    const SLACK_MS: u64 = 50;
    let probe = session.load(Probe::Services, "services/1");
    // Three calls, so that a value off by a fraction of a second shows.
    for _ in 0..3 {
        let before = host_now().as_millis() as u64;
        let Returned::Millis(millis) = session.ok(
            &probe,
            Call::HostServices(HostServicesCall::CurrentTimeMillis),
        ) else {
            panic!("current-time-millis returned something else")
        };
        let after = host_now().as_millis() as u64;
        assert!(
            before.saturating_sub(SLACK_MS) <= millis && millis <= after + SLACK_MS,
            "current-time-millis() = {millis}, outside the host clock's {before}..={after} ms \
             (± {SLACK_MS} ms)"
        );
    }
}

fn svc_4(session: &mut Session, _: HostServicesFn) {
    let probe = session.load(Probe::Services, "services/1");
    let asked = Duration::from_millis(100);
    // "Under 50 ms late on an idle machine": the best of three stands for idle.
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        session.ok(
            &probe,
            Call::HostServices(HostServicesCall::SleepMillis { duration_ms: 100 }),
        );
        let took = started.elapsed();
        assert!(
            took >= asked,
            "sleep-millis(100) returned after {took:?}, before the 100 ms it was asked for"
        );
        best = best.min(took - asked);
    }
    assert!(
        best < Duration::from_millis(50),
        "sleep-millis(100) was at best {best:?} late"
    );
    let started = Instant::now();
    let outcome = session.invoke(
        &probe,
        &Call::HostServices(HostServicesCall::SleepMillis {
            duration_ms: u64::MAX,
        }),
    );
    let took = started.elapsed();
    assert!(
        outcome.is_err(),
        "sleep-millis(u64::MAX) must trap, it returned {}",
        shown(&outcome)
    );
    assert!(
        took < Duration::from_secs(60),
        "sleep-millis(u64::MAX) blocked for {took:?} before trapping"
    );
}

/// The execution budget SVC-4.2 and SEC-2.1 load their probe with, and how
/// long past it the trap may come.
const BUDGET: Duration = Duration::from_millis(300);
const MARGIN: Duration = Duration::from_millis(1500);

/// `outcome` of a call that `took` so long is the trap of [`BUDGET`]: not a
/// return, not a panic, not before the budget, and within [`MARGIN`] of it.
/// `what` names the call in the verdicts.
fn trapped_at_the_budget(
    outcome: Result<airssys_probe_protocol::Reply, String>,
    took: Duration,
    what: &str,
) {
    assert!(
        outcome.is_err(),
        "{what} must end with a trap at the execution budget; it returned {} after {took:?}",
        shown(&outcome)
    );
    let why = outcome.unwrap_err();
    // A panic of the host is not the budget's trap, however long it took.
    assert!(
        !why.contains("the adapter panicked"),
        "{what} made the host panic instead of ending at the budget: {}",
        super::gist(&why)
    );
    let why = trap_cause(&why);
    assert!(
        took + Duration::from_millis(20) >= BUDGET,
        "{what} trapped after {took:?}, before its budget of {BUDGET:?} had passed: {why}"
    );
    assert!(
        took < BUDGET + MARGIN,
        "{what} trapped after {took:?}, not within {MARGIN:?} of the asked budget of \
         {BUDGET:?} (`load`'s `budget_ms`): the host keeps its own budget instead of the \
         component's `max-execution-time`: {why}"
    );
}

/// Sleeping through WASI instead (`std::thread::sleep`: a clock pollable and
/// a blocking poll) is held to the same budget: the trap comes once the
/// asked budget has passed, within a margin far below the contract's default
/// budget (5 s), so a host that ignores the asked budget fails. A host that
/// blocks for the hour is stopped by the trial's timeout.
fn svc_4_2(session: &mut Session, _: HostServicesFn) {
    let sleeper = session.load_with_budget(
        Probe::Wasi,
        "wasi-sleeper/1",
        Grant::Everything,
        Some(BUDGET),
    );
    let started = Instant::now();
    let sleep = Call::Probe(ProbeCall::WasiSleep { millis: 3_600_000 });
    let outcome = session.invoke(&sleeper, &sleep);
    trapped_at_the_budget(outcome, started.elapsed(), "a WASI sleep of an hour");
}

/// A call that loops, calling nothing, ends with a trap at the component's
/// execution budget, as a sleep does (SVC-4.1), and the host goes on. The
/// suite waits the budget and the margin: a host that cannot interrupt guest
/// code fails here as timed out, and its adapter is stopped, instead of
/// holding the trial for its whole time limit.
fn sec_2_1(session: &mut Session, _: HostServicesFn) {
    let spinner = session.load_with_budget(
        Probe::Services,
        "spinner/1",
        Grant::Everything,
        Some(BUDGET),
    );
    let started = Instant::now();
    let spin = Call::Probe(ProbeCall::Spin);
    let outcome = session.within(BUDGET + MARGIN, |session| session.invoke(&spinner, &spin));
    trapped_at_the_budget(outcome, started.elapsed(), "an endless loop");
    // The host goes on: another component answers a call that needs no
    // host function (one that failed its own trials would be blamed here).
    let after = session.load(Probe::Services, "after/1");
    session.ok(
        &after,
        Call::Probe(ProbeCall::SetHealth {
            health: Health::Healthy,
        }),
    );
}

fn svc_5(session: &mut Session, _: HostServicesFn) {
    let first = session.load(Probe::Services, "first/1");
    let second = session.load(Probe::Storage, "second/1");
    let third = session.load(Probe::Services, "third/1");
    let listed = |session: &mut Session, asker| match session
        .ok(asker, Call::HostServices(HostServicesCall::ListComponents))
    {
        Returned::Ids(ids) => ids,
        other => panic!("list-components returned {other}"),
    };
    let seen = listed(session, &third);
    for id in [&first, &second, &third] {
        let times = seen.iter().filter(|s| s == &id).count();
        expect_eq!(times, 1, "{} is listed {times} times in {}", id, seen.wit());
    }
    expect_eq!(listed(session, &first), seen, "the order is not stable");
    let in_load_order: Vec<&ComponentId> = seen
        .iter()
        .filter(|id| [&first, &second, &third].contains(id))
        .collect();
    expect_eq!(
        in_load_order,
        [&first, &second, &third],
        "the order is not load order (SVC-5.1)"
    );
    session.unload(&second);
    let after = listed(session, &third);
    assert!(
        !after.contains(&second),
        "{} is listed after it was unloaded (SVC-5.1): {}",
        second,
        after.wit()
    );
    let kept: Vec<&ComponentId> = seen.iter().filter(|id| *id != &second).collect();
    expect_eq!(
        after.iter().collect::<Vec<_>>(),
        kept,
        "unloading a component changed the rest of the list"
    );
}

fn svc_6(session: &mut Session, _: HostServicesFn) {
    // Three components, two kinds: an answer about the wrong one shows.
    let target = session.load(Probe::Services, "target/1");
    let asker = session.load(Probe::Services, "asker/1");
    let other = session.load(Probe::Storage, "other/1");
    let ask = |session: &mut Session, id| {
        session.ok(
            &asker,
            Call::HostServices(HostServicesCall::GetComponentMetadata { id }),
        )
    };
    for (set, name) in [
        (Health::Healthy, "healthy"),
        (Health::Degraded, "degraded"),
        (Health::Unknown, "unknown"),
    ] {
        session.ok(&target, Call::Probe(ProbeCall::SetHealth { health: set }));
        let Returned::Info {
            id,
            name: component,
            version,
            health,
        } = ask(session, target.clone())
        else {
            panic!("get-component-metadata returned something else")
        };
        expect_eq!(id, target, "id");
        expect_eq!(component, "services-probe", "name from the metadata export");
        assert!(
            !version.is_empty(),
            "version from the metadata export is empty"
        );
        expect_eq!(
            health,
            name,
            "health, as the lowercase case name of the health export"
        );
    }
    let Returned::Info { id, name, .. } = ask(session, other.clone()) else {
        panic!("get-component-metadata returned something else")
    };
    expect_eq!(
        (id, name.as_str()),
        (other.clone(), "storage-probe"),
        "id and name of another kind of component"
    );
    let ghost = session.id("ghost/1");
    session.err(
        &asker,
        Call::HostServices(HostServicesCall::GetComponentMetadata { id: ghost }),
        "invalid-state",
    );
    session.unload(&other);
    session.err(
        &asker,
        Call::HostServices(HostServicesCall::GetComponentMetadata { id: other }),
        "invalid-state",
    );
}

/// What a trap's text says caused it, without the wasm backtrace wasmtime
/// puts before the cause (`{error:#}` ends with it, `{error:?}` puts it
/// under "Caused by:").
fn trap_cause(text: &str) -> &str {
    let text = text
        .split_once("Caused by:")
        .map_or(text, |(_, cause)| cause);
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    // A backtrace frame line ends with the cause, after the frame's `: `.
    match last.trim_start().split_once(" - ") {
        Some((_, frame)) => frame.split_once(": ").map_or(last, |(_, cause)| cause),
        None => last,
    }
    .trim()
}

/// A probe call's outcome in WIT terms: its reply, or the failure's cause.
fn shown(outcome: &Result<airssys_probe_protocol::Reply, String>) -> String {
    match outcome {
        Ok(reply) => airssys_probe_protocol::wit_reply(reply),
        Err(failure) => format!("a trap: {}", trap_cause(failure)),
    }
}
