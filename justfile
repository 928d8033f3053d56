# Daily commands. Each wraps a plain cargo command, so nothing here needs `just`.

default:
    @just --list

# The main job: the conformance suite against the reference host. Arguments
# are libtest's (`just conformance storage::get`, `--list`, `--exact`) plus
# `--report DIR` for the matrix as Markdown, JSON and JUnit XML.
conformance *ARGS:
    cargo conformance {{ARGS}}

# The suite against the host behind an adapter process (docs/adapter-protocol.md),
# e.g. `just conformance-adapter "cargo run -q -p my-host-adapter"`.
conformance-adapter COMMAND *ARGS:
    cargo conformance --adapter "{{COMMAND}}" {{ARGS}}

# Components instead of a host: exports, imports and the GST clauses, e.g.
# `just conformance-component target/airssys-guests/wasm32-wasip2/release/counter.wasm`.
conformance-component +FILES:
    cargo conformance --component {{FILES}}

# What changed between two runs' reports (`--report DIR` writes DIR/conformance.json):
# regressions, fixes, newly judged or unjudged trials; exit status 1 on a regression.
conformance-diff OLD NEW:
    cargo conformance diff "{{OLD}}" "{{NEW}}"

# The report pages' screenshots in docs/screenshots, as the README shows them:
# taken by the browser test (needs Chromium) of the reference host and a broken one.
screenshots:
    rm -rf target/screenshots && mkdir -p target/screenshots docs/screenshots
    AIRSSYS_SCREENSHOTS="$PWD/target/screenshots" cargo test --workspace --test self_checks -- --exact reports::the_page_shows_a_person_the_failures_on_a_desktop_and_a_phone
    cp target/screenshots/report-reference-1280.png target/screenshots/report-storage-get-1280.png target/screenshots/report-storage-get-390-failure.png docs/screenshots/

# The reference host through its own adapter process.
conformance-reference-adapter *ARGS:
    cargo build --workspace --bins
    cargo conformance --adapter target/debug/airssys-reference-adapter {{ARGS}}

# The host on wasmtime 24 (fixtures/wasmtime-24-host): exactly its stubs fail.
conformance-wasmtime-24 *ARGS:
    cargo build --locked --manifest-path fixtures/wasmtime-24-host/Cargo.toml
    cargo conformance --adapter fixtures/wasmtime-24-host/target/debug/wasmtime-24-host --expect fixtures/wasmtime-24-host/conformance-expected.toml {{ARGS}}

# The stubbed host on wasmtime 24, without WASI: exactly its stubs' own trials fail.
conformance-wasmtime-24-stubbed *ARGS:
    cargo build --locked --manifest-path fixtures/wasmtime-24-host/Cargo.toml
    cargo conformance --adapter fixtures/wasmtime-24-host/target/debug/wasmtime-24-stubbed-host --expect fixtures/wasmtime-24-host/conformance-stubbed-expected.toml {{ARGS}}

# The JavaScript host (hosts/js) through its adapter: nothing fails but what
# its expectations file lists.
conformance-js *ARGS:
    npm ci --prefix hosts/js --no-audit --no-fund
    cargo conformance --adapter 'node hosts/js/bin/airssys-js-adapter.mjs' --expect hosts/js/conformance-expected.toml {{ARGS}}

# The broken JS hosts: each must fail exactly its own trials.
broken-js-hosts:
    cargo test --workspace --test self_checks js_hosts::

# The counter example, contract-only (no WASI), running on the stubbed host.
contract-only-counter:
    cargo build --locked --manifest-path fixtures/wasmtime-24-host/Cargo.toml
    bash fixtures/wasmtime-24-host/contract-only-counter.sh

# `airssys run a.wasm …` / `airssys inspect a.wasm` without installing it.
# Recipes select `--workspace`: with `-p`, cargo resolves other features and
# builds wasmtime a second time (`cargo run` has no `--workspace`).
airssys *ARGS:
    cargo build -q --workspace --bins
    target/debug/airssys {{ARGS}}

# The `airssys-conformance` command, with the contract and probes built in.
install:
    cargo install --locked --path conformance

# Refresh the probe components committed for installs without the wasm32 target.
prebuilt-probes:
    cargo build -p airssys-guests
    cp target/airssys-guests/contract-only/storage_probe.wasm target/airssys-guests/contract-only/messaging_probe.wasm target/airssys-guests/contract-only/services_probe.wasm target/airssys-guests/wasm32-wasip2/release/wasi_probe.wasm guests/prebuilt/

# The broken-host fixtures: each must fail exactly its own trials, in
# process and through adapter processes.
broken-hosts:
    cargo test --workspace --test self_checks broken_hosts::
    cargo test --workspace --test self_checks adapters::

# The broken-guest fixtures: each must fail exactly its own rows.
broken-guests:
    cargo test --workspace --test self_checks broken_guests::

