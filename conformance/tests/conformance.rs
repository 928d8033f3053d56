//! `cargo conformance`: the suite against the reference host. A host
//! implementer's own `tests/conformance.rs` looks the same, with their
//! `HostUnderTest` in place of `ReferenceHost`.

mod reference;

fn main() -> std::process::ExitCode {
    airssys_conformance::Suite::new(reference::ReferenceHost::new()).run_from_args()
}
