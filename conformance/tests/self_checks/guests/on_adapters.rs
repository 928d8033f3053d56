//! Components judged on a host through its adapter (`--component FILE
//! --adapter HOST`): a broken guest fails the same trial for the same
//! reason as on the reference host in process, and a trial the adapter
//! cannot serve is ignored with the reason, never passed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use airssys_conformance::adapter::{
    About, Adapter, AdapterError, ComponentId, Grant, Handled, Import, LogRecord, Message,
    Metadata, Runtime, Supports,
};
use airssys_conformance::{GuestSuite, Outcome, Report, TimeLimits};
use airssys_reference_adapter::ReferenceHost;
use libtest_mimic::Trial;

use super::{BROKEN, LIFECYCLE, SEED, failed, not_passed};

pub fn trials() -> Vec<Trial> {
    checks![
        broken_guests_fail_the_same_trials_for_the_same_reasons_through_the_reference_adapter,
        a_good_guest_passes_every_trial_through_the_reference_adapter,
        trials_an_older_adapter_cannot_serve_are_ignored_with_the_reason,
        a_panic_message_logged_before_the_trap_is_in_the_verdict,
        an_err_is_an_answer_through_an_adapter_too,
        a_call_the_host_refuses_but_the_reference_host_answers_is_not_judged,
        a_check_refusal_in_wasmtime_words_judges_the_import_it_quotes,
        an_import_a_refusal_does_not_name_is_not_judged,
        a_slow_host_is_not_held_against_the_component,
    ]
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(format!("{name}.wat"));
    std::fs::write(&file, text).unwrap();
    file
}

fn message_of<'a>(report: &'a Report, trial: &str) -> &'a Outcome {
    &report
        .trials
        .iter()
        .find(|t| t.name == trial)
        .unwrap_or_else(|| panic!("no trial {trial}"))
        .outcome
}

/// Through the reference host's adapter (the protocol's `load`, `invoke`,
/// `metadata`, `health`, `unload`), every broken guest whose defect shows
/// in behaviour fails exactly the trials it fails in process, and its
/// verdict begins with the in-process one.
fn broken_guests_fail_the_same_trials_for_the_same_reasons_through_the_reference_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let behavioural = BROKEN
        .iter()
        .filter(|b| b.fails.iter().all(|f| f.contains("::behaviour::")));
    let mut judged = 0;
    for broken in behavioural {
        let (from, to) = broken.edit;
        let file = write(dir.path(), broken.name, &LIFECYCLE.replacen(from, to, 1));
        let here = GuestSuite::new([&file]).seed(SEED).evaluate().unwrap();
        let there = GuestSuite::new([&file])
            .seed(SEED)
            .on_host(ReferenceHost::new())
            .evaluate()
            .unwrap();
        assert_eq!(failed(&here), broken.fails, "{}", here.to_markdown());
        assert_eq!(failed(&there), broken.fails, "{}", there.to_markdown());
        for trial in broken.fails {
            let (Outcome::Failed(in_process), Outcome::Failed(on_adapter)) =
                (message_of(&here, trial), message_of(&there, trial))
            else {
                unreachable!("both failed");
            };
            assert!(
                on_adapter.starts_with(in_process.lines().next().unwrap()),
                "{trial}:\nin process: {in_process}\non the adapter: {on_adapter}"
            );
        }
        judged += 1;
    }
    assert!(judged >= 5, "only {judged} broken guests judged");
}

/// The guest that passes in process passes every trial on the reference
/// adapter too: none is ignored, so each was judged there.
fn a_good_guest_passes_every_trial_through_the_reference_adapter() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lifecycle", LIFECYCLE);
    let report = GuestSuite::new([&file])
        .seed(SEED)
        .on_host(ReferenceHost::new())
        .evaluate()
        .unwrap();
    let not_passed: Vec<(&str, &Outcome)> = report
        .trials
        .iter()
        .filter(|t| t.outcome != Outcome::Passed)
        .map(|t| (t.name.as_str(), &t.outcome))
        .collect();
    assert_eq!(not_passed, [], "{}", report.to_markdown());
}

