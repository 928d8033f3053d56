//! The suite against the reference host on memory storage, so that both
//! storage backends are judged (`cargo conformance` runs it on redb).

fn main() -> std::process::ExitCode {
    let host = airssys_reference_adapter::ReferenceHost::new().in_memory();
    airssys_conformance::Suite::new(host)
        // `--workspace`, as `cargo conformance` has, builds no second wasmtime.
        .invoked_as("cargo test --workspace --test conformance_in_memory --")
        .run_from_args()
}
