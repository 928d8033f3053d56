//! `cargo conformance`: the suite against the reference host, in process.
//! With `-- --adapter COMMAND` it judges the host behind that adapter
//! process instead (see `--help`).

fn main() -> std::process::ExitCode {
    airssys_conformance::Suite::new(airssys_reference_adapter::ReferenceHost::new())
        // The alias in .cargo/config.toml: a failure's repeat command starts with it.
        .invoked_as("cargo conformance")
        .run_from_args()
}