/// A host that loads, invokes and unloads, but whose adapter is of
/// protocol 1.2: it declares no `lifecycle`, so it is never sent a request,
/// a callback or a `metadata` or `health` request. Every call answers.
struct OlderAdapter {
    supports: Supports,
    /// Refuses every `invoke` with these words, as a host whose delivery is
    /// broken would.
    refuses_invoke: Option<&'static str>,
    /// Refuses `check` with these words and no names, as an adapter of
    /// protocol 1.0 on wasmtime would.
    refuses_check: Option<&'static str>,
    /// Names these imports missing in its `check` refusal (protocol 1.1).
    check_names_missing: &'static [&'static str],
    /// How long each `invoke` takes, as on a slow host or pipe.
    invoke_takes: Duration,
}

impl OlderAdapter {
    fn new(supports: Supports) -> Self {
        Self {
            supports,
            refuses_invoke: None,
            refuses_check: None,
            check_names_missing: &[],
            invoke_takes: Duration::ZERO,
        }
    }
}

impl Adapter for OlderAdapter {
    fn about(&self) -> About {
        About::new(
            "older-adapter",
            "1.2",
            "a host whose adapter speaks protocol 1.2",
            "none",
        )
        .supporting(self.supports)
    }
    fn check(&mut self, _: &Path) -> Result<(), AdapterError> {
        match self.refuses_check {
            None => Ok(()),
            Some(words) => Err(self
                .check_names_missing
                .iter()
                .fold(AdapterError::from(words), |error, name| {
                    error.with_missing(*name)
                })),
        }
    }
    fn reset(&mut self, _: &[Import]) -> Result<(), AdapterError> {
        Ok(())
    }
    fn runtime(&mut self) -> Option<&mut dyn Runtime<Component = Path>> {
        Some(self)
    }
}

impl Runtime for OlderAdapter {
    type Component = Path;
    fn load(
        &mut self,
        _: &ComponentId,
        _: &Path,
        _: Grant,
        _: Option<Duration>,
    ) -> Result<(), AdapterError> {
        Ok(())
    }
    fn invoke(&mut self, _: &ComponentId, message: &Message) -> Result<Handled, AdapterError> {
        assert!(
            self.supports.lifecycle || !message.needs_lifecycle(),
            "sent {message:?}"
        );
        std::thread::sleep(self.invoke_takes);
        match self.refuses_invoke {
            Some(words) => Err(words.into()),
            None => Ok(Ok(None)),
        }
    }
    fn metadata(&mut self, _: &ComponentId) -> Result<Metadata, AdapterError> {
        assert!(
            self.supports.lifecycle,
            "`metadata` asked without `lifecycle`"
        );
        Ok(Metadata::new("older", "1.0.0"))
    }
    fn health(&mut self, _: &ComponentId) -> Result<String, AdapterError> {
        assert!(
            self.supports.lifecycle,
            "`health` asked without `lifecycle`"
        );
        Ok("healthy".into())
    }
    fn settle(&mut self, _: Duration) -> Result<(), AdapterError> {
        Ok(())
    }
    fn logs(&mut self) -> Result<Vec<LogRecord>, AdapterError> {
        Ok(Vec::new())
    }
    fn unload(&mut self, _: &ComponentId) -> Result<(), AdapterError> {
        Ok(())
    }
    fn restart(&mut self) -> Result<(), AdapterError> {
        Ok(())
    }
}

fn on_older_adapter(file: &Path, supports: Supports) -> Report {
    on_fake_adapter(file, supports, None)
}

/// `file` judged on the host `adapter` stands for, within `limits`; the
/// suite may start the adapter more than once.
fn on(file: &Path, adapter: fn() -> OlderAdapter, limits: TimeLimits) -> Report {
    GuestSuite::new([file])
        .seed(SEED)
        .limits(limits)
        .on_adapter_in_thread("fake", move || Ok(Box::new(adapter()) as Box<dyn Adapter>))
        .evaluate()
        .unwrap()
}

