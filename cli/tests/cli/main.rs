//! `airssys` as a user runs it: new, run, inspect, componentize.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use airssys_guests::COUNTER;

/// `airssys run` sessions.
mod run;

fn airssys(args: &[&str], stdin: &str) -> Output {
    airssys_bytes(args, stdin.as_bytes())
}

fn airssys_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_airssys"))
        .args(args)
        // `airssys new` reads it; the tests say their SDK themselves.
        .env_remove("AIRSSYS_SDK")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("airssys starts");
    // Written beside the run, and a command that stops reading early is no
    // failure of the helper: its output says what happened.
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `airssys inspect` of a component written in WAT; its output and exit code.
fn inspect_wat(wat: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("component.wasm");
    std::fs::write(&file, wat::parse_str(wat).unwrap()).unwrap();
    let output = airssys(&["inspect", &file.display().to_string()], "");
    (output.status.code(), text(&output))
}

fn assert_printed(printed: &str, expected: &[&str]) {
    for expected in expected {
        assert!(
            printed.contains(expected),
            "missing {expected:?} in:\n{printed}"
        );
    }
}

/// Two counters under their own file names.
fn two_counters(dir: &tempfile::TempDir) -> (String, String) {
    let a = dir.path().join("a.wasm");
    let b = dir.path().join("b.wasm");
    std::fs::copy(COUNTER, &a).unwrap();
    std::fs::copy(COUNTER, &b).unwrap();
    (a.display().to_string(), b.display().to_string())
}

#[test]
fn run_sends_stdin_lines_and_prints_replies_logs_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = two_counters(&dir);
    let script = "local/a/1 increment x\nlocal/a/1 increment x\nlocal/b/1 merge x local/a/1\n";
    let output = airssys(
        &[
            "run",
            &a,
            &b,
            "--grant",
            "local/a/1=all",
            "--grant",
            "local/b/1=all",
        ],
        script,
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_printed(
        &printed,
        &[
            "loaded local/a/1 from",
            "(counter 0.1.0)",
            "→ local/a/1: increment x",
            "info local/a/1: counted 2 {key=x, by=airssys/cli/1}",
            "info local/b/1: merged 2, now 2 {key=x, peer=local/a/1}",
            "⇢ local/b/1 → local/a/1 (request ",
            "): get x",
            "↩ local/a/1 → local/b/1 (reply to ",
            "): 2",
            "3 sent, 2 delivered between components, 0 timed out, 0 problems",
        ],
    );
}

#[test]
fn a_bad_line_is_reported_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = two_counters(&dir);
    let output = airssys(
        &["run", &a, "--grant", "local/a/1=storage"],
        "nonsense\nlocal/a/1 get x\n",
    );
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert!(
        printed.contains("stdin line 1: \"nonsense\" is not a component id"),
        "{printed}"
    );
    assert!(printed.contains("← local/a/1: ok\n"), "{printed}");
}

#[test]
fn flags_naming_no_component_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = two_counters(&dir);
    let output = airssys(&["run", &a, "--send", "local/ghost/1=hello"], "");
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(2), "{printed}");
    assert!(
        printed
            .contains("local/ghost/1 is given in --send but is none of the components: local/a/1"),
        "{printed}"
    );
    assert!(!printed.contains("loaded"), "{printed}");

    let limit = airssys(
        &[
            "run",
            &a,
            "--limit",
            "local/ghost/1=max_execution_time=200ms",
        ],
        "",
    );
    assert_eq!(limit.status.code(), Some(2), "{}", text(&limit));
    assert!(
        text(&limit).contains("local/ghost/1 is given in --limit but is none of the components"),
        "{}",
        text(&limit)
    );
    let id = airssys(&["run", &a, "--id", "elsewhere.wasm=local/x/1"], "");
    assert_eq!(id.status.code(), Some(2), "{}", text(&id));
    assert!(
        text(&id).contains("--id elsewhere.wasm=… names a file that is not among the components"),
        "{}",
        text(&id)
    );
}

#[test]
fn inspect_lists_imports_and_exports_and_loads_the_component() {
    let output = airssys(&["inspect", COUNTER], "");
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_printed(
        &printed,
        &[
            "instance airssys:core/storage@1.0.0: provided by the contract",
            "instance wasi:cli/stdout@0.2.6: provided by WASI 0.2",
            "exports:\n  instance airssys:core/component-lifecycle@1.0.0",
            "verdict: the reference host loads it",
            "metadata:\n  name: \"counter\"\n  version: \"0.1.0\"\n  description: ",
            "  supported-operations: [",
            "  stateful: ",
            "health: healthy",
        ],
    );
}

