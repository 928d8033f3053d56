# Daily commands. Each wraps a plain cargo command, so nothing here needs `just`.

default:
    @just --list

# The main job: load guests into the reference host and show what happens.
demo *ARGS:
    cargo run -p airssys-host --example demo -- {{ARGS}}

# Every test of the workspace (guests are built by guests/artifacts/build.rs).
test:
    cargo test --workspace

# The behaviour-clause tests of one clause family or ID, e.g. `just clause sto_11`.
clause FILTER:
    cargo test -p airssys-host --test clauses -- {{FILTER}}

fmt:
    cargo fmt --all

lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# What CI runs.
ci:
    bash .ci/run
