//! `cargo conformance`: the suite against the reference host, in process.
//! With `-- --adapter COMMAND` it judges the host behind that adapter
//! process instead (see `--help`).

fn main() -> std::process::ExitCode {
    airssys_conformance::Suite::new(airssys_reference_adapter::ReferenceHost::new()).run_from_args()
}