#[test]
fn inspect_names_an_import_no_host_provides_and_why_it_cannot_load() {
    let (code, printed) = inspect_wat(
        r#"(component
             (import "airssys:core/storage@0.9.0" (instance (export "get" (func))))
             (import "acme:teleport/beam@1.0.0" (instance (export "go" (func)))))"#,
    );
    assert_eq!(code, Some(1), "{printed}");
    assert_printed(
        &printed,
        &[
            "airssys:core/storage@0.9.0: NOT PROVIDED: this is version 0.9.0 of `storage`; hosts provide 1.0.0",
            "acme:teleport/beam@1.0.0: NOT PROVIDED: neither the contract nor WASI 0.2",
            "verdict: the reference host cannot load it",
        ],
    );
}

#[test]
fn inspect_tells_a_contract_import_of_another_type_as_the_suite_does() {
    let (code, printed) = inspect_wat(
        r#"(component
             (import "airssys:core/host-services@1.0.0"
               (instance (export "current-time-millis" (func (result u32))))))"#,
    );
    assert_eq!(code, Some(1), "{printed}");
    assert_printed(
        &printed,
        &[
            "airssys:core/host-services@1.0.0: WRONG TYPE (provided by the contract): no host can give \
           these imports of `airssys:core/host-services@1.0.0`: `current-time-millis`: expected \
           `current-time-millis: func() -> u64`, found `current-time-millis: func() -> u32`",
        ],
    );
}

#[test]
fn new_writes_a_component_crate_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().display().to_string();
    let output = airssys(&["new", "my-counter", "--path", &path], "");
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    let crate_dir = dir.path().join("my-counter");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"my-counter\""), "{manifest}");
    assert!(manifest.contains("crate-type = [\"cdylib\"]"), "{manifest}");
    // The SDK shipped with the command, copied in at its version: nothing
    // points back at the checkout the command was built from.
    let checkout = env!("CARGO_MANIFEST_DIR").trim_end_matches("/cli");
    let sdk_version = std::fs::read_to_string(format!("{checkout}/guest-sdk/Cargo.toml"))
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .map(|rest| rest.trim_end_matches('"').to_owned())
        .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned());
    let vendored_dir = format!("vendor/airssys-sdk-{sdk_version}");
    assert!(
        manifest.contains(&format!(
            "{{ version = \"{sdk_version}\", path = \"{vendored_dir}/guest-sdk\" }}"
        )),
        "{manifest}"
    );
    let vendored = crate_dir.join(&vendored_dir);
    for (copy, original) in [
        ("guest-sdk/src/lib.rs", "guest-sdk/src/lib.rs"),
        ("contract/build.rs", "contract/build.rs"),
        ("wit/storage.wit", "wit/storage.wit"),
    ] {
        assert_eq!(
            std::fs::read_to_string(vendored.join(copy)).unwrap(),
            std::fs::read_to_string(std::path::Path::new(checkout).join(original)).unwrap(),
            "{copy}"
        );
    }
    for file in [
        "Cargo.toml".to_owned(),
        "Cargo.lock".to_owned(),
        format!("{vendored_dir}/guest-sdk/Cargo.toml"),
    ] {
        let text = std::fs::read_to_string(crate_dir.join(&file)).unwrap();
        assert!(
            !text.contains(checkout),
            "{file} names the checkout:\n{text}"
        );
    }
    let lib = std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("airssys_guest::export!"), "{lib}");
    // The template's name is the crate's.
    assert!(lib.starts_with("//! my-counter: "), "{lib}");
    assert!(!lib.contains("my-component"), "{lib}");
    assert!(
        printed.contains("airssys inspect target/wasm32-wasip2/release/my_counter.wasm"),
        "{printed}"
    );

    std::fs::write(crate_dir.join("src/lib.rs"), "// my work").unwrap();
    let again = airssys(&["new", "my-counter", "--path", &path], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again).contains("already exists; nothing was written"),
        "{}",
        text(&again)
    );
    assert_eq!(
        std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap(),
        "// my work"
    );

    let elsewhere = airssys(
        &["new", "from-checkout", "--path", &path, "--sdk", checkout],
        "",
    );
    assert!(elsewhere.status.success(), "{}", text(&elsewhere));
    let manifest = std::fs::read_to_string(dir.path().join("from-checkout/Cargo.toml")).unwrap();
    assert!(manifest.contains("/guest-sdk\" }"), "{manifest}");
    assert!(!dir.path().join("from-checkout/vendor").exists());
    let not_an_sdk = airssys(&["new", "nowhere", "--path", &path, "--sdk", &path], "");
    assert_eq!(not_an_sdk.status.code(), Some(2));
    assert!(
        text(&not_an_sdk).contains("is the manifest of `airssys-guest`"),
        "{}",
        text(&not_an_sdk)
    );
    assert!(!dir.path().join("nowhere").exists());

    let bad = airssys(&["new", "My Counter", "--path", &path], "");
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("lowercase letters"), "{}", text(&bad));
}