fn on_fake_adapter(
    file: &Path,
    supports: Supports,
    refuses_invoke: Option<&'static str>,
) -> Report {
    on_fake_host(file, supports, refuses_invoke, None)
}

fn on_fake_host(
    file: &Path,
    supports: Supports,
    refuses_invoke: Option<&'static str>,
    refuses_check: Option<&'static str>,
) -> Report {
    GuestSuite::new([file])
        .seed(SEED)
        .on_adapter_in_thread("older", move || {
            Ok(Box::new(OlderAdapter {
                refuses_invoke,
                refuses_check,
                ..OlderAdapter::new(supports)
            }) as Box<dyn Adapter>)
        })
        .evaluate()
        .unwrap()
}

fn trials_an_older_adapter_cannot_serve_are_ignored_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lifecycle", LIFECYCLE);
    let report = on_older_adapter(
        &file,
        Supports::CHECK_ONLY.with_load(true).with_runtime(true),
    );
    for trial in [
        "lifecycle::handle-message::behaviour::GST-2",
        "lifecycle::handle-callback::behaviour::GST-3",
        "lifecycle::metadata::behaviour::GST-4",
        "lifecycle::health::behaviour::GST-5",
    ] {
        match message_of(&report, trial) {
            Outcome::Ignored(why) => assert!(
                why.contains("does not declare `load` and `lifecycle` (adapter protocol 1.3"),
                "{trial}: {why}"
            ),
            other => panic!("{trial}: {other:?}\n{}", report.to_markdown()),
        }
    }
    // What it can serve is judged: `load` calls `initialize`, `unload` calls
    // `shutdown`.
    for trial in [
        "lifecycle::initialize::behaviour::GST-1",
        "lifecycle::shutdown::behaviour::GST-6",
    ] {
        assert_eq!(message_of(&report, trial), &Outcome::Passed, "{trial}");
    }
    // A check-only adapter judges no behaviour, and passes none.
    let report = on_older_adapter(&file, Supports::CHECK_ONLY);
    let behaviour: Vec<&Outcome> = report
        .trials
        .iter()
        .filter(|t| t.name.contains("::behaviour::"))
        .map(|t| &t.outcome)
        .collect();
    assert_eq!(behaviour.len(), 6);
    assert!(
        behaviour
            .iter()
            .all(|o| matches!(o, Outcome::Ignored(why) if why.contains("does not declare `load`"))),
        "{}",
        report.to_markdown()
    );
}