# Review changed conformance snapshots (needs `cargo install cargo-insta --locked`).
snapshots:
    cargo insta review

# Guests on the reference host, exchanging messages and using storage.
demo *ARGS:
    cargo build -q --workspace --examples
    target/debug/examples/demo {{ARGS}}

# Every guest built with cargo-component instead of `cargo build --target
# wasm32-wasip2`, then the host's clause tests and the conformance suite on
# them (needs `cargo install cargo-component --locked`).
guests-cargo-component:
    AIRSSYS_GUEST_BUILDER=cargo-component cargo test --workspace --test clauses
    AIRSSYS_GUEST_BUILDER=cargo-component cargo conformance

# The SDK's docs, warnings denied as in CI.
sdk-doc:
    RUSTDOCFLAGS="-D warnings" cargo doc -p airssys-guest --no-deps

# Every test of the workspace (guests are built by guests/artifacts/build.rs).
test:
    cargo test --workspace

# The behaviour-clause tests of one clause family or ID, e.g. `just clause sto_11`.
clause FILTER:
    cargo test --workspace --test clauses -- {{FILTER}}

# STO-11 under fire: kill the redb writer ROUNDS times (CI runs 25, about 10 s).
kill-loop ROUNDS="1000":
    AIRSSYS_KILL_ROUNDS={{ROUNDS}} cargo test --workspace --test clauses -- --exact persistence::sto_11_a_killed_writer_loses_no_acknowledged_write_and_tears_no_value

# Hostile guests against the reference host, each attack with its peak memory.
hostile:
    cargo test --workspace --test hostile -- --nocapture

# Every host function's cost beside wasmtime's floor (ratios), and load,
# handle-message, messaging and redb rows; docs/performance.md keeps the latest.
bench *ARGS:
    cargo bench -p airssys-host --bench floors -- {{ARGS}}

# What the adapter protocol's JSON-lines exchange costs per call (reference adapter process), by divan.
bench-exchange *ARGS:
    cargo bench -p airssys-reference-adapter --bench exchange -- {{ARGS}}

# The reference host's costs (load, call, storage import, routed message), by divan.
bench-calls *ARGS:
    cargo bench -p airssys-host --bench calls -- {{ARGS}}

fmt:
    cargo fmt --all

# The lints CI applies (`.ci/run` gets the first clippy's from its build).
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo clippy -p airssys-guest -p counter -p storage-probe -p fault-probe -p wasi-probe -p bench-guest -p reentry-probe --target wasm32-wasip2 -- -D warnings
    cargo clippy -p storage-probe -p messaging-probe -p services-probe --target wasm32-unknown-unknown -- -D warnings

# What CI runs.
ci:
    bash .ci/run

# How strong the suite is: cargo-mutants mutates the reference host's behaviour
# code (.cargo/mutants.toml) and runs the conformance suite alone against each
# mutant; a survivor is a clause the suite does not check. About 40 minutes on
# 2 cores; needs `cargo install cargo-mutants --locked`. The baseline is
# skipped because cargo-mutants would run the host's own tests for it; the
# suite's baseline is `just conformance`. Results in mutants.out/.
mutants *ARGS:
    AIRSSYS_GUEST_BUILDER=prebuilt cargo mutants --baseline skip --timeout 180 {{ARGS}}

# How strong the guest side is: mutants of conformance/src/guest_suite/ against the
# broken-guest fixtures and the guest module's unit tests. The other modules
# of the self-checks' binary are skipped (`--skip`: libtest-mimic takes one
# filter, the library's tests another). About 30 minutes; results in mutants.out/.
mutants-guest *ARGS:
    cargo mutants --baseline skip --timeout 120 --package airssys-conformance --file 'conformance/src/guest_suite/*.rs' --cargo-test-arg=--test=self_checks --cargo-test-arg=--lib --cargo-test-arg=-- --cargo-test-arg=--skip=broken_hosts:: --cargo-test-arg=--skip=chaos:: --cargo-test-arg=--skip=adapters:: --cargo-test-arg=--skip=reports:: --cargo-test-arg=--skip=js_hosts:: {{ARGS}}

# The chaos host: arbitrary answers, and the suite must never panic nor hang
# (CI tries 40 seeds), e.g. `just chaos 500`.
chaos SEEDS="400":
    CHAOS_SEEDS={{SEEDS}} cargo test --workspace --test self_checks chaos::

# The public crates' APIs against a baseline commit (default: the previous
# one), with cargo-semver-checks: a break without a version bump fails, so a
# break is a decision recorded in CHANGELOG.md. The adapter crate and the
# SDK take a minute; the host and the suite each build wasmtime's docs twice
# (several minutes). CI does not run it: the tool's build alone takes 7.
# `cargo install cargo-semver-checks --locked` first.
semver BASELINE="HEAD~1":
    cargo semver-checks -p airssys-conformance-adapter -p airssys-guest -p airssys-host -p airssys-conformance --baseline-rev {{BASELINE}}