#[test]
fn inspect_tells_a_wrong_export_in_wit() {
    let (code, printed) = inspect_wat(
        r#"(component
             (core module $m (func (export "health") (result i32) i32.const 0))
             (core instance $i (instantiate $m))
             (func $health (result u32) (canon lift (core func $i "health")))
             (instance $lifecycle (export "health" (func $health)))
             (export "airssys:core/component-lifecycle@1.0.0" (instance $lifecycle)))"#,
    );
    assert_eq!(code, Some(1), "{printed}");
    assert_printed(
        &printed,
        &[
            "health: WRONG: another type: expected `health: func() -> enum { healthy, degraded, unhealthy, unknown }`, found `health: func() -> u32`",
            "shutdown: WRONG: missing",
            "verdict: the reference host cannot load it",
        ],
    );
}

#[test]
fn componentize_makes_a_contract_only_component_that_loads_and_never_overwrites_its_module() {
    let module = airssys_guests::STORAGE_PROBE_CORE_MODULE
        .expect("the storage probe's core module, built by cargo for wasm32-unknown-unknown");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("probe.wasm");
    let output = airssys(
        &["componentize", module, "-o", &out.display().to_string()],
        "",
    );
    let printed = text(&output);
    assert!(output.status.success(), "{printed}");
    assert_printed(
        &printed,
        &[
            "imports: airssys:core/",
            "it imports the contract alone: it loads on a host that provides no WASI",
        ],
    );
    assert!(!printed.contains("wasi:"), "{printed}");
    let inspected = airssys(&["inspect", &out.display().to_string()], "");
    assert!(inspected.status.success(), "{}", text(&inspected));

    let again = airssys(&["componentize", &out.display().to_string()], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        text(&again).contains("already a component"),
        "{}",
        text(&again)
    );
}

#[test]
fn stdin_lines_that_are_not_utf8_or_too_long_are_reported_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = two_counters(&dir);
    let mut stdin = b"local/a/1 get \xff\xfe\n".to_vec();
    stdin.extend(b"local/a/1 ");
    stdin.extend(vec![b'x'; 2 * 1024 * 1024]);
    stdin.extend(b"\nlocal/a/1 get x\n");
    let output = airssys_bytes(&["run", &a, "--grant", "local/a/1=storage"], &stdin);
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(1), "{printed}");
    assert_printed(
        &printed,
        &[
            "stdin line 1 is not UTF-8",
            "stdin line 2 is longer than 1048576 bytes",
            "← local/a/1: ok\n",
            "1 sent, 0 delivered between components, 0 timed out, 2 problems",
        ],
    );
}

#[test]
fn a_delivery_time_past_what_a_duration_holds_is_refused_not_a_panic() {
    let output = airssys(&["run", COUNTER, "--deliver-for", "1e20"], "");
    let printed = text(&output);
    assert_eq!(output.status.code(), Some(2), "{printed}");
    assert!(!printed.contains("panicked"), "{printed}");
    assert!(printed.contains("`1e20` seconds is too long"), "{printed}");
}

/// Names from a guest's name section reach the trap messages `airssys`
/// prints; a name that carries terminal controls is shown with them written
/// out, so it cannot clear the screen or colour a line of its own.
#[test]
fn a_trap_in_a_function_whose_name_controls_the_terminal_is_shown_escaped() {
    let lifecycle = include_str!("../../../conformance/tests/guests/lifecycle.wat");
    let memory = "    (memory (export \"memory\") 1)\n";
    let trapping = lifecycle.replacen(
        memory,
        &format!(
            "{memory}    (func $\"\\1b[2J\\1b[32mverdict: all good\\0d\" unreachable)\n    \
             (start $\"\\1b[2J\\1b[32mverdict: all good\\0d\")\n"
        ),
        1,
    );
    assert_ne!(
        trapping, lifecycle,
        "the fixture has no memory line to add to"
    );
    let (code, printed) = inspect_wat(&trapping);
    assert_eq!(code, Some(1), "{printed}");
    assert_printed(&printed, &["\\u{1b}[2J\\u{1b}[32mverdict: all good\\u{d}"]);
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\r'),
        "terminal controls printed raw:\n{printed:?}"
    );
}