/// A guest that logs its panic's message at error level before it traps,
/// as the SDK's panic hook does, has that message in its verdict: read from
/// the reference host's log sink in process, and through the adapter's
/// `logs`.
fn a_panic_message_logged_before_the_trap_is_in_the_verdict() {
    let edits = [
        (
            "(component\n",
            "(component\n  \
             (import \"airssys:core/host-services@1.0.0\" (instance $hs\n    \
               (type $level' (enum \"trace\" \"debug\" \"info\" \"warn\" \"error\"))\n    \
               (export \"log-level\" (type $level (eq $level')))\n    \
               (export \"log\" (func (param \"level\" $level) (param \"message\" string) \
                 (param \"context\" (option (list (tuple string string))))))))\n  \
             (alias export $hs \"log\" (func $log))\n  \
             (core module $libc (memory (export \"memory\") 1))\n  \
             (core instance $libc (instantiate $libc))\n  \
             (alias core export $libc \"memory\" (core memory $shared))\n  \
             (core func $log (canon lower (func $log) (memory $shared)))\n  \
             (core instance $env (export \"log\" (func $log)) (export \"memory\" (memory $shared)))\n",
        ),
        (
            "    (memory (export \"memory\") 1)\n",
            "    (import \"env\" \"memory\" (memory 1))\n    \
             (import \"env\" \"log\" (func $log (param i32 i32 i32 i32 i32 i32)))\n    \
             (export \"memory\" (memory 0))\n    \
             (data (i32.const 3000) \"panicked at src/lib.rs:7:5:\\0atoo large\")\n",
        ),
        (
            "(core instance $i (instantiate $m))",
            "(core instance $i (instantiate $m (with \"env\" (instance $env))))",
        ),
        (
            "(func (export \"handle-message\") (param $message i32) (result i32)\n",
            "(func (export \"handle-message\") (param $message i32) (result i32)\n      \
             (if (i32.gt_u (i32.load offset=28 (local.get $message)) (i32.const 4096)) \
             (then (call $log (i32.const 4) (i32.const 3000) (i32.const 37) \
             (i32.const 0) (i32.const 0) (i32.const 0)) unreachable))\n",
        ),
    ];
    let mut text = LIFECYCLE.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "the edit of {from:?} does not apply");
        text = text.replacen(from, to, 1);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "panics-on-large-payloads", &text);
    let trial = "panics-on-large-payloads::handle-message::behaviour::GST-2";
    let logged = "before it, the component logged at error level: \
                  \"panicked at src/lib.rs:7:5: / too large\"";
    for report in [
        GuestSuite::new([&file]).seed(SEED).evaluate().unwrap(),
        GuestSuite::new([&file])
            .seed(SEED)
            .on_host(ReferenceHost::new())
            .evaluate()
            .unwrap(),
    ] {
        assert_eq!(failed(&report), [trial], "{}", report.to_markdown());
        match message_of(&report, trial) {
            Outcome::Failed(why) => assert!(
                why.contains(
                    "a message at the limit (1 MiB), payload of 1048576 bytes, each b\"\\xa5\""
                ) && why.contains("trapped in handle-message")
                    && why.ends_with(logged),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
    }
}

/// `err` is an answer (GST-2, GST-3, GST-6), though an adapter reports it
/// as a refusal, as it does a trap: a guest whose exports all return `err`
/// passes on the reference adapter as in process, and no trial is ignored.
fn an_err_is_an_answer_through_an_adapter_too() {
    // `err(timeout)`: the result's case 1, the wasm-error's case 3 at offset 4.
    let returns_err = "(data (i32.const 700) \"\\01\\00\\00\\00\\03\")\n    \
                       (func (export \"handle-message\") (param $message i32) (result i32)\n      \
                       (i32.const 700))\n    \
                       (func (export \"handle-callback\") (param i32) (result i32)\n      \
                       (i32.const 700))";
    let from = "(func (export \"handle-message\") (param $message i32) (result i32)\n      \
                (global.set $bump (i32.const 65536)) (i32.const 512))\n    \
                (func (export \"handle-callback\") (param i32) (result i32)\n      \
                (global.set $bump (i32.const 65536)) (i32.const 512))";
    assert!(LIFECYCLE.contains(from), "the edit does not apply");
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "returns-err",
        &LIFECYCLE.replacen(from, returns_err, 1),
    );
    for report in [
        GuestSuite::new([&file]).seed(SEED).evaluate().unwrap(),
        GuestSuite::new([&file])
            .seed(SEED)
            .on_host(ReferenceHost::new())
            .evaluate()
            .unwrap(),
    ] {
        assert_eq!(not_passed(&report), [], "{}", report.to_markdown());
    }
}

/// A host that refuses every message the guest answers on the reference
/// host: the refusal is the host's, so GST-2 and GST-3 are ignored naming
/// it, never failed against the component, and never passed.
fn a_call_the_host_refuses_but_the_reference_host_answers_is_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lifecycle", LIFECYCLE);
    let words = "the host lost the message";
    let report = on_fake_adapter(&file, Supports::EVERYTHING, Some(words));
    assert_eq!(
        failed(&report),
        Vec::<&str>::new(),
        "{}",
        report.to_markdown()
    );
    for trial in [
        "lifecycle::handle-message::behaviour::GST-2",
        "lifecycle::handle-callback::behaviour::GST-3",
    ] {
        match message_of(&report, trial) {
            Outcome::Ignored(why) => assert!(
                why.contains(words) && why.contains("not held against the component"),
                "{trial}: {why}"
            ),
            other => panic!("{trial}: {other:?}"),
        }
    }
    assert_eq!(
        message_of(&report, "lifecycle::health::behaviour::GST-5"),
        &Outcome::Passed
    );
}

/// A `check` refusal without names, in wasmtime's words, judges the import
/// it quotes: missing fails its name, another type its signature. Every
/// behaviour trial is then ignored, naming the refusal.
fn a_check_refusal_in_wasmtime_words_judges_the_import_it_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lifecycle", LIFECYCLE);
    let clock = "lifecycle::import::wasi:clocks/monotonic-clock@0.2.6";
    let missing = "component imports instance `wasi:clocks/monotonic-clock@0.2.6`, but a \
                   matching implementation was not found in the linker: instance export `now` \
                   has the wrong type: function implementation is missing";
    let report = on_fake_host(&file, Supports::EVERYTHING, None, Some(missing));
    assert_eq!(
        failed(&report),
        [format!("{clock}::name")],
        "{}",
        report.to_markdown()
    );
    let mistyped = "component imports instance `wasi:clocks/monotonic-clock@0.2.6`, but a \
                    matching implementation was not found in the linker: instance export `now` \
                    has the wrong type: type mismatch with results";
    let report = on_fake_host(&file, Supports::EVERYTHING, None, Some(mistyped));
    assert_eq!(
        failed(&report),
        [format!("{clock}::signature")],
        "{}",
        report.to_markdown()
    );
    let behaviour: Vec<&Outcome> = report
        .trials
        .iter()
        .filter(|t| t.name.contains("::behaviour::"))
        .map(|t| &t.outcome)
        .collect();
    assert!(
        behaviour.len() == 6
            && behaviour
                .iter()
                .all(|o| matches!(o, Outcome::Ignored(why) if why.contains("cannot instantiate it (`check`: component imports instance"))),
        "{}",
        report.to_markdown()
    );
}

/// A component with two imports, each of a function the host may lack.
const TWO_IMPORTS: &str = r#"(component
  (import "wasi:clocks/monotonic-clock@0.2.6" (instance (export "now" (func (result u64)))))
  (import "airssys:core/host-services@1.0.0" (instance (export "current-time-millis" (func (result u64)))))
)"#;

/// A `check` refusal that names one missing import says nothing of the
/// others: a refusal need not name every one, so they are not judged.
fn an_import_a_refusal_does_not_name_is_not_judged() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "two", TWO_IMPORTS);
    let report = on(
        &file,
        || OlderAdapter {
            refuses_check: Some("no clock here"),
            check_names_missing: &["wasi:clocks/monotonic-clock@0.2.6#now"],
            ..OlderAdapter::new(Supports::EVERYTHING)
        },
        TimeLimits::default(),
    );
    let clock = "two::import::wasi:clocks/monotonic-clock@0.2.6::name";
    let services = "two::import::airssys:core/host-services@1.0.0::name";
    assert!(
        matches!(message_of(&report, clock), Outcome::Failed(_)),
        "{}",
        report.to_markdown()
    );
    match message_of(&report, services) {
        Outcome::Ignored(why) => assert!(why.contains("need not name every one"), "{why}"),
        other => panic!("{services}: {other:?}"),
    }
}

/// A trial that runs out of time on a host behind an adapter is not the
/// component's failure: the host or its pipe may be the slow one.
fn a_slow_host_is_not_held_against_the_component() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "lifecycle", LIFECYCLE);
    let report = on(
        &file,
        || OlderAdapter {
            invoke_takes: Duration::from_millis(700),
            ..OlderAdapter::new(Supports::EVERYTHING)
        },
        TimeLimits {
            trial: Duration::from_secs(1),
            ..TimeLimits::default()
        },
    );
    let trial = "lifecycle::handle-message::behaviour::GST-2";
    match message_of(&report, trial) {
        Outcome::Ignored(why) => assert!(
            why.contains("timed out") && why.contains("not held against the component"),
            "{why}"
        ),
        other => panic!("{trial}: {other:?}\n{}", report.to_markdown()),
    }
}
